package io.soaklab.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite: what real servers send (OpenAI, Azure OpenAI, vLLM, SGLang, llama.cpp's
 * server, Ollama, TGI, OpenRouter, Anthropic), written from their documentation and source into
 * {@code src/test/resources/transcripts/} (format: its README), replayed byte for byte over a real
 * socket, and soaklab's result checked against each transcript's expectations: outcome, usage,
 * content, tool calls, flags, and that the first token is the event marked {@code @first-token},
 * never an earlier one. A new quirk is a new transcript.
 */
class ConformanceTest {

    /** Pause before the event marked as the first token: any earlier event arrives well before it. */
    private static final long PAUSE_MS = 40;

    /** One transcript, parsed. */
    record Transcript(String name, Map<String, String> header, List<String> expect, byte[] head, List<byte[]> events,
                      int firstTokenEvent, boolean stream) {

        String option(String key, String otherwise) {
            return header.getOrDefault(key, otherwise);
        }
    }

    static Stream<String> transcripts() throws IOException, URISyntaxException {
        URL dir = ConformanceTest.class.getResource("/transcripts");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList().stream();
        }
    }

    @Test
    void theSuiteCoversEveryServerSoaklabTalksTo() throws Exception {
        List<String> names = transcripts().toList();
        for (String server : new String[] {"openai", "azure", "vllm", "sglang", "llamacpp", "ollama", "tgi", "anthropic", "openrouter", "generic"}) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(server + "-")), "a transcript of " + server);
        }
        assertTrue(names.size() >= 40, names.size() + " transcripts");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transcripts")
    void replaysAsTheServerSentIt(String file) throws Exception {
        Transcript t = parse(file);
        AtomicLong firstTokenSentAt = new AtomicLong(-1);
        try (ScriptedServer server = new ScriptedServer((socket, out) -> replay(t, out, firstTokenSentAt));
             ModelClient client = client(t, server)) {
            int cap = Integer.parseInt(t.option("request", "max_tokens=256").replace("max_tokens=", "").strip());
            CallResult r = client.send(new ChatRequest(List.of(Message.user("Hello")), cap), System.nanoTime()).join();
            check(t, r, firstTokenSentAt.get());
        }
    }

    private static ModelClient client(Transcript t, ScriptedServer server) {
        ClientConfig config = ClientConfig.builder(server.baseUrl()).model("conformance").apiKey("sk-conformance-not-real")
                .connectTimeout(Duration.ofSeconds(5)).firstTokenTimeout(Duration.ofSeconds(20)).idleTimeout(Duration.ofSeconds(20))
                .totalTimeout(Duration.ofSeconds(30)).build();
        return ModelClient.of(Api.of(t.option("api", "openai")), config, new Recorder(3));
    }

    private static void replay(Transcript t, OutputStream out, AtomicLong firstTokenSentAt) throws Exception {
        out.write(t.head());
        out.flush();
        for (int i = 0; i < t.events().size(); i++) {
            byte[] event = t.events().get(i);
            if (i == t.firstTokenEvent()) {
                Thread.sleep(PAUSE_MS); // every earlier event is on the wire and flushed: a client counting one of them is early
                firstTokenSentAt.set(System.nanoTime());
            }
            if (t.stream()) {
                ScriptedServer.chunk(out, event, 0, event.length);
            } else {
                out.write(event);
                out.flush();
            }
        }
        if (t.stream()) {
            ScriptedServer.end(out);
        }
    }

    private static void check(Transcript t, CallResult r, long firstTokenSentAt) {
        String where = t.name() + ": " + r.error().wireName() + " (" + r.errorDetail() + ")";
        for (String line : t.expect()) {
            int tilde = line.indexOf('~');
            int eq = line.indexOf('=');
            if (tilde > 0 && (eq < 0 || tilde < eq)) {
                String key = line.substring(0, tilde).strip();
                String text = line.substring(tilde + 1).strip();
                assertEquals("detail", key, where + ": only detail~ is a substring expectation");
                assertTrue(r.errorDetail() != null && r.errorDetail().contains(text), where + ": detail should contain '" + text + "'");
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            switch (key) {
                case "error" -> assertEquals(value, r.error().wireName(), where);
                case "status" -> assertEquals(Integer.parseInt(value), r.status(), where);
                case "content" -> assertEquals(value.replace("\\n", "\n"), r.content(), where);
                case "chunks" -> assertEquals(Integer.parseInt(value), r.contentChunks(), where + ": content chunks");
                case "finish" -> assertEquals(value, r.finishReason(), where + ": finish reason");
                case "prompt_tokens" -> assertEquals(Long.parseLong(value), r.usage().promptTokens(), where + ": prompt tokens");
                case "completion_tokens" -> assertEquals(Long.parseLong(value), r.usage().completionTokens(), where + ": completion tokens");
                case "cached_tokens" -> assertEquals(Long.parseLong(value), r.usage().cachedTokens(), where + ": cached tokens");
                case "reasoning_tokens" -> assertEquals(Long.parseLong(value), r.usage().reasoningTokens(), where + ": reasoning tokens");
                case "cache_write_tokens" -> assertEquals(Long.parseLong(value), r.usage().cacheWriteTokens(), where + ": cache writes");
                case "usage" -> assertEquals(value, r.usage().source().wireName(), where + ": usage source");
                case "tool_calls" -> assertEquals(Integer.parseInt(value), r.toolCalls().size(), where + ": tool calls");
                case "flags" -> assertEquals(flags(value), r.flags(), where + ": flags");
                default -> {
                    if (key.startsWith("tool_call.")) {
                        String[] parts = key.split("\\.");
                        ToolCall call = r.toolCalls().get(Integer.parseInt(parts[1]));
                        assertEquals(value, parts[2].equals("name") ? call.name() : call.arguments(), where + ": " + key);
                    } else {
                        fail(t.name() + ": unknown expectation '" + key + "'");
                    }
                }
            }
        }
        if (t.firstTokenEvent() >= 0) {
            assertTrue(r.firstTokenNanos() >= 0, where + ": a first token");
            assertTrue(r.intendedNanos() + r.firstTokenNanos() >= firstTokenSentAt,
                    where + ": the first token was counted before the server sent the event marked @first-token");
        } else {
            assertEquals(-1, r.firstTokenNanos(), where + ": no event carries content, so no first token");
        }
    }

    private static Set<CallFlag> flags(String value) {
        Set<CallFlag> out = EnumSet.noneOf(CallFlag.class);
        for (String f : value.split(",")) {
            if (!f.isBlank()) {
                out.add(CallFlag.ofWireName(f.strip()));
            }
        }
        return out;
    }

    /** Reads a transcript: {@code # key: value} lines, the status line and headers, then the body byte for byte. */
    static Transcript parse(String name) throws IOException {
        byte[] bytes;
        try (InputStream in = ConformanceTest.class.getResourceAsStream("/transcripts/" + name)) {
            bytes = in.readAllBytes();
        }
        Map<String, String> header = new LinkedHashMap<>();
        List<String> expect = new ArrayList<>();
        int pos = 0;
        while (bytes[pos] == '#') {
            int end = indexOf(bytes, (byte) '\n', pos);
            String line = new String(bytes, pos + 1, end - pos - 1, StandardCharsets.UTF_8).strip();
            int colon = line.indexOf(':');
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("expect")) {
                expect.add(value);
            } else {
                header.put(key, value);
            }
            pos = end + 1;
        }
        StringBuilder head = new StringBuilder();
        boolean stream = false;
        while (true) {
            int end = indexOf(bytes, (byte) '\n', pos);
            String line = new String(bytes, pos, end - pos, StandardCharsets.ISO_8859_1).replace("\r", "");
            pos = end + 1;
            if (line.isEmpty()) {
                break;
            }
            stream |= line.toLowerCase().startsWith("content-type: text/event-stream");
            head.append(line).append("\r\n");
        }
        boolean crlf = "crlf".equals(header.get("line-ends"));
        List<byte[]> events = new ArrayList<>();
        int firstToken = -1;
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (pos < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', pos);
            boolean hasEnd = end < bytes.length;
            int lineEnd = hasEnd && end > pos && bytes[end - 1] == '\r' ? end - 1 : end;
            String text = new String(bytes, pos, lineEnd - pos, StandardCharsets.UTF_8);
            if (text.equals("@first-token")) {
                firstToken = events.size();
            } else if (text.startsWith("@")) {
                fail(name + ": unknown directive " + text);
            } else {
                event.write(bytes, pos, lineEnd - pos);
                if (hasEnd) {
                    event.write(crlf ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
                }
                if (text.isEmpty() && stream) { // a blank line ends an event: one HTTP chunk
                    events.add(event.toByteArray());
                    event.reset();
                }
            }
            pos = end + 1;
        }
        if (event.size() > 0) {
            events.add(event.toByteArray());
        }
        if (!stream) {
            for (byte[] e : events) {
                body.write(e);
            }
            events = List.of(body.toByteArray());
            head.append("Content-Length: ").append(body.size()).append("\r\n");
        } else {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        return new Transcript(name, header, expect, head.toString().getBytes(StandardCharsets.ISO_8859_1), events, firstToken, stream);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }
}
