package io.soaklab.internal.analysis;

import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.protocol.CallFlag;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.EpisodeLine;
import io.soaklab.internal.record.EventLine;
import io.soaklab.internal.record.GeneratorLine;
import io.soaklab.internal.record.IntervalLog;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.internal.run.Slo;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

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
    static final int MAX_STEPS = CallsTally.MAX_STEPS;

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
     * @param open              calls still open when the run ended (neither ended nor failed; not in {@code calls})
     * @param openAges          their ages from their intended start, µs: lower bounds of their latency
     * @param e2eWithOpen       E2E of the calls that succeeded and, at their ages, of those still open: each of its
     *                          percentiles is a lower bound of what it would have been had the open calls ended
     * @param flags             calls flagged, by flag
     * @param truncatedServerTokens the server's prompt count summed over calls flagged {@code prompt_truncated}
     * @param truncatedSentTokens   soaklab's own count of what it sent, over the same calls
     * @param badLines          lines of calls.jsonl that were not valid call records and were skipped
     */
    public record CallTotals(long calls, long attempts, Map<ErrorClass, Long> errors, Map<ErrorClass, Long> attemptErrors,
                             long promptTokens, long completionTokens, long cachedTokens, long estimatedCalls, BigDecimal spend,
                             long warmupCalls, long open, Percentiles openAges, Percentiles e2eWithOpen, Map<CallFlag, Long> flags, long truncatedServerTokens,
                             long truncatedSentTokens, long badLines) {
        public long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        public long retries() {
            return attempts - calls;
        }

        /** Calls flagged {@code flag}. */
        public long flagged(CallFlag flag) {
            return flags.getOrDefault(flag, 0L);
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
    private final Slos slos;
    private final CallTrace trace;
    private final TaskList tasks;
    private final ServerWindows server;

    private RunData(Path dir, RunManifest manifest, RunStatus status, List<WindowStats> windows,
                    Map<Metric, Percentiles> totals, CallTotals calls, List<StepStats> steps, Episodes episodes, Map<String, RoleStats> roles,
                    Costs costs, PriceCatalog catalog,
                    Map<ErrorClass, List<String>> errorSamples, JmhScore jmh, Fidelity fidelity, List<String> notes, Slos slos,
                    CallTrace trace, TaskList tasks, ServerWindows server) {
        this.server = server;
        this.slos = slos;
        this.trace = trace;
        this.tasks = tasks;
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
     * What a load keeps beyond the run's figures, and which objectives it holds the run to. Every
     * figure comes from one pass over each file; what is asked for here is gathered in the same pass.
     *
     * <pre>{@code
     * RunData run = RunData.load(dir, RunData.Reading.of(Slo.parseAll("ttft.p99=2s")).withCallUsage());
     * }</pre>
     *
     * @param objectives the objectives to hold the run to ({@link #slos()}); null for those it was run with
     * @param callUsage  whether every call's usage is kept (about 40 bytes a call), to be priced again by a projection
     */
    public record Reading(List<Slo> objectives, boolean callUsage) {
        public Reading {
            objectives = objectives == null ? null : List.copyOf(objectives);
        }

        /** The run's own objectives, nothing per call. */
        public static final Reading DEFAULT = new Reading(null, false);

        /** Holds the run to {@code objectives} instead of its own. */
        public static Reading of(List<Slo> objectives) {
            return new Reading(objectives, false);
        }

        /** Also keeps every call's usage, for {@link Projection#of(RunData, Tariff, PriceCatalog, Projection.Parameters)}. */
        public Reading withCallUsage() {
            return new Reading(objectives, true);
        }
    }

    /**
     * Reads the run in {@code dir}, held to the objectives it was run with.
     *
     * @throws IOException when {@code dir} is not a run folder
     */
    public static RunData load(Path dir) throws IOException {
        return load(dir, Reading.DEFAULT);
    }

    /**
     * Reads the run in {@code dir}: each file once, in one pass that feeds every figure.
     *
     * @throws IOException when {@code dir} is not a run folder
     */
    public static RunData load(Path dir, Reading reading) throws IOException {
        RunManifest manifest = RunManifest.read(dir);
        RunStatus status = manifest.orphaned() ? RunStatus.CRASHED : manifest.status();
        List<String> notes = new ArrayList<>();
        PriceCatalog catalog = catalogOf(dir, notes);
        Tariff tariff = tariff(manifest, catalog, notes);
        Costs costs = tariff == null ? null : Costs.pricing(tariff);
        List<Slo> objectives = reading.objectives() != null ? reading.objectives() : objectivesOf(manifest, notes);
        Slos.Tally slos = objectives.isEmpty() ? null : new Slos.Tally(objectives, costs != null);

        // each interval's percentiles are taken as it is read: a window's histograms are not kept (hundreds of KB each)
        Map<Integer, Map<Metric, Percentiles>> intervals = new TreeMap<>();
        Map<Metric, Histogram> totalHistograms = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            totalHistograms.put(m, new Histogram(3));
        }
        IntervalLog log = IntervalLog.read(dir, (w, metric, h) -> {
            intervals.computeIfAbsent(w, k -> new EnumMap<>(Metric.class)).put(metric, Percentiles.of(h));
            totalHistograms.get(metric).add(h);
            if (slos != null) {
                slos.interval(w, metric, h);
            }
        });
        if (!log.present()) {
            notes.add(RunFile.HISTOGRAMS + " is missing: latency is rebuilt from calls.jsonl, without inter-token gaps.");
        }
        int closed = Math.max(manifest.windowsCompleted(), log.windows().isEmpty() ? 0 : log.windows().last() + 1);
        Set<Integer> rebuild = new TreeSet<>();
        for (int w = 0; w <= closed; w++) { // the window after the last closed one is the one a killed run never closed
            if (w == closed || !log.windows().contains(w) || log.damaged().contains(w)) {
                rebuild.add(w);
            }
        }
        long windowMillis = Math.max(1, manifest.config().schedule().window().toMillis());
        long[][] bounds = Windows.bounds(log, closed, windowMillis);
        long[] edges = Windows.edges(bounds, closed);
        CallsTally c = new CallsTally(closed, rebuild, closed == 0 ? null : edges);
        if (slos != null) {
            slos.windows(closed + 1); // the closed windows and the one a killed run never closed: a damaged line names no other
        }
        CallTrace trace = new CallTrace(costs == null ? null : costs.pricer(), reading.callUsage());
        Fidelity.Matcher fidelity = Fidelity.Matcher.open(dir);
        Fidelity measuredFidelity;
        try {
            if (!CallLine.read(dir, Readers.calls(c, trace, fidelity, slos))) {
                notes.add(RunFile.CALLS + " is missing: no call counts.");
            }
            measuredFidelity = fidelity == null ? null : fidelity.result();
            if (fidelity != null && fidelity.problem() != null) {
                notes.add(RunFile.SIM_TRUTH + " could not be read to its end (" + fidelity.problem()
                        + "): the comparison with the endpoint's own account stops there.");
            }
        } finally {
            if (fidelity != null) {
                fidelity.close();
            }
        }
        notes.addAll(c.badLines);
        if (c.badLineCount > c.badLines.size()) {
            notes.add((c.badLineCount - c.badLines.size()) + " more lines of " + RunFile.CALLS + " were skipped for the same reasons.");
        }
        Episodes episodes = new Episodes(notes);
        TaskList tasks = new TaskList(trace);
        EpisodeLine.read(dir, Readers.episodes(episodes.episodeReader(), tasks, slos));
        EventLine.read(dir, episodes.eventReader());
        if (costs != null) {
            costs.tasks(tasks);
        }

        Windows assembled = new Windows(manifest, closed, bounds, edges, windowMillis, intervals, totalHistograms, c, costs, episodes,
                readGenerator(dir));
        List<WindowStats> windows = assembled.windows;
        Map<Metric, Percentiles> totals = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            totals.put(m, Percentiles.of(totalHistograms.get(m)));
        }
        CallsTally.Counts all = c.all;
        Histogram withOpen = totalHistograms.get(Metric.E2E).copy();
        withOpen.add(c.openAges);
        Map<CallFlag, Long> flags = new EnumMap<>(CallFlag.class);
        put(flags, CallFlag.OVER_CAP, c.overCap);
        put(flags, CallFlag.PROMPT_TRUNCATED, c.truncated);
        put(flags, CallFlag.CACHE_FROM_TIMINGS, c.cacheFromTimings);
        CallTotals callTotals = new CallTotals(all.calls, all.attempts, all.errorMap(), all.attemptErrorMap(), all.prompt, all.completion,
                all.cached, all.estimated, costs == null ? BigDecimal.ZERO : costs.total(), c.warmup, all.open, Percentiles.of(c.openAges),
                Percentiles.of(withOpen), Collections.unmodifiableMap(flags), c.truncatedServerTokens, c.truncatedSentTokens, c.badLineCount);
        if (status == RunStatus.CRASHED) {
            notes.add(0, "The run did not finish: its process ended without writing an end status. Everything it recorded up to then is shown.");
        }
        if (log.damagedLines() > 0) {
            notes.add(RunFile.HISTOGRAMS + " has " + log.damagedLines() + " damaged " + (log.damagedLines() == 1 ? "line" : "lines")
                    + "; the lines after " + (log.damagedLines() == 1 ? "it" : "them") + " were read.");
        }
        assembled.notes(notes);
        List<WindowStats> measured = List.copyOf(windows);
        return new RunData(dir, manifest, status, measured, Collections.unmodifiableMap(totals), callTotals,
                steps(c), episodes, roles(c), costs, catalog, c.samples, JmhResult.read(dir, notes), measuredFidelity, List.copyOf(notes),
                slos == null ? null : slos.finish(measured), reading.callUsage() ? trace : null, reading.callUsage() ? tasks : null,
                ServerWindows.read(dir, measured));
    }

    private static void put(Map<CallFlag, Long> flags, CallFlag flag, long n) {
        if (n > 0) {
            flags.put(flag, n);
        }
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

    /** The server's own metrics, window by window ({@code server-metrics.jsonl}); {@link ServerWindows#present()} false when none were scraped. */
    public ServerWindows server() {
        return server;
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

    /** The objectives the run was made with; none, with a note, when its run.json holds some that cannot be read. */
    private static List<Slo> objectivesOf(RunManifest manifest, List<String> notes) {
        try {
            return Slo.parseAll(manifest.config().slo());
        } catch (IllegalArgumentException e) {
            notes.add("The objectives in " + RunFile.RUN + " could not be read (" + e.getMessage() + "): the run is held to none.");
            return List.of();
        }
    }

    /** The run's tariff at its catalog's prices in force on the day it was made, or null when it is not priced. */
    private static Tariff tariff(RunManifest manifest, PriceCatalog catalog, List<String> notes) {
        try {
            return manifest.config().tariff(catalog, runDay(manifest));
        } catch (IllegalArgumentException e) {
            notes.add("Not priced: " + e.getMessage());
            return null;
        }
    }

    /** The day (UTC) the run was made: its calls were priced at the prices in force then. */
    public static java.time.LocalDate runDay(RunManifest manifest) {
        try {
            return java.time.Instant.parse(manifest.created()).atZone(java.time.ZoneOffset.UTC).toLocalDate();
        } catch (RuntimeException unreadable) {
            return PriceCatalog.today();
        }
    }

    /** The run held to its objectives (those it was loaded with: {@link Reading}), or null when it has none. */
    public Slos slos() {
        return slos;
    }

    /** Every call's usage, when the run was loaded {@link Reading#withCallUsage() with it}; else null. */
    CallTrace trace() {
        return trace;
    }

    /** The measured tasks, when the run was loaded with its calls' usage; else null. */
    TaskList tasks() {
        return tasks;
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

    /** The generator's figures per measured window; an older run has none. */
    private static List<WindowStats.Generator> readGenerator(Path dir) throws IOException {
        List<WindowStats.Generator> out = new ArrayList<>();
        GeneratorLine.read(dir, line -> {
            if (line.warmup()) {
                return;
            }
            while (out.size() <= line.window()) {
                out.add(null);
            }
            WindowStats.Generator g = new WindowStats.Generator(line.gcMillis(), line.cpu(), line.systemCpu(), line.heapMb(),
                    line.pauseP99Micros(), line.pauseMaxMicros(), line.silenceMicros());
            WindowStats.Generator before = out.get(line.window());
            out.set(line.window(), before == null ? g : before.worst(g)); // a merged run has a line of each shard
        });
        return out;
    }

    private static Map<String, RoleStats> roles(CallsTally c) {
        Map<String, RoleStats> out = new LinkedHashMap<>();
        c.byRole.forEach((role, b) -> out.put(role, new RoleStats(b.calls, b.failed, b.attempts, b.prompt, b.completion, b.cached,
                Percentiles.of(b.ttft), Percentiles.of(b.e2e))));
        return Collections.unmodifiableMap(out);
    }

    private static List<StepStats> steps(CallsTally c) {
        List<StepStats> out = new ArrayList<>();
        c.byStep.forEach((step, b) -> out.add(new StepStats(step, b.calls, b.promptSum / b.calls, Percentiles.of(b.e2e))));
        return List.copyOf(out);
    }

}
