package io.soaklab.internal.analysis;

import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.EpisodeLine;
import io.soaklab.internal.record.IntervalLog;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.record.StageLine;
import io.soaklab.internal.run.Slo;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.run.RunConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.commons.statistics.distribution.TDistribution;

/**
 * A capacity sweep's stages held to its objectives, and what it found: the highest stage that met
 * every objective, the lowest that missed one, and what the limit was. The one rule for a stage's
 * verdict: both the sweep, choosing its next stage, and the report read it here, from the run
 * folder.
 *
 * <p>A stage's value of an objective is over its measured windows together (latency percentiles
 * from their histograms added, the error share from their counts); its 95 % confidence interval
 * treats each window as one batch (batch means: the windows' own values, their spread over the
 * root of their number, times Student's t). A stage meets an objective when its value is within
 * the limit; a stage in which no call ended meets none.
 *
 * <pre>{@code
 * Capacity c = Capacity.of(RunData.load(dir, RunData.Reading.of(slos)));
 * Capacity.Stage knee = c.highestMet();
 * }</pre>
 */
public final class Capacity {

    /** Confidence of the intervals. */
    public static final double CONFIDENCE = 0.95;
    /** Share of a stage's calls refused with 429 at which the stage says the provider's rate limit, not the endpoint's capacity. */
    public static final double RATE_LIMITED_SHARE = 0.01;
    /** Share of a stage's calls failed otherwise at which errors, not latency, are the limit. */
    public static final double ERRORS_DOMINATE_SHARE = 0.5;
    /** An objective missed by this factor (value over limit) is missed by a wide margin. */
    public static final double WIDE_MISS = 2;

    /** What stopped the load from going higher. */
    public enum Limit {
        /** Every stage met every objective, the highest one tried included. */
        NONE,
        /** The endpoint: a stage missed an objective with the load generator healthy and no rate limit. */
        ENDPOINT,
        /** The provider's rate limit: 429s refused a share of the calls. */
        RATE_LIMITS,
        /** The load generator itself: it fell behind its schedule, or its CPU or GC ran out, in the stage that missed. */
        GENERATOR
    }

    /**
     * One objective in one stage.
     *
     * @param slo     the objective
     * @param value   over the stage's measured windows (µs, a fraction or USD); NaN without data
     * @param low     lower end of its confidence interval; NaN with fewer than two windows with data
     * @param high    upper end
     * @param windows windows with data
     */
    public record Objective(Slo slo, double value, double low, double high, int windows) {
        public boolean measured() {
            return !Double.isNaN(value);
        }

        public boolean met() {
            return measured() && value <= slo.limit().doubleValue();
        }

        /** How far over its limit: value / limit (NaN without data). */
        public double ratio() {
            double limit = slo.limit().doubleValue();
            return limit == 0 ? (value > 0 ? Double.POSITIVE_INFINITY : 0) : value / limit;
        }
    }

