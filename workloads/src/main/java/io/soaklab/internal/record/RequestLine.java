package io.soaklab.internal.record;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code requests.jsonl.gz}: with {@code --record-requests}, every request a run sent, one line per
 * attempt, gzip-compressed: who sent it (user, episode, role, step, attempt), when it was meant to
 * leave, the request as soaklab asked it (enough to send it again, {@code soaklab replay}), and the
 * exact body that went on the wire. The file's only writer and reader. No key is in it: a body
 * holds none (the key travels in a header). Bounded: past {@code limit} bytes of compressed file
 * nothing more is kept, and what was not is counted.
 *
 * <p>Flushed (a gzip sync flush) at least every second by the run's flusher: a run killed mid-way
 * keeps its requests up to then; the last line may be cut off, and is skipped when read.
 *
 * <pre>{@code
 * RequestLine.read(dir, r -> System.out.println(r.intendedMicros() + " " + r.request().messages().size()));
 * }</pre>
 */
public final class RequestLine {

    /** The most compressed bytes a run keeps unless told otherwise: 2 GiB. */
    public static final long DEFAULT_LIMIT = 2L << 30;

    static final String USER = "user";
    static final String EPISODE = "episode";
    static final String ROLE = "role";
    static final String STEP = "step";
    static final String ATTEMPT = "attempt";
    static final String INTENDED_US = "intended_us";
    /** The shard that sent it, in a sharded soak. */
    static final String SHARD = "shard";
    static final String REQUEST = "request";
    static final String BODY = "body";
    static final String MESSAGES = "messages";
    static final String MAX_TOKENS = "max_tokens";
    static final String TOOLS = "tools";
    static final String TOOL_CHOICE = "tool_choice";
    static final String PROMPT_CACHING = "prompt_caching";
    static final String CACHE_TTL = "cache_ttl";
    static final String THINKING_BUDGET = "thinking_budget";
    static final String EFFORT = "effort";
    static final String EXACT_OUTPUT = "exact_output";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestLine() {
    }

    /**
     * One recorded attempt.
     *
     * @param intendedMicros when it was meant to leave, epoch microseconds
     * @param request        the request as soaklab asked it
     * @param body           the body as it went on the wire (UTF-8 JSON)
     */
    public record Recorded(int user, long episode, String role, int step, int attempt, long intendedMicros, ChatRequest request, String body) {
    }

    /** Appends a run's requests; shared by its episodes' threads. */
    public static final class Writer implements AutoCloseable {
        private static final JsonFactory FACTORY = new JsonFactory();
        private final GZIPOutputStream out;
        private final CountingStream file;
        private final TimeBase time;
        private final long limit;
        private final int shard;
        private long written;
        private long skipped;
        private boolean closed;

        public Writer(Path dir, TimeBase time, long limit) throws IOException {
            this(dir, time, limit, -1);
        }

        /** As {@link #Writer(Path, TimeBase, long)}, for shard {@code shard} of a sharded soak (-1: none): each line says it. */
        public Writer(Path dir, TimeBase time, long limit, int shard) throws IOException {
            this.file = new CountingStream(Files.newOutputStream(RunFile.REQUESTS.in(dir)));
            this.out = new GZIPOutputStream(file, 1 << 16, true);
            this.time = time;
            this.limit = limit;
            this.shard = shard;
        }

