package io.soaklab.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.cost.PriceCatalog;
import io.soaklab.cost.Tariff;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.record.Metric;
import io.soaklab.record.RunRecorder;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * A run folder read back from its files alone: what {@code soaklab report} works from. Files are
 * streamed; memory grows with the number of windows and steps, not with the number of calls. A
 * run that was killed reads as far as its files go, and {@link #notes()} says what was cut off.
 *
 * <pre>{@code
 * RunData run = RunData.load(Path.of("results/20261121-230000-coding-agent"));
 * Percentiles ttft = run.totals().get(Metric.TTFT);
 * }</pre>
 */
public final class RunData {

    /** Steps beyond this index are pooled into the last bucket. */
    static final int MAX_STEPS = 200;
    private static final int ERROR_SAMPLES = 3;
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper TREE = new ObjectMapper();

    /**
     * Totals of the measured calls.
     *
     * @param calls             calls that ended in measured windows (a retried call once)
     * @param attempts          attempts, retries included
     * @param errors            calls that failed after their last attempt, by class
     * @param attemptErrors     failed attempts by class, retried or not
     * @param promptTokens      input tokens
     * @param completionTokens  output tokens
     * @param cachedTokens      input tokens served from cache
     * @param estimatedCalls    calls whose usage was counted locally
     * @param spend             at the run's tariff (zero when the run is not priced)
     * @param warmupCalls       calls made during warmup (not in any figure)
     * @param unwindowedCalls   measured calls after the last window in the histograms log (a cut-off run)
     */
    public record CallTotals(long calls, long attempts, Map<ErrorClass, Long> errors, Map<ErrorClass, Long> attemptErrors,
                             long promptTokens, long completionTokens, long cachedTokens, long estimatedCalls, BigDecimal spend,
                             long warmupCalls, long unwindowedCalls) {
        public long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        public long retries() {
            return attempts - calls;
        }
    }

    /**
     * Successful calls at one step index of their agent's lane.
     *
     * @param step               step index (the last bucket pools all later steps)
     * @param calls              calls
     * @param meanPromptTokens   their mean prompt size
     * @param e2e                their end-to-end latency
     */
    public record StepStats(int step, long calls, double meanPromptTokens, Percentiles e2e) {
    }

    /**
     * Calls of one role ({@code agent}, {@code coordinator}, a specialist, a resume arm).
     *
     * @param calls     calls (a retried call once)
     * @param failed    calls that failed after their last attempt
     * @param attempts  attempts, retries included
     * @param prompt    input tokens of every attempt
     * @param completion output tokens
     * @param cached    input tokens served from cache
     * @param ttft      time to first token of successful calls, from the first attempt's intended start
     * @param e2e       their end-to-end latency, likewise
     */
    public record RoleStats(long calls, long failed, long attempts, long prompt, long completion, long cached, Percentiles ttft,
                            Percentiles e2e) {
    }

    /**
     * JMH's own figure for the benchmark, from {@code jmh.json}: the {@code calls} counter when
     * there is one, else the primary score.
     *
     * @param benchmark the benchmark method, with {@code :calls} for the counter
     * @param score     mean over iterations
     * @param error     99.9% confidence half-width, NaN when not computable
     * @param unit      e.g. ops/s
     */
    public record JmhScore(String benchmark, double score, double error, String unit) {
    }

    private final Path dir;
    private final RunManifest manifest;
    private final RunStatus status;
    private final List<WindowStats> windows;
    private final Map<Metric, Percentiles> totals;
    private final CallTotals calls;
    private final List<StepStats> steps;
    private final Episodes episodes;
    private final Map<String, RoleStats> roles;
    private final Costs costs;
    private final PriceCatalog catalog;
    private final Map<ErrorClass, List<String>> errorSamples;
    private final JmhScore jmh;
    private final Fidelity fidelity;
    private final List<String> notes;

    private RunData(Path dir, RunManifest manifest, RunStatus status, List<WindowStats> windows,
                    Map<Metric, Percentiles> totals, CallTotals calls, List<StepStats> steps, Episodes episodes, Map<String, RoleStats> roles,
                    Costs costs, PriceCatalog catalog,
                    Map<ErrorClass, List<String>> errorSamples, JmhScore jmh, Fidelity fidelity, List<String> notes) {
        this.dir = dir;
        this.manifest = manifest;
        this.status = status;
        this.windows = windows;
        this.totals = totals;
        this.calls = calls;
        this.steps = steps;
        this.episodes = episodes;
        this.roles = roles;
        this.costs = costs;
        this.catalog = catalog;
        this.errorSamples = errorSamples;
        this.jmh = jmh;
        this.fidelity = fidelity;
        this.notes = notes;
    }

    /**
     * Reads the run in {@code dir}.
     *
     * @throws IOException when {@code dir} is not a run folder
     */
    public static RunData load(Path dir) throws IOException {
        RunManifest manifest = RunManifest.read(dir);
        RunStatus status = manifest.orphaned() ? RunStatus.CRASHED : manifest.status();
        List<String> notes = new ArrayList<>();
        PriceCatalog catalog = catalogOf(dir, notes);
        Costs costs = costs(dir, manifest, catalog, notes);

        Histograms histograms = readHistograms(dir.resolve(RunRecorder.HISTOGRAMS), notes);
        Calls c = readCalls(dir.resolve(RunRecorder.CALLS), histograms.windows.size(), notes);
        Episodes episodes = Episodes.read(dir, notes);
        List<WindowStats.Generator> generator = readGenerator(dir.resolve(RunRecorder.GENERATOR));

        List<WindowStats> windows = new ArrayList<>();
        for (int i = 0; i < histograms.windows.size(); i++) {
            WindowBuilder w = histograms.windows.get(i);
            Counts counts = i < c.perWindow.size() ? c.perWindow.get(i) : new Counts();
            windows.add(new WindowStats(i, w.start, w.end, Collections.unmodifiableMap(w.latency), counts.calls,
                    counts.attempts, counts.errorMap(), counts.prompt, counts.completion, costs == null ? BigDecimal.ZERO : costs.window(i),
                    episodes.probesInWindow(i), i < generator.size() && generator.get(i) != null ? generator.get(i) : WindowStats.Generator.UNKNOWN));
        }
        Map<Metric, Percentiles> totals = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            totals.put(m, Percentiles.of(histograms.totals.get(m)));
        }
        Counts all = c.all;
        CallTotals callTotals = new CallTotals(all.calls, all.attempts, all.errorMap(), all.attemptErrorMap(), all.prompt, all.completion,
                all.cached, all.estimated, costs == null ? BigDecimal.ZERO : costs.total(), c.warmup, c.unwindowed);
        if (status == RunStatus.CRASHED) {
            notes.add(0, "The run did not finish: its process ended without writing an end status. Everything it recorded up to then is shown.");
        }
        if (c.unwindowed > 0) {
            notes.add(c.unwindowed + " calls ended after the last complete window; they count in the totals from calls.jsonl but not in the latency percentiles.");
        }
        return new RunData(dir, manifest, status, List.copyOf(windows), Collections.unmodifiableMap(totals), callTotals,
                c.steps(), episodes, c.roles(), costs, catalog, c.samples, readJmh(dir.resolve("jmh.json"), notes), Fidelity.measure(dir), List.copyOf(notes));
    }

    public Path dir() {
        return dir;
    }

    public RunManifest manifest() {
        return manifest;
    }

    /** The run's status; a run left "running" by a dead process reads as crashed. */
    public RunStatus status() {
        return status;
    }

    public List<WindowStats> windows() {
        return windows;
    }

    /** Latency over all measured windows, per metric. */
    public Map<Metric, Percentiles> totals() {
        return totals;
    }

    public CallTotals calls() {
        return calls;
    }

    /** Successful calls by step index: how latency follows context size. */
    public List<StepStats> steps() {
        return steps;
    }

    /** Episodes that ended during measurement, and what happened inside them. */
    public Episodes episodes() {
        return episodes;
    }

    /** What the run cost, at the prices it kept; null when it is not priced. */
    public Costs costs() {
        return costs;
    }

    /** The price catalog the run is priced with: its own copy, or today's list prices for a run that kept none. */
    public PriceCatalog catalog() {
        return catalog;
    }

    private static PriceCatalog catalogOf(Path dir, List<String> notes) {
        PriceCatalog catalog = PriceCatalog.readFrom(dir);
        if (catalog == null) {
            catalog = PriceCatalog.builtIn();
            notes.add("The run kept no copy of its prices; it is priced at soaklab's list prices " + catalog.version() + ".");
        }
        return catalog;
    }

    /** The run's costs at its catalog's prices, or null when it is not priced. */
    static Costs costs(Path dir, RunManifest manifest, PriceCatalog catalog, List<String> notes) throws IOException {
        Tariff tariff;
        try {
            tariff = manifest.config().tariff(catalog);
        } catch (IllegalArgumentException e) {
            notes.add("Not priced: " + e.getMessage());
            return null;
        }
        return tariff == null ? null : Costs.of(dir, tariff);
    }

    /** Calls by role, in order of first appearance. */
    public Map<String, RoleStats> roles() {
        return roles;
    }

    /** A few error details per class, as the server or the client described them. */
    public Map<ErrorClass, List<String>> errorSamples() {
        return errorSamples;
    }

    /** JMH's score, or {@code null} when there is no {@code jmh.json}. */
    public JmhScore jmh() {
        return jmh;
    }

    /** Measured against the embedded endpoint's own log, or {@code null} without one. */
    public Fidelity fidelity() {
        return fidelity;
    }

    /** What could not be read, or what the reader should know. */
    public List<String> notes() {
        return notes;
    }

    /** Measured seconds: the sum of window lengths. */
    public double measuredSeconds() {
        return windows.stream().mapToDouble(WindowStats::seconds).sum();
    }

    // ---- histograms.hlog ---------------------------------------------------------------------

    private static final class WindowBuilder {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        final Map<Metric, Percentiles> latency = new EnumMap<>(Metric.class);
    }

    private static final class Histograms {
        final List<WindowBuilder> windows = new ArrayList<>();
        final Map<Metric, Histogram> totals = new EnumMap<>(Metric.class);
    }

    private static Histograms readHistograms(Path file, List<String> notes) throws IOException {
        Histograms out = new Histograms();
        for (Metric m : Metric.values()) {
            out.totals.put(m, new Histogram(3));
        }
        if (!Files.exists(file)) {
            notes.add(RunRecorder.HISTOGRAMS + " is missing: no latency percentiles.");
            return out;
        }
        Map<Metric, Integer> seen = new EnumMap<>(Metric.class);
        try (HistogramLogReader reader = new HistogramLogReader(file.toFile())) {
            while (true) {
                EncodableHistogram e;
                try {
                    e = reader.nextIntervalHistogram();
                } catch (RuntimeException damaged) {
                    notes.add(RunRecorder.HISTOGRAMS + " ends with a damaged line (the run was cut off while writing it); earlier windows are intact.");
                    break;
                }
                if (e == null) {
                    break;
                }
                Metric metric = metricOf(e.getTag());
                if (metric == null || !(e instanceof Histogram h)) {
                    continue;
                }
                int index = seen.merge(metric, 1, Integer::sum) - 1;
                while (out.windows.size() <= index) {
                    out.windows.add(new WindowBuilder());
                }
                WindowBuilder w = out.windows.get(index);
                w.start = Math.min(w.start, h.getStartTimeStamp());
                w.end = Math.max(w.end, h.getEndTimeStamp());
                w.latency.put(metric, Percentiles.of(h));
                out.totals.get(metric).add(h);
            }
        }
        return out;
    }

    private static Metric metricOf(String tag) {
        if (tag == null) {
            return null;
        }
        try {
            return Metric.ofTag(tag);
        } catch (IllegalArgumentException e) {
            return null; // a tag from a newer soaklab: ignored
        }
    }

    // ---- calls.jsonl ---------------------------------------------------------------------------

    private static final class Counts {
        long calls;
        long attempts;
        long prompt;
        long completion;
        long cached;
        long estimated;
        final long[] errors = new long[ErrorClass.values().length];
        final long[] attemptErrors = new long[ErrorClass.values().length];

        Map<ErrorClass, Long> errorMap() {
            return map(errors);
        }

        Map<ErrorClass, Long> attemptErrorMap() {
            return map(attemptErrors);
        }

        private static Map<ErrorClass, Long> map(long[] counts) {
            Map<ErrorClass, Long> m = new LinkedHashMap<>();
            for (ErrorClass c : ErrorClass.values()) {
                if (c != ErrorClass.OK && counts[c.ordinal()] > 0) {
                    m.put(c, counts[c.ordinal()]);
                }
            }
            return Collections.unmodifiableMap(m);
        }
    }

    private static final class StepBucket {
        long calls;
        double promptSum;
        final Histogram e2e = new Histogram(3);
    }

    private static final class RoleBucket {
        long calls;
        long failed;
        long attempts;
        long prompt;
        long completion;
        long cached;
        final Histogram ttft = new Histogram(3);
        final Histogram e2e = new Histogram(3);
    }

    private static final class Calls {
        final Map<String, RoleBucket> byRole = new LinkedHashMap<>();
        final List<Counts> perWindow = new ArrayList<>();
        final Counts all = new Counts();
        final TreeMap<Integer, StepBucket> byStep = new TreeMap<>();
        final Map<ErrorClass, List<String>> samples = new EnumMap<>(ErrorClass.class);
        long warmup;
        long unwindowed;

        Map<String, RoleStats> roles() {
            Map<String, RoleStats> out = new LinkedHashMap<>();
            byRole.forEach((role, b) -> out.put(role, new RoleStats(b.calls, b.failed, b.attempts, b.prompt, b.completion, b.cached,
                    Percentiles.of(b.ttft), Percentiles.of(b.e2e))));
            return Collections.unmodifiableMap(out);
        }

        List<StepStats> steps() {
            List<StepStats> out = new ArrayList<>();
            byStep.forEach((step, b) -> out.add(new StepStats(step, b.calls, b.promptSum / b.calls, Percentiles.of(b.e2e))));
            return List.copyOf(out);
        }
    }

    /** One line's fields that the analysis uses. */
    private static final class Line {
        boolean warmup;
        int window;
        int step;
        String role;
        boolean last;
        long e2e;
        long ttft;
        long callE2e;
        long callTtft;
        ErrorClass error = ErrorClass.OK;
        String detail;
        long prompt;
        long completion;
        long cached;
        boolean estimated;

        void clear() {
            warmup = false;
            window = 0;
            step = 0;
            role = "agent";
            last = true;
            e2e = -1;
            ttft = -1;
            callE2e = -1;
            callTtft = -1;
            error = ErrorClass.OK;
            detail = null;
            prompt = 0;
            completion = 0;
            cached = 0;
            estimated = false;
        }
    }

    /** The generator's figures per measured window; an older run has none. */
    private static List<WindowStats.Generator> readGenerator(Path file) throws IOException {
        List<WindowStats.Generator> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode n;
            try {
                n = TREE.readTree(line);
            } catch (IOException cutOff) {
                continue;
            }
            if (n == null || !"measure".equals(n.path("phase").asText())) {
                continue;
            }
            int w = n.path("window").asInt(-1);
            if (w < 0) {
                continue;
            }
            while (out.size() <= w) {
                out.add(null);
            }
            out.set(w, new WindowStats.Generator(n.path("gc_ms").asLong(-1), n.has("cpu") ? n.get("cpu").asDouble() : Double.NaN,
                    n.has("system_cpu") ? n.get("system_cpu").asDouble() : Double.NaN, n.path("heap_mb").asLong(-1)));
        }
        return out;
    }

    private static Calls readCalls(Path file, int windows, List<String> notes) throws IOException {
        Calls out = new Calls();
        if (!Files.exists(file)) {
            notes.add(RunRecorder.CALLS + " is missing: no call counts.");
            return out;
        }
        Line line = new Line();
        long number = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = reader.readLine()) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                line.clear();
                try {
                    parseCall(text, line);
                } catch (IOException | IllegalArgumentException bad) {
                    boolean last = !reader.ready();
                    notes.add(RunRecorder.CALLS + " line " + number + (last
                            ? " is incomplete (the run was cut off while writing it) and was skipped."
                            : " is not a call record and was skipped: " + bad.getMessage()));
                    continue;
                }
                add(out, line, windows);
            }
        }
        return out;
    }

    private static void parseCall(String text, Line line) throws IOException {
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "phase" -> line.warmup = "warmup".equals(p.getText());
                    case "window" -> line.window = p.getIntValue();
                    case "step" -> line.step = p.getIntValue();
                    case "role" -> line.role = p.getText();
                    case "last" -> line.last = p.getBooleanValue();
                    case "e2e_us" -> line.e2e = p.getLongValue();
                    case "ttft_us" -> line.ttft = p.getLongValue();
                    case "call_e2e_us" -> line.callE2e = p.getLongValue();
                    case "call_ttft_us" -> line.callTtft = p.getLongValue();
                    case "error" -> line.error = ErrorClass.ofWireName(p.getText());
                    case "error_detail" -> line.detail = p.getText();
                    case "prompt_tokens" -> line.prompt = p.getLongValue();
                    case "completion_tokens" -> line.completion = p.getLongValue();
                    case "cached_tokens" -> line.cached = p.getLongValue();
                    case "usage" -> line.estimated = "estimated".equals(p.getText());
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("truncated");
            }
        }
    }

    private static void add(Calls out, Line line, int windows) {
        if (line.warmup) {
            if (line.last) {
                out.warmup++;
            }
            return;
        }
        count(out.all, line);
        if (line.window >= windows) {
            if (line.last) {
                out.unwindowed++;
            }
        } else if (line.window >= 0) {
            while (out.perWindow.size() <= line.window) {
                out.perWindow.add(new Counts());
            }
            count(out.perWindow.get(line.window), line);
        }
        RoleBucket role = out.byRole.computeIfAbsent(line.role, r -> new RoleBucket());
        role.attempts++;
        role.prompt += line.prompt;
        role.completion += line.completion;
        role.cached += line.cached;
        long e2e = line.callE2e >= 0 ? line.callE2e : line.e2e;
        long ttft = line.callTtft >= 0 ? line.callTtft : line.ttft;
        if (line.last) {
            role.calls++;
            if (line.error != ErrorClass.OK) {
                role.failed++;
            } else {
                record(role.e2e, e2e);
                record(role.ttft, ttft);
            }
        }
        if (line.error == ErrorClass.OK) {
            StepBucket b = out.byStep.computeIfAbsent(Math.min(line.step, MAX_STEPS), s -> new StepBucket());
            b.calls++;
            b.promptSum += line.prompt;
            record(b.e2e, e2e);
        } else if (line.detail != null) {
            List<String> samples = out.samples.computeIfAbsent(line.error, e -> new ArrayList<>());
            if (samples.size() < ERROR_SAMPLES && !samples.contains(line.detail)) {
                samples.add(line.detail);
            }
        }
    }

    private static void record(Histogram h, long value) {
        if (value >= 0) {
            h.recordValue(value);
        }
    }

    /** Tokens of every attempt count (they are billed); calls and their errors count once, at the last attempt. */
    private static void count(Counts c, Line line) {
        c.attempts++;
        c.prompt += line.prompt;
        c.completion += line.completion;
        c.cached += line.cached;
        if (line.estimated) {
            c.estimated++;
        }
        if (line.error != ErrorClass.OK) {
            c.attemptErrors[line.error.ordinal()]++;
        }
        if (line.last) {
            c.calls++;
            if (line.error != ErrorClass.OK) {
                c.errors[line.error.ordinal()]++;
            }
        }
    }

    // ---- jmh.json ------------------------------------------------------------------------------

    private static JmhScore readJmh(Path file, List<String> notes) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode root = TREE.readTree(file.toFile());
            if (root == null || !root.isArray() || root.isEmpty()) {
                return null;
            }
            JsonNode first = root.get(0);
            // AgentSoak's "calls" counter is exact; its primary score counts one extra invocation per iteration.
            JsonNode calls = first.path("secondaryMetrics").path("calls");
            JsonNode metric = calls.isMissingNode() ? first.path("primaryMetric") : calls;
            String name = first.path("benchmark").asText() + (calls.isMissingNode() ? "" : ":calls");
            return new JmhScore(name, metric.path("score").asDouble(Double.NaN),
                    metric.path("scoreError").asDouble(Double.NaN), metric.path("scoreUnit").asText());
        } catch (IOException e) {
            notes.add("jmh.json could not be read: " + e.getMessage());
            return null;
        }
    }
}