    /**
     * One stage, as measured.
     *
     * @param line            its line in {@code sweep.jsonl}
     * @param windows         measured windows the run has of it
     * @param seconds         their time
     * @param calls           calls that ended in them
     * @param errors          of which failed
     * @param attempts        attempts sent that ended in them, retries included (none a circuit breaker or the spend limit kept back)
     * @param rateLimited     attempts refused with 429 (a retried one too)
     * @param rateLimitedCalls calls whose last attempt was refused with 429
     * @param episodes        episodes that ended in them (shed ones, which never ran, left out)
     * @param outputTokens    completion tokens of their calls
     * @param goodput         calls a second meeting every per-call objective (episodes a second when only episode objectives were given);
     *                        NaN without any
     * @param ttft            TTFT percentiles over the stage
     * @param e2e             E2E percentiles
     * @param episode         episode duration percentiles
     * @param spend           what its measured windows' calls cost; null when unpriced
     * @param costPerTask     mean cost of its episodes, retries and failures included; null when unpriced or without episodes
     * @param generatorBoundWindows its windows in which the load generator fell behind or ran out of CPU or GC
     * @param maxInFlight     the most calls in flight at the end of one of its windows; -1 when not known
     * @param objectives      each objective's value
     * @param mostly          its most frequent failure, or null
     */
    public record Stage(StageLine line, int windows, double seconds, long calls, long errors, long attempts, long rateLimited, long rateLimitedCalls, long episodes, long outputTokens,
                        double goodput, Percentiles ttft, Percentiles e2e, Percentiles episode, BigDecimal spend, BigDecimal costPerTask, int generatorBoundWindows,
                        long maxInFlight, List<Objective> objectives, ErrorClass mostly) {

        /** Whether it measured at all: a stage cut short by the end of the run may not have. */
        public boolean measured() {
            return windows > 0;
        }

        /** Met every objective; false when no call ended in it. */
        public boolean met() {
            return calls > 0 && objectives.stream().allMatch(Objective::met);
        }

        public double level() {
            return line.level();
        }

        public double callsPerSecond() {
            return seconds == 0 ? 0 : calls / seconds;
        }

        public double outputTokensPerSecond() {
            return seconds == 0 ? 0 : outputTokens / seconds;
        }

        public double episodesPerMinute() {
            return seconds == 0 ? 0 : 60.0 * episodes / seconds;
        }

        /** Share of its attempts refused by a rate limit. */
        public double rateLimitedShare() {
            return attempts == 0 ? 0 : (double) rateLimited / attempts;
        }

        /** Share of its calls that failed otherwise than by a rate limit. */
        public double otherErrorShare() {
            return calls == 0 ? 0 : (double) (errors - rateLimitedCalls) / calls;
        }

        /**
         * Whether the load generator was the stage's limit: it fell behind its schedule, or its CPU or GC ran out, in more than half of
         * its measured windows (a busy machine's one bad window does not make the endpoint's verdict the generator's).
         */
        public boolean generatorBound() {
            return generatorBoundWindows * 2 > windows;
        }

        /** Missed an objective by a wide margin ({@link #WIDE_MISS} times its limit), or failed half its calls. */
        public boolean missedWidely() {
            return !met() && (calls == 0 || otherErrorShare() >= ERRORS_DOMINATE_SHARE
                    || objectives.stream().anyMatch(o -> o.measured() && o.ratio() >= WIDE_MISS));
        }

        /** What it says of the limit, when it missed. */
        public Limit limit() {
            if (met()) {
                return Limit.NONE;
            }
            if (rateLimitedShare() >= RATE_LIMITED_SHARE) {
                return Limit.RATE_LIMITS;
            }
            return generatorBound() ? Limit.GENERATOR : Limit.ENDPOINT;
        }
    }

    private final RunConfig.Sweep sweep;
    private final List<Stage> stages;
    private final String rateLimit;
    private final String stopped;

    private Capacity(RunConfig.Sweep sweep, List<Stage> stages, String rateLimit, String stopped) {
        this.stopped = stopped;
        this.sweep = sweep;
        this.stages = stages;
        this.rateLimit = rateLimit;
    }

    /** True when {@code run} is a capacity sweep's. */
    public static boolean isSweep(RunData run) {
        return run.manifest().config().sweep() != null;
    }

