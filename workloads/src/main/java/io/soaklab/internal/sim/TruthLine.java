package io.soaklab.internal.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.internal.layout.RunFile;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One line of {@code sim-truth.jsonl}, the embedded endpoint's account of a request: the file's only
 * writer (the embedded endpoint's truth log hands it each {@link Entry}) and its only reader ({@link Cursor}, streaming).
 * Field meanings: {@code results/README.md}.
 *
 * @param id                  the request id it sent back
 * @param complete            whether the reply was played out to its end
 * @param firstTokenUs        when it wrote the first token, µs after arrival; -1 when never
 * @param firstTokenPlannedUs when it planned to
 * @param endUs               when it finished
 * @param plannedItlUs        the planned gap between tokens; -1 when not given
 * @param maxLateUs           how late it ever wrote a token against its plan; -1 when not given
 */
public record TruthLine(String id, boolean complete, long firstTokenUs, long firstTokenPlannedUs, long endUs, long plannedItlUs,
                        long maxLateUs) {

    /**
     * One request. Times are microseconds after its arrival, -1 when not reached.
     */
    public record Entry(String id, String api, long arrivalEpochMicros, int status, String outcome, String fault,
                 long promptTokens, long cachedTokens, long cacheWriteTokens, long cacheWrite1hTokens, long outputTokens, long reasoningTokens,
                 long queueMicros, long headersMicros, long firstTokenPlannedMicros, long firstTokenMicros,
                 long lastTokenPlannedMicros, long lastTokenMicros, long endMicros, long plannedItlMicros,
                 long maxLateMicros, double busyAtStart, double latencyFactor) {

        /** A request refused before it became a reply (bad path, method, key or body). */
        public static Entry refused(String id, String api, long arrivalEpochMicros, int status, String outcome, long endMicros) {
            return new Entry(id, api, arrivalEpochMicros, status, outcome, "none", 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1,
                    endMicros, 0, 0, 0, 1);
        }
    }

    static final String ID = "id";
    static final String API = "api";
    static final String ARRIVAL_US = "arrival_us";
    static final String STATUS = "status";
    static final String OUTCOME = "outcome";
    static final String FAULT = "fault";
    static final String PROMPT_TOKENS = "prompt_tokens";
    static final String CACHED_TOKENS = "cached_tokens";
    static final String CACHE_WRITE_TOKENS = "cache_write_tokens";
    static final String CACHE_WRITE_1H_TOKENS = "cache_write_1h_tokens";
    static final String OUTPUT_TOKENS = "output_tokens";
    static final String REASONING_TOKENS = "reasoning_tokens";
    static final String QUEUE_US = "queue_us";
    static final String HEADERS_US = "headers_us";
    static final String FIRST_TOKEN_PLANNED_US = "first_token_planned_us";
    static final String FIRST_TOKEN_US = "first_token_us";
    static final String LAST_TOKEN_PLANNED_US = "last_token_planned_us";
    static final String LAST_TOKEN_US = "last_token_us";
    static final String END_US = "end_us";
    static final String PLANNED_ITL_US = "planned_itl_us";
    static final String MAX_LATE_US = "max_late_us";
    static final String BUSY_AT_START = "busy_at_start";
    static final String LATENCY_FACTOR = "latency_factor";
    /** The outcome of a request played out to its end. */
    static final String COMPLETE = "complete";

    private static final JsonFactory JSON = new JsonFactory();

    /** The truth log of run folder {@code dir}. */
    public static Path in(Path dir) {
        return RunFile.SIM_TRUTH.in(dir);
    }

    public static void write(JsonGenerator g, Entry e) throws IOException {
        g.writeStartObject();
        g.writeStringField(ID, e.id());
        g.writeStringField(API, e.api());
        g.writeNumberField(ARRIVAL_US, e.arrivalEpochMicros());
        g.writeNumberField(STATUS, e.status());
        g.writeStringField(OUTCOME, e.outcome());
        g.writeStringField(FAULT, e.fault());
        g.writeNumberField(PROMPT_TOKENS, e.promptTokens());
        g.writeNumberField(CACHED_TOKENS, e.cachedTokens());
        g.writeNumberField(CACHE_WRITE_TOKENS, e.cacheWriteTokens());
        g.writeNumberField(CACHE_WRITE_1H_TOKENS, e.cacheWrite1hTokens());
        g.writeNumberField(OUTPUT_TOKENS, e.outputTokens());
        g.writeNumberField(REASONING_TOKENS, e.reasoningTokens());
        g.writeNumberField(QUEUE_US, e.queueMicros());
        g.writeNumberField(HEADERS_US, e.headersMicros());
        g.writeNumberField(FIRST_TOKEN_PLANNED_US, e.firstTokenPlannedMicros());
        g.writeNumberField(FIRST_TOKEN_US, e.firstTokenMicros());
        g.writeNumberField(LAST_TOKEN_PLANNED_US, e.lastTokenPlannedMicros());
        g.writeNumberField(LAST_TOKEN_US, e.lastTokenMicros());
        g.writeNumberField(END_US, e.endMicros());
        g.writeNumberField(PLANNED_ITL_US, e.plannedItlMicros());
        g.writeNumberField(MAX_LATE_US, e.maxLateMicros());
        g.writeNumberField(BUSY_AT_START, Math.round(e.busyAtStart() * 100) / 100.0);
        g.writeNumberField(LATENCY_FACTOR, Math.round(e.latencyFactor() * 1000) / 1000.0);
        g.writeEndObject();
    }

    /**
     * Opens {@code dir}'s truth log for reading line by line, or returns null when the run has none
     * (it did not use the embedded endpoint).
     */
    public static Cursor open(Path dir) throws IOException {
        try {
            return new Cursor(Files.newBufferedReader(in(dir), StandardCharsets.UTF_8));
        } catch (NoSuchFileException none) {
            return null;
        }
    }

    /** Reads the log one line at a time: a reader that walks it in step with another file. */
    public static final class Cursor implements Closeable {
        private final BufferedReader in;
        private boolean done;

        private Cursor(BufferedReader in) {
            this.in = in;
        }

        /** True once every line was read. */
        public boolean done() {
            return done;
        }

        /**
         * The next line, or null when it is not a readable entry (a line cut off, a blank line) or the
         * log has ended ({@link #done()}).
         */
        public TruthLine next() throws IOException {
            if (done) {
                return null;
            }
            String text = in.readLine();
            if (text == null) {
                done = true;
                return null;
            }
            return parse(text);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    static TruthLine parse(String line) {
        String id = null;
        long first = -1;
        long planned = -1;
        long end = -1;
        long itl = -1;
        long late = -1;
        boolean complete = false;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case ID -> id = p.getText();
                    case FIRST_TOKEN_US -> first = p.getLongValue();
                    case FIRST_TOKEN_PLANNED_US -> planned = p.getLongValue();
                    case END_US -> end = p.getLongValue();
                    case PLANNED_ITL_US -> itl = p.getLongValue();
                    case MAX_LATE_US -> late = p.getLongValue();
                    case OUTCOME -> complete = COMPLETE.equals(p.getText());
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return id == null ? null : new TruthLine(id, complete, first, planned, end, itl, late);
    }

    /** Merges the shards' files into {@code out}'s, in the order the requests arrived ({@code soaklab merge}): each shard's own endpoint's account. */
    public static io.soaklab.internal.record.LineMerge.Result merge(java.util.List<Path> shardDirs, Path out) throws IOException {
        return io.soaklab.internal.record.LineMerge.merge(shardDirs.stream().map(RunFile.SIM_TRUTH::in).toList(), RunFile.SIM_TRUTH.in(out), false,
                io.soaklab.internal.record.LineMerge.Keep.ALL, ARRIVAL_US);
    }
}
