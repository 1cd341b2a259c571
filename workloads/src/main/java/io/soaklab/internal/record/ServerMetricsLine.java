package io.soaklab.internal.record;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.internal.layout.RunFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code server-metrics.jsonl}: the server's own Prometheus series, one line per scrape of each
 * source, as they were read. The file's only writer and reader. To stay small over a night, a line
 * holds only the series whose value changed since the source's previous line (and those gone);
 * every {@value #FULL_EVERY}th line of a source, its first, and the first after a failed scrape hold
 * them all ({@code "full": true}), so that a reader can start again from any full line. A reader
 * is handed each scrape's whole state, rebuilt. Field meanings: {@code results/README.md}.
 *
 * <pre>{@code
 * ServerMetricsLine.read(dir, s -> System.out.println(s.epochMillis() + " " + s.values().get("vllm:num_requests_waiting{model_name=\"m\"}")));
 * }</pre>
 */
public final class ServerMetricsLine {

    /** A source's lines between two full ones, at most. */
    static final int FULL_EVERY = 60;

    static final String T_MS = "t_ms";
    static final String SOURCE = "source";
    static final String SERVER = "server";
    static final String FULL = "full";
    static final String TYPES = "types";
    static final String VALUES = "values";
    static final String GONE = "gone";
    static final String ERROR = "error";
    static final String CANONICAL = "canonical";
    static final String LE = "le";
    static final String COUNTS = "counts";
    static final String SUM = "sum";
    static final String COUNT = "count";

    private ServerMetricsLine() {
    }

    /**
     * One scrape of one source, whole.
     *
     * @param epochMillis when its answer arrived
     * @param source      the address scraped (never with credentials or a query)
     * @param server      the server it looked like ({@code vllm}, {@code sglang}...), or {@code unknown}
     * @param types       each family's type ({@code counter}, {@code gauge}, {@code histogram}...), by family name
     * @param values      every series' value, by series key ({@code name{label="value",...}}, labels as served)
     * @param canonical   the gauges and counters soaklab keeps per window, by canonical name ({@code requests_waiting}...), as read
     *                    from this scrape by the server's own names
     * @param histograms  the histograms it keeps per window ({@code server_ttft}...), label sets added together
     * @param error       why the scrape failed, or null; a failed scrape has no values
     */
    public record Scrape(long epochMillis, String source, String server, Map<String, String> types, Map<String, Double> values,
                         Map<String, Double> canonical, Map<String, Buckets> histograms, String error) {

        public boolean failed() {
            return error != null;
        }
    }

    /**
     * A cumulative histogram as served.
     *
     * @param bounds     the buckets' upper bounds, the last {@code +Inf}
     * @param cumulative how many observations were at most each bound
     * @param sum        the observations' sum
     * @param count      their count
     */
    public record Buckets(double[] bounds, double[] cumulative, double sum, double count) {
    }

    /** Receives each scrape; its maps are valid during the call only. */
    public interface Reader {
        void scrape(Scrape s);
    }

    /** Appends scrapes to a run folder's file; used by one scraping thread. */
    public static final class Writer implements AutoCloseable {
        private static final JsonFactory JSON = new JsonFactory();
        private final OutputStream out;
        private final Map<String, Last> last = new HashMap<>();

        /** What a source's previous line left a reader with. */
        private static final class Last {
            final Map<String, Double> values = new HashMap<>();
            final Map<String, String> types = new HashMap<>();
            int sinceFull;
            boolean failed;
        }

        public Writer(Path dir) throws IOException {
            this.out = new BufferedOutputStream(Files.newOutputStream(RunFile.SERVER_METRICS.in(dir), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND));
        }

        /** A scrape that answered: only what changed since this source's previous line is written, unless it is time for a full one. */
        public synchronized void scrape(long epochMillis, String source, String server, Map<String, String> types, Map<String, Double> values,
                                        Map<String, Double> canonical, Map<String, Buckets> histograms) throws IOException {
            Last l = last.computeIfAbsent(source, k -> new Last());
            boolean full = l.failed || l.sinceFull == 0 || l.sinceFull >= FULL_EVERY;
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(8192);
            try (JsonGenerator g = JSON.createGenerator(line, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeNumberField(T_MS, epochMillis);
                g.writeStringField(SOURCE, source);
                g.writeStringField(SERVER, server);
                if (full) {
                    g.writeBooleanField(FULL, true);
                }
                g.writeObjectFieldStart(TYPES);
                for (Map.Entry<String, String> t : types.entrySet()) {
                    if (full || !t.getValue().equals(l.types.get(t.getKey()))) {
                        g.writeStringField(t.getKey(), t.getValue());
                    }
                }
                g.writeEndObject();
                g.writeObjectFieldStart(VALUES);
                for (Map.Entry<String, Double> v : values.entrySet()) {
                    Double before = l.values.get(v.getKey());
                    if (full || before == null || Double.compare(before, v.getValue()) != 0) {
                        g.writeFieldName(v.getKey());
                        number(g, v.getValue());
                    }
                }
                g.writeEndObject();
                if (!full) {
                    boolean any = false;
                    for (String key : l.values.keySet()) {
                        if (!values.containsKey(key)) {
                            if (!any) {
                                g.writeArrayFieldStart(GONE);
                                any = true;
                            }
                            g.writeString(key);
                        }
                    }
                    if (any) {
                        g.writeEndArray();
                    }
                }
                g.writeObjectFieldStart(CANONICAL);
                for (Map.Entry<String, Double> c : canonical.entrySet()) {
                    g.writeFieldName(c.getKey());
                    number(g, c.getValue());
                }
                for (Map.Entry<String, Buckets> h : histograms.entrySet()) {
                    Buckets b = h.getValue();
                    g.writeObjectFieldStart(h.getKey());
                    g.writeArrayFieldStart(LE);
                    for (double bound : b.bounds()) {
                        number(g, bound);
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart(COUNTS);
                    for (double c : b.cumulative()) {
                        number(g, c);
                    }
                    g.writeEndArray();
                    g.writeFieldName(SUM);
                    number(g, b.sum());
                    g.writeFieldName(COUNT);
                    number(g, b.count());
                    g.writeEndObject();
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            line.write('\n');
            line.writeTo(out); // whole or not at all: a line that failed to build is never half in the file
            out.flush();
            l.values.clear();
            l.values.putAll(values);
            l.types.clear();
            l.types.putAll(types);
            l.failed = false;
            l.sinceFull = full ? 1 : l.sinceFull + 1;
        }

        /** A scrape that failed: why, in a few words. */
        public synchronized void failed(long epochMillis, String source, String error) throws IOException {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
            try (JsonGenerator g = JSON.createGenerator(line, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeNumberField(T_MS, epochMillis);
                g.writeStringField(SOURCE, source);
                g.writeStringField(ERROR, error);
                g.writeEndObject();
            }
            line.write('\n');
            line.writeTo(out);
            out.flush();
            last.computeIfAbsent(source, k -> new Last()).failed = true;
        }

        @Override
        public synchronized void close() throws IOException {
            out.close();
        }

        private static void number(JsonGenerator g, double v) throws IOException {
            if (Double.isNaN(v)) {
                g.writeString("NaN");
            } else if (Double.isInfinite(v)) {
                g.writeString(v > 0 ? "+Inf" : "-Inf");
            } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                g.writeNumber((long) v);
            } else {
                g.writeNumber(v);
            }
        }
    }

    /**
     * Reads every scrape of {@code dir}'s file, in order, each rebuilt whole. A line cut off (a run
     * killed while writing it) or damaged is skipped, and so are the change lines after it of every
     * source known before it, up to that source's next full line: the damaged line may have held
     * its changes, and a state rebuilt without them would be wrong.
     *
     * @return false when the run has no such file (the server's metrics were not scraped)
     */
    public static boolean read(Path dir, Reader reader) throws IOException {
        Map<String, Map<String, Double>> values = new HashMap<>();
        Map<String, Map<String, String>> types = new HashMap<>();
        java.util.Set<String> stale = new java.util.HashSet<>();
        return TreeLine.read(RunFile.SERVER_METRICS.in(dir), new TreeLine.Handler() {
            @Override
            public void line(JsonNode n) {
                long t = n.path(T_MS).asLong(-1);
                String source = n.path(SOURCE).asText("");
                if (t < 0 || source.isEmpty()) {
                    return;
                }
                if (n.hasNonNull(ERROR)) {
                    reader.scrape(new Scrape(t, source, "unknown", Map.of(), Map.of(), Map.of(), Map.of(), n.path(ERROR).asText()));
                    return;
                }
                Map<String, Double> v = values.computeIfAbsent(source, k -> new LinkedHashMap<>());
                Map<String, String> ty = types.computeIfAbsent(source, k -> new LinkedHashMap<>());
                boolean full = n.path(FULL).asBoolean(false);
                if (full) {
                    v.clear();
                    ty.clear();
                    stale.remove(source);
                } else if (stale.contains(source)) {
                    return; // a damaged line may have held this source's changes: what it had is not known until its next full line
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = n.path(TYPES).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    ty.put(e.getKey(), e.getValue().asText());
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = n.path(VALUES).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    v.put(e.getKey(), value(e.getValue()));
                }
                for (JsonNode gone : n.path(GONE)) {
                    v.remove(gone.asText());
                }
                Map<String, Double> canonical = new LinkedHashMap<>();
                Map<String, Buckets> histograms = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.path(CANONICAL).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode c = e.getValue();
                    if (c.isObject()) {
                        double[] le = doubles(c.path(LE));
                        double[] counts = doubles(c.path(COUNTS));
                        if (le.length == counts.length && le.length > 0) {
                            histograms.put(e.getKey(), new Buckets(le, counts, value(c.path(SUM)), value(c.path(COUNT))));
                        }
                    } else {
                        canonical.put(e.getKey(), value(c));
                    }
                }
                reader.scrape(new Scrape(t, source, n.path(SERVER).asText("unknown"), Collections.unmodifiableMap(ty),
                        Collections.unmodifiableMap(v), canonical, histograms, null));
            }

            @Override
            public void bad(long number, boolean last, String why) {
                // a cut-off last line, or one damaged: every source's state is in doubt until its next full line
                stale.addAll(values.keySet());
            }
        });
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = value(array.get(i));
        }
        return out;
    }

    private static double value(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        return switch (n.asText()) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }

    /**
     * Merges the shards' files into {@code out}'s ({@code soaklab merge}). Shards that watched the same
     * server scraped it each: of each source, only the scrapes of the shard that has the most that
     * answered are kept (the lowest shard of equals), whole, so the server is counted once and its
     * lines still read as one sequence (a change line follows its own source's previous line).
     */
    public static LineMerge.Result merge(java.util.List<Path> shardDirs, Path out) throws IOException {
        java.util.Map<String, long[]> keeper = new java.util.HashMap<>(); // source -> {shard, its lines}
        for (int i = 0; i < shardDirs.size(); i++) {
            java.util.Map<String, Long> counts = new java.util.HashMap<>();
            LineMerge.lines(RunFile.SERVER_METRICS.in(shardDirs.get(i)), line -> {
                String source = LineMerge.text(line, SOURCE);
                if (source != null && LineMerge.text(line, ERROR) == null) { // scrapes that answered: a shard that never reached the server is not kept
                    counts.merge(source, 1L, Long::sum);
                }
            });
            int shard = i;
            counts.forEach((source, n) -> keeper.merge(source, new long[] {shard, n}, (a, b) -> b[1] > a[1] ? b : a));
        }
        return LineMerge.merge(shardDirs.stream().map(RunFile.SERVER_METRICS::in).toList(), RunFile.SERVER_METRICS.in(out), false,
                (shard, line) -> {
                    long[] k = keeper.get(LineMerge.text(line, SOURCE));
                    return k != null && k[0] == shard;
                }, T_MS);
    }
}