    /**
     * The sweep in {@code run}, its stages held to the run's objectives ({@code run} loaded with them,
     * {@link RunData.Reading#of}, or with the configuration's).
     */
    public static Capacity of(RunData run) throws IOException {
        RunConfig config = run.manifest().config();
        RunConfig.Sweep sweep = config.sweep();
        if (sweep == null) {
            throw new IllegalArgumentException(run.dir() + " is not a capacity sweep's run folder");
        }
        List<Slo> slos = Slo.parseAll(config.slo());
        Slos verdicts = Slos.evaluate(run, slos);
        List<StageLine> lines = StageLine.read(run.dir());
        List<WindowStats> windows = run.windows();
        int[] stageOf = new int[windows.size()];
        java.util.Arrays.fill(stageOf, -1);
        for (int s = 0; s < lines.size(); s++) {
            StageLine l = lines.get(s);
            for (int w = l.firstMeasured(); w < Math.min(l.endWindow(), windows.size()); w++) {
                stageOf[w] = s;
            }
        }
        Pooled pooled = new Pooled(lines.size(), stageOf, run.costs() != null);
        IntervalLog.read(run.dir(), pooled);
        EpisodeLine.read(run.dir(), pooled);
        CallLine.read(run.dir(), pooled);
        double windowSeconds = config.schedule().window().toNanos() / 1e9;
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < lines.size(); s++) {
            StageLine l = lines.get(s);
            int n = 0;
            double seconds = 0;
            long calls = 0;
            long errors = 0;
            long tokens = 0;
            long limitedCalls = 0;
            BigDecimal spend = BigDecimal.ZERO;
            double good = 0;
            int bound = 0;
            long inFlight = -1;
            Map<ErrorClass, Long> byClass = new EnumMap<>(ErrorClass.class);
            for (int w = l.firstMeasured(); w < Math.min(l.endWindow(), windows.size()); w++) {
                WindowStats ws = windows.get(w);
                n++;
                seconds += ws.seconds();
                calls += ws.calls();
                errors += ws.errorCount();
                ws.errors().forEach((k, v) -> byClass.merge(k, v, Long::sum));
                limitedCalls += ws.errors().getOrDefault(ErrorClass.HTTP_429, 0L);
                tokens += ws.completionTokens();
                spend = ws.spend() == null ? spend : spend.add(ws.spend());
                if (verdicts.hasCallGoodput()) {
                    good += verdicts.callGoodput(w) * ws.seconds();
                } else if (verdicts.hasEpisodeGoodput()) {
                    good += verdicts.episodeGoodput(w) * ws.seconds();
                }
                bound += generatorBound(ws, windowSeconds, config.workload().open()) ? 1 : 0;
                inFlight = Math.max(inFlight, ws.traffic().inFlight());
            }
            ErrorClass mostly = byClass.entrySet().stream().filter(e -> e.getKey() != ErrorClass.OK && e.getValue() > 0)
                    .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
            List<Objective> objectives = new ArrayList<>();
            for (Slos.Verdict v : verdicts.verdicts()) {
                double value = pooled.value(s, v.slo(), calls, errors);
                List<Double> perWindow = new ArrayList<>();
                for (int w = l.firstMeasured(); w < Math.min(l.endWindow(), v.perWindow().size()); w++) {
                    if (!Double.isNaN(v.perWindow().get(w))) {
                        perWindow.add(v.perWindow().get(w));
                    }
                }
                double half = halfWidth(perWindow);
                objectives.add(new Objective(v.slo(), value, Double.isNaN(value) ? Double.NaN : Math.max(0, value - half),
                        Double.isNaN(value) ? Double.NaN : value + half, perWindow.size()));
            }
            boolean anyGoodput = verdicts.hasCallGoodput() || verdicts.hasEpisodeGoodput();
            stages.add(new Stage(l, n, seconds, calls, errors, pooled.attempts[s], pooled.limited[s], limitedCalls, pooled.episodes[s], tokens, anyGoodput && seconds > 0 ? good / seconds : Double.NaN,
                    pooled.percentiles(s, Metric.TTFT), pooled.percentiles(s, Metric.E2E), pooled.percentiles(s, Metric.EPISODE),
                    run.costs() == null ? null : spend,
                    pooled.episodes[s] == 0 || run.costs() == null ? null
                            : pooled.cost[s].divide(BigDecimal.valueOf(pooled.episodes[s]), 8, RoundingMode.HALF_EVEN),
                    bound, inFlight, List.copyOf(objectives), mostly));
        }
        List<String> samples = new ArrayList<>(pooled.refusals);
        samples.addAll(run.errorSamples().getOrDefault(ErrorClass.HTTP_429, List.of()));
        String message = run.manifest().message();
        return new Capacity(sweep, List.copyOf(stages), RateLimits.describe(samples),
                message == null ? null : message.startsWith(ENDED) ? message.substring(ENDED.length()) : message);
    }

    /**
     * Whether the load generator limited window {@code w}: {@link Degradation#generatorBound}, except that an open load's
     * schedule lag is left out, since it also holds the arrivals that waited for a worker ({@code --max-in-flight}), which an
     * overloaded stage has by design; its CPU and GC still count.
     */
    static boolean generatorBound(WindowStats w, double windowSeconds, boolean open) {
        if (!open) {
            return Degradation.generatorBound(w, windowSeconds);
        }
        WindowStats.Generator g = w.generator();
        return g.cpu() >= Degradation.GENERATOR_CPU_PERCENT / 100.0 || g.gcMillis() >= windowSeconds * 1000 * Degradation.GENERATOR_GC_PERCENT / 100.0;
    }

    /** Half the width of the batch-means confidence interval of {@code values}; NaN with fewer than two. */
    static double halfWidth(List<Double> values) {
        int k = values.size();
        if (k < 2) {
            return Double.NaN;
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double sd = Math.sqrt(ss / (k - 1));
        return TDistribution.of(k - 1).inverseSurvivalProbability((1 - CONFIDENCE) / 2) * sd / Math.sqrt(k);
    }

    public RunConfig.Sweep sweep() {
        return sweep;
    }

    /** Every stage, in the order run. */
    public List<Stage> stages() {
        return stages;
    }

    /** The stages that measured, by level (lowest first). */
    public List<Stage> byLevel() {
        return stages.stream().filter(Stage::measured).sorted(java.util.Comparator.comparingDouble(Stage::level)).toList();
    }

    /** The highest-level stage that met every objective, or null when none did. */
    public Stage highestMet() {
        return stages.stream().filter(Stage::measured).filter(Stage::met).max(java.util.Comparator.comparingDouble(Stage::level)).orElse(null);
    }

    /** The lowest-level stage that missed an objective (above the highest that met), or null when none did. */
    public Stage lowestMissed() {
        Stage met = highestMet();
        return stages.stream().filter(Stage::measured).filter(s -> !s.met()).filter(s -> met == null || s.level() > met.level())
                .min(java.util.Comparator.comparingDouble(Stage::level)).orElse(null);
    }

    /** What held the load: the lowest missed stage's limit, or {@link Limit#NONE}. */
    public Limit limit() {
        Stage missed = lowestMissed();
        Limit l = missed == null ? Limit.NONE : missed.limit();
        if (l == Limit.ENDPOINT && stages.stream().anyMatch(s -> s.measured() && s.limit() == Limit.RATE_LIMITS)) {
            return Limit.RATE_LIMITS; // above the knee the provider refused calls: its limit, not a capacity, is what was found
        }
        return l;
    }

    /** How {@code run.json}'s message of a sweep that ended by itself begins; what follows is why. */
    public static final String ENDED = "sweep ended: ";

    /** Why the sweep ended (run.json's message), or null while it runs. */
    public String stopped() {
        return stopped;
    }

    /** The rate limit the provider said, from its 429s' headers or messages (e.g. {@code 600 requests a minute}), or null. */
    public String rateLimit() {
        return rateLimit;
    }

    /**
     * What each objective's pooled value needs that the per-window verdicts do not have: each
     * stage's histograms added, its episodes and their cost.
     */
    private static final class Pooled implements IntervalLog.Visitor, EpisodeLine.Reader, CallLine.Reader {
        private final int[] stageOf;
        private final long[] attempts;
        private final long[] limited;
        /** A few refusals' details: the limits their headers stated. */
        private final List<String> refusals = new ArrayList<>();
        private final List<Map<Metric, Histogram>> histograms = new ArrayList<>();
        private final long[] episodes;
        private final BigDecimal[] cost;
        private final List<List<BigDecimal>> costs = new ArrayList<>();

        /** Whether the run is priced: an unpriced run has no episode cost to hold to a limit. */
        private final boolean priced;

        Pooled(int stages, int[] stageOf, boolean priced) {
            this.priced = priced;
            this.stageOf = stageOf;
            this.episodes = new long[stages];
            this.attempts = new long[stages];
            this.limited = new long[stages];
            this.cost = new BigDecimal[stages];
            for (int s = 0; s < stages; s++) {
                histograms.add(new EnumMap<>(Metric.class));
                cost[s] = BigDecimal.ZERO;
                costs.add(new ArrayList<>());
            }
        }

        private int stage(int w) {
            return w >= 0 && w < stageOf.length ? stageOf[w] : -1;
        }

        @Override
        public void interval(int window, Metric metric, Histogram h) {
            int s = stage(window);
            if (s >= 0) {
                histograms.get(s).computeIfAbsent(metric, m -> new Histogram(3)).add(h);
            }
        }

        @Override
        public void episode(EpisodeLine line) {
            int s = line.warmup() ? -1 : stage(line.window());
            if (s < 0 || line.attempts() == 0) {
                return; // a shed arrival never ran: not a task
            }
            episodes[s]++;
            BigDecimal c = line.cost() == null ? BigDecimal.ZERO : line.cost();
            cost[s] = cost[s].add(c);
            costs.get(s).add(c);
        }

        @Override
        public void line(CallLine line) {
            int s = line.warmup() ? -1 : stage(line.window());
            if (s < 0 || line.error() == ErrorClass.OPEN || line.error() == ErrorClass.CIRCUIT_OPEN || line.error() == ErrorClass.SPEND_LIMIT) {
                return; // still open, or never sent
            }
            attempts[s]++;
            if (line.error() == ErrorClass.HTTP_429) {
                limited[s]++;
                if (refusals.size() < 5 && line.detail() != null) {
                    refusals.add(line.detail());
                }
            }
        }

        @Override
        public void bad(long number, boolean last, String why) {
            // a damaged line has no outcome: left out, as everywhere
        }

        Percentiles percentiles(int s, Metric m) {
            Histogram h = histograms.get(s).get(m);
            return h == null ? Percentiles.EMPTY : Percentiles.of(h);
        }

        double value(int s, Slo slo, long calls, long errors) {
            if (slo.latency()) {
                Histogram h = histograms.get(s).get(Metric.valueOf(slo.metric().toUpperCase(java.util.Locale.ROOT)));
                return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(slo.percentile());
            }
            if (slo.metric().equals("errors")) {
                return calls == 0 ? Double.NaN : (double) errors / calls;
            }
            return priced ? Slos.percentile(costs.get(s), slo.percentile()) : Double.NaN; // episode.cost
        }
    }
}