        /** Keeps one attempt, unless the file has reached its limit (then it is counted). */
        public void write(CallInfo info, long intendedNanos, ChatRequest request, byte[] body) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(body.length * 2 + 256);
            try (JsonGenerator g = FACTORY.createGenerator(line, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeNumberField(USER, info.user());
                g.writeNumberField(EPISODE, info.episode());
                g.writeStringField(ROLE, info.role());
                g.writeNumberField(STEP, info.step());
                g.writeNumberField(ATTEMPT, info.attempt());
                g.writeNumberField(INTENDED_US, time.epochMicros(intendedNanos));
                g.writeFieldName(REQUEST);
                request(g, request);
                g.writeStringField(BODY, new String(body, StandardCharsets.UTF_8));
                if (shard >= 0) {
                    g.writeNumberField(SHARD, shard);
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // into memory: cannot happen
            }
            line.write('\n');
            synchronized (this) {
                if (closed || file.count >= limit) {
                    skipped++;
                    return;
                }
                try {
                    line.writeTo(out);
                    written++;
                } catch (IOException e) {
                    skipped++;
                }
            }
        }

        /** Counts an attempt that could not be kept (its client could not say its body). */
        public synchronized void skip() {
            skipped++;
        }

        /** Makes what was written readable now (a gzip sync flush). */
        public synchronized void flush() {
            if (!closed) {
                try {
                    out.flush();
                } catch (IOException e) {
                    // the next flush or the close says it
                }
            }
        }

        /** Attempts kept. */
        public synchronized long written() {
            return written;
        }

        /** Attempts not kept: the file had reached its limit, could not be written, or the client could not say a body. */
        public synchronized long skipped() {
            return skipped;
        }

        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                out.close();
            }
        }
    }

    /** Counts what reaches the file. */
    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static void request(JsonGenerator g, ChatRequest r) throws IOException {
        g.writeStartObject();
        g.writeNumberField(MAX_TOKENS, r.maxTokens());
        g.writeStringField(TOOL_CHOICE, r.toolChoice().name().toLowerCase(Locale.ROOT));
        g.writeBooleanField(PROMPT_CACHING, r.promptCaching());
        g.writeStringField(CACHE_TTL, r.cacheTtl().wireName());
        if (r.reasoning().thinkingBudget() > 0) {
            g.writeNumberField(THINKING_BUDGET, r.reasoning().thinkingBudget());
        }
        if (r.reasoning().effort() != null) {
            g.writeStringField(EFFORT, r.reasoning().effort().wireName());
        }
        if (r.exactOutput()) {
            g.writeBooleanField(EXACT_OUTPUT, true);
        }
        g.writeArrayFieldStart(TOOLS);
        for (ToolSpec t : r.tools()) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("description", t.description());
            g.writeStringField("schema", t.schema());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart(MESSAGES);
        for (Message m : r.messages()) {
            g.writeStartObject();
            g.writeStringField("role", m.role());
            g.writeStringField("content", m.content());
            if (!m.toolCalls().isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (ToolCall c : m.toolCalls()) {
                    g.writeStartObject();
                    g.writeStringField("id", c.id());
                    g.writeStringField("name", c.name());
                    g.writeStringField("arguments", c.arguments());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (m.toolCallId() != null) {
                g.writeStringField("tool_call_id", m.toolCallId());
            }
            if (m.error()) {
                g.writeBooleanField("error", true);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static ChatRequest request(JsonNode n) {
        List<Message> messages = new ArrayList<>();
        for (JsonNode m : n.path(MESSAGES)) {
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode c : m.path("tool_calls")) {
                calls.add(new ToolCall(c.path("id").asText(), c.path("name").asText(), c.path("arguments").asText()));
            }
            messages.add(new Message(m.path("role").asText(), m.path("content").asText(), List.copyOf(calls),
                    m.hasNonNull("tool_call_id") ? m.get("tool_call_id").asText() : null, m.path("error").asBoolean(false)));
        }
        List<ToolSpec> tools = new ArrayList<>();
        for (JsonNode t : n.path(TOOLS)) {
            tools.add(new ToolSpec(t.path("name").asText(), t.path("description").asText(), t.path("schema").asText()));
        }
        ChatRequest.Reasoning reasoning = n.has(THINKING_BUDGET) ? ChatRequest.Reasoning.thinking(n.get(THINKING_BUDGET).asInt())
                : n.has(EFFORT) ? ChatRequest.Reasoning.effort(ChatRequest.Effort.valueOf(n.get(EFFORT).asText().toUpperCase(Locale.ROOT)))
                : ChatRequest.Reasoning.NONE;
        return new ChatRequest(List.copyOf(messages), n.path(MAX_TOKENS).asInt(), List.copyOf(tools),
                ChatRequest.ToolChoice.valueOf(n.path(TOOL_CHOICE).asText("auto").toUpperCase(Locale.ROOT)), n.path(PROMPT_CACHING).asBoolean(false),
                "1h".equals(n.path(CACHE_TTL).asText()) ? ChatRequest.CacheTtl.ONE_HOUR : ChatRequest.CacheTtl.FIVE_MINUTES, reasoning,
                n.path(EXACT_OUTPUT).asBoolean(false));
    }

    /** Receives each recorded attempt. */
    public interface Reader {
        void request(Recorded r) throws IOException;
    }

    /**
     * What reading found besides the requests.
     *
     * @param problems the first {@value #PROBLEMS_NAMED} bad lines, each {@code line N: why}
     */
    public record Reading(boolean present, long lines, long badLines, long firstBadLine, String firstProblem, List<String> problems) {
    }

    /** Bad lines named one by one when read. */
    static final int PROBLEMS_NAMED = 20;

    /**
     * Reads every attempt of {@code dir}'s file, in the order written. A damaged or cut-off line is
     * skipped and counted, the first named by its number; a file cut off mid-stream (a killed run)
     * reads up to where it ends.
     */
    public static Reading read(Path dir, Reader reader) throws IOException {
        java.io.InputStream raw;
        try {
            raw = Files.newInputStream(RunFile.REQUESTS.in(dir));
        } catch (NoSuchFileException missing) {
            return new Reading(false, 0, 0, -1, null, List.of());
        }
        long number = 0;
        long bad = 0;
        long firstBad = -1;
        String problem = null;
        List<String> problems = new ArrayList<>();
        GZIPInputStream unzipped;
        try {
            unzipped = new GZIPInputStream(raw, 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw new IOException(RunFile.REQUESTS + " is not a gzip file" + (e instanceof EOFException ? " (it is empty)" : ""));
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new EndAtCut(unzipped), StandardCharsets.UTF_8))) {
            String text;
            while (true) {
                try {
                    text = in.readLine();
                } catch (EOFException cut) {
                    break; // the stream of a killed run ends mid-block
                }
                if (text == null) {
                    break;
                }
                number++;
                if (text.isBlank()) {
                    continue;
                }
                Recorded r;
                try {
                    JsonNode n = JSON.readTree(text);
                    r = new Recorded(n.path(USER).asInt(), n.path(EPISODE).asLong(), n.path(ROLE).asText(), n.path(STEP).asInt(),
                            n.path(ATTEMPT).asInt(1), n.path(INTENDED_US).asLong(), request(n.path(REQUEST)), n.path(BODY).asText());
                } catch (IOException | RuntimeException e) {
                    bad++;
                    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                    if (firstBad < 0) {
                        firstBad = number;
                        problem = why;
                    }
                    if (problems.size() < PROBLEMS_NAMED) {
                        problems.add("line " + number + ": " + why);
                    }
                    continue;
                }
                reader.request(r);
            }
        }
        return new Reading(true, number, bad, firstBad, problem, List.copyOf(problems));
    }

    /** Merges the shards' files into {@code out}'s, in the order the requests were meant to leave ({@code soaklab merge}); a file cut off by a kill keeps what came before. */
    public static LineMerge.Result merge(java.util.List<Path> shardDirs, Path out) throws IOException {
        return LineMerge.merge(shardDirs.stream().map(RunFile.REQUESTS::in).toList(), RunFile.REQUESTS.in(out), true, LineMerge.Keep.ALL, INTENDED_US);
    }
}
