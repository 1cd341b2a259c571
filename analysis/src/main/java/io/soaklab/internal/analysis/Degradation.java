package io.soaklab.internal.analysis;

import io.soaklab.internal.record.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What changed over the run, each finding with its test. Every window series (TTFT
 * p50 and p99, E2E p99, inter-token p99, error rate, throughput, cost per call, probe accuracy)
 * is tested for a monotonic trend ({@link Trend}: Mann–Kendall, stated when p &lt; {@value #ALPHA}
 * and the series moved at least {@value #MIN_CHANGE_PERCENT} % between the first and the last
 * sixth of the run, or hour when the run is six hours or longer) and for steps
 * ({@link ChangePoint}, at the same significance).
 *
 * <p>Windows where the load generator, not the endpoint, was the bottleneck
 * ({@link #generatorBound}) are flagged and left out of every test. How the context's size moves
 * latency, cost and probe accuracy is {@link ContextTrend}'s; the report puts both in words
 * ({@code report.Sentences}).
 *
 * <pre>{@code
 * Degradation d = Degradation.of(RunData.load(dir));
 * d.findings().forEach(f -> System.out.println(f.series() + " " + f.first() + " to " + f.last() + " " + f.unit()));
 * }</pre>
 */
public final class Degradation {

    /** Significance asked of every test. */
    public static final double ALPHA = 0.01;
    /** Smallest change stated, as a percentage of the first level. */
    public static final int MIN_CHANGE_PERCENT = 10;
    /** Schedule lag (p99) above which a window is the generator's fault. */
    public static final long GENERATOR_LAG_MS = 100;
    /** Share of the run's median TTFT above which the run's schedule lag (p99) is said to distort its latencies. */
    public static final double LAG_SHARE_OF_TTFT = 0.5;

    /**
     * Whether the load generator fell behind enough, over the whole run, for its lag to matter: the
     * 99th percentile of schedule lag above {@value #GENERATOR_LAG_MS} ms <em>and</em> above half
     * the median time to first token. Lag counts into every latency (they are measured from the
     * intended start), so a lag small beside the latencies measured changes nothing a reader would
     * act on; a JIT warming up or a GC pause of tens of milliseconds, against calls of half a
     * second, is not worth a warning. Nor is one stalled call: the percentile held to that bound is
     * the highest of p99, p90 and p50 that at least {@value #MIN_LATE_CALLS} calls lie above (of 69
     * calls, the p99 is the slowest one, so the p90 is held), and fewer than twice that many calls
     * say nothing.
     */
    public static boolean lagMatters(Percentiles lag, Percentiles ttft) {
        long held = heldLag(lag);
        if (held <= GENERATOR_LAG_MS * 1000) {
            return false;
        }
        return ttft.empty() || held > LAG_SHARE_OF_TTFT * ttft.p50();
    }

    /** Calls that must lie above a lag percentile for it to speak for the run rather than for one stall. */
    public static final int MIN_LATE_CALLS = 2;

    /** The lag percentile {@link #lagMatters} holds to its bound (µs), 0 when there are too few calls to hold any. */
    static long heldLag(Percentiles lag) {
        if (lag.count() * 0.01 >= MIN_LATE_CALLS) {
            return lag.p99();
        }
        if (lag.count() * 0.10 >= MIN_LATE_CALLS) {
            return lag.p90();
        }
        return lag.count() * 0.5 >= MIN_LATE_CALLS ? lag.p50() : 0;
    }

    /** Process CPU, as a percentage of every core, at which a window is the generator's fault. */
    public static final int GENERATOR_CPU_PERCENT = 90;
    /** GC time, as a percentage of the window, at which a window is the generator's fault. */
    public static final int GENERATOR_GC_PERCENT = 10;
    /** Above this many windows a series is tested on the medians of this many groups of consecutive windows. */
    static final int MAX_POINTS = 2_000;
    /** Fewer windows than this and nothing is tested. */
    public static final int MIN_WINDOWS = 8;

    /** Up is worse, or down is. */
    enum Worse { UP, DOWN }

    /**
     * One series' verdict.
     *
     * @param series     what was tested, e.g. {@code TTFT p99}
     * @param first      its median over the first part of the run ({@link Degradation#partMillis()})
     * @param last       its median over the last part
     * @param unit       how its values read: {@code ms}, {@code %}, {@code /s}, {@code $}
     * @param trend      the trend test
     * @param trending   whether the trend is stated: significant, at least {@value Degradation#MIN_CHANGE_PERCENT} % from the first part to
     *                   the last, and that way
     * @param rateAgrees whether the trend's slope is quoted with it: the change between the parts, over the time between their
     *                   middles ({@link Degradation#apartMillis()}), lies in the slope's confidence interval, and steps do not explain the
     *                   series better
     * @param steps      significant steps, when they explain the series better than the trend's line
     * @param worse      whether the change is for the worse
     */
    public record Finding(String series, double first, double last, String unit, Trend trend, boolean trending, boolean rateAgrees,
                          List<Step> steps, boolean worse) {

        /** The change from the first part to the last, in percent of the first: infinite from zero. */
        public double change() {
            return percentChange(first, last);
        }

        /** Whether anything is stated: the trend, or a step that matters. */
        public boolean stated() {
            return trending || steps.stream().anyMatch(Step::matters);
        }
    }

    /**
     * A step, placed in time.
     *
     * @param change        the step and its test
     * @param elapsedMillis the elapsed time at the start of the window it begins in
     * @param window        that window's index, from 0
     */
    public record Step(ChangePoint change, long elapsedMillis, int window) {

        /** Whether the step is at least {@value Degradation#MIN_CHANGE_PERCENT} % of the level before it: a smaller one is significant, too small to matter. */
        public boolean matters() {
            return !(Math.abs(change.after() - change.before()) < Math.abs(change.before()) * MIN_CHANGE_PERCENT / 100.0);
        }
    }

    private final List<Finding> findings;
    private final List<Integer> generatorBound;
    private final int tested;
    private final long partMillis;
    private final long apartMillis;

    private Degradation(List<Finding> findings, List<Integer> generatorBound, int tested, long partMillis, long apartMillis) {
        this.findings = findings;
        this.generatorBound = generatorBound;
        this.tested = tested;
        this.partMillis = partMillis;
        this.apartMillis = apartMillis;
    }

    /** Tests every series of {@code run}'s windows. */
    public static Degradation of(RunData run) {
        return of(run, MAX_POINTS);
    }

    /** As {@link #of(RunData)}, grouping windows above {@code maxPoints} (tests show the grouping on a shorter run). */
    static Degradation of(RunData run, int maxPoints) {
        List<WindowStats> all = run.windows();
        List<Integer> bound = new ArrayList<>();
        List<WindowStats> used = new ArrayList<>();
        double windowSeconds = run.manifest().config().schedule().window().toMillis() / 1000.0;
        for (WindowStats w : all) {
            if (generatorBound(w, windowSeconds)) {
                bound.add(w.index());
            } else {
                used.add(w);
            }
        }
        if (used.size() < MIN_WINDOWS || all.isEmpty()) {
            return new Degradation(List.of(), List.copyOf(bound), used.size(), 0, 0);
        }
        // windows are contiguous and of the configured length: their number places them in time
        long window = Math.max(1, run.manifest().config().schedule().window().toMillis()); // 100 ms windows are allowed: time in ms
        double[] hours = new double[used.size()];
        long[] elapsed = new long[used.size()];
        for (int i = 0; i < used.size(); i++) {
            elapsed[i] = used.get(i).index() * window;
            hours[i] = elapsed[i] / 3_600_000.0;
        }
        long runMillis = all.size() * window;
        long partMillis = runMillis >= 6 * HOUR ? HOUR : Math.max(window, runMillis / 6 / window * window);
        // the parts' medians sit at their middles: from the first's to the last's is the run less one part
        long apartMillis = elapsed[elapsed.length - 1] + window - partMillis;
        List<Finding> out = new ArrayList<>();
        series(out, "TTFT p50", "ms", Worse.UP, used, w -> latencyMs(w, Metric.TTFT, Percentiles::p50), hours, elapsed, window, partMillis,
                apartMillis, maxPoints);
        series(out, "TTFT p99", "ms", Worse.UP, used, w -> latencyMs(w, Metric.TTFT, Percentiles::p99), hours, elapsed, window, partMillis,
                apartMillis, maxPoints);
        series(out, "E2E p99", "ms", Worse.UP, used, w -> latencyMs(w, Metric.E2E, Percentiles::p99), hours, elapsed, window, partMillis,
                apartMillis, maxPoints);
        series(out, "inter-token p99", "ms", Worse.UP, used, w -> latencyMs(w, Metric.ITL, Percentiles::p99), hours, elapsed, window, partMillis,
                apartMillis, maxPoints);
        series(out, "error rate", "%", Worse.UP, used, w -> w.calls() == 0 ? Double.NaN : 100.0 * w.errorCount() / w.calls(), hours, elapsed,
                window, partMillis, apartMillis, maxPoints);
        series(out, "throughput", "/s", Worse.DOWN, used, w -> w.calls() / w.seconds(), hours, elapsed, window, partMillis, apartMillis, maxPoints);
        series(out, "cost per call", "$", Worse.UP, used, w -> w.calls() == 0 || w.spend().signum() == 0 ? Double.NaN
                : w.spend().doubleValue() / w.calls(), hours, elapsed, window, partMillis, apartMillis, maxPoints);
        series(out, "probe accuracy", "%", Worse.DOWN, used, w -> 100 * w.probes().rate(), hours, elapsed, window, partMillis, apartMillis,
                maxPoints);
        return new Degradation(List.copyOf(out), List.copyOf(bound), used.size(), partMillis, apartMillis);
    }

    /**
     * True when the load generator, not the endpoint, held the window back: its schedule lag's p99
     * above {@value #GENERATOR_LAG_MS} ms, its CPU at {@value #GENERATOR_CPU_PERCENT} % of every core
     * or more, or its garbage collectors busy for {@value #GENERATOR_GC_PERCENT} % of the window
     * ({@code windowSeconds} long, as configured).
     */
    public static boolean generatorBound(WindowStats w, double windowSeconds) {
        Percentiles lag = w.latency(Metric.SCHEDULE_LAG);
        WindowStats.Generator g = w.generator();
        return !lag.empty() && lag.p99() > GENERATOR_LAG_MS * 1000
                || g.cpu() >= GENERATOR_CPU_PERCENT / 100.0
                || g.gcMillis() >= windowSeconds * 1000 * GENERATOR_GC_PERCENT / 100.0;
    }

    private static double latencyMs(WindowStats w, Metric m, ToDoubleFunction<Percentiles> which) {
        Percentiles p = w.latency(m);
        return p.empty() ? Double.NaN : which.applyAsDouble(p) / 1000.0;
    }

    private static void series(List<Finding> out, String name, String unit, Worse worse, List<WindowStats> windows, ToDoubleFunction<WindowStats> value,
                               double[] hours, long[] elapsed, long window, long partMillis, long apartMillis, int maxPoints) {
        double[] y = new double[windows.size()];
        int present = 0;
        for (int i = 0; i < y.length; i++) {
            y[i] = value.applyAsDouble(windows.get(i));
            if (!Double.isNaN(y[i])) {
                present++;
            }
        }
        if (present < MIN_WINDOWS) {
            return;
        }
        double first = partMedian(y, elapsed, 0, partMillis);
        double last = partMedian(y, elapsed, elapsed[elapsed.length - 1] + window - partMillis, Long.MAX_VALUE);
        if (y.length > maxPoints) {
            // the tests are O(n^2) and O(permutations x n): a long run of short windows is tested on the medians of
            // MAX_POINTS consecutive groups of windows (an 8-hour run of 100 ms windows: groups of 15)
            int groups = maxPoints;
            double[] gy = new double[groups];
            double[] gh = new double[groups];
            long[] ge = new long[groups];
            for (int g = 0; g < groups; g++) {
                int from = (int) ((long) g * y.length / groups);
                int to = (int) ((long) (g + 1) * y.length / groups);
                double[] slice = Arrays.stream(Arrays.copyOfRange(y, from, to)).filter(v -> !Double.isNaN(v)).toArray();
                gy[g] = slice.length == 0 ? Double.NaN : Trend.median(slice);
                gh[g] = (hours[from] + hours[to - 1]) / 2;
                ge[g] = elapsed[from];
            }
            y = gy;
            hours = gh;
            elapsed = ge;
        }
        Trend trend = Trend.of(hours, y);
        List<ChangePoint> found = ChangePoint.find(y, ALPHA);
        boolean trendSignificant = trend.pValue() < ALPHA;
        // a steady drift also looks like a staircase to a step finder, and a step like a trend to a trend test: the
        // model that leaves the smaller absolute residuals is the one stated
        boolean stepsExplainBetter = !found.isEmpty() && (!trendSignificant || stepResidual(y, found) < lineResidual(y, hours, trend));
        List<Step> steps = new ArrayList<>();
        if (stepsExplainBetter) {
            for (ChangePoint c : found) {
                steps.add(new Step(c, elapsed[c.index()], (int) (elapsed[c.index()] / window)));
            }
        }
        double change = percentChange(first, last);
        // a series mostly at zero (errors) can have a zero Theil-Sen slope and a significant trend: the parts decide the direction
        boolean trending = trendSignificant && Math.abs(change) >= MIN_CHANGE_PERCENT
                && (trend.slope() == 0 || Math.signum(change) == Math.signum(trend.slope()));
        boolean isWorse = worse == Worse.UP ? change > 0 : change < 0;
        boolean rateAgrees = false;
        if (trending) {
            double implied = apartMillis <= 0 ? Double.NaN : (last - first) / (apartMillis / 3_600_000.0);
            // the trend's rate is quoted only where the parts agree with it, within its confidence interval
            rateAgrees = !stepsExplainBetter && trend.slope() != 0 && implied >= trend.slopeLow() && implied <= trend.slopeHigh();
        }
        out.add(new Finding(name, first, last, unit, trend, trending, rateAgrees, List.copyOf(steps), isWorse));
    }

    private static double percentChange(double first, double last) {
        return first == 0 ? (last == 0 ? 0 : Double.POSITIVE_INFINITY) : (last - first) / Math.abs(first) * 100;
    }

    private static double lineResidual(double[] y, double[] x, Trend t) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += Double.isNaN(y[i]) ? 0 : Math.abs(y[i] - t.at(x[i]));
        }
        return sum;
    }

    private static double stepResidual(double[] y, List<ChangePoint> steps) {
        double sum = 0;
        int s = 0;
        for (int i = 0; i < y.length; i++) {
            while (s < steps.size() && i >= steps.get(s).index()) {
                s++;
            }
            double level = s == 0 ? steps.get(0).before() : steps.get(s - 1).after();
            sum += Double.isNaN(y[i]) ? 0 : Math.abs(y[i] - level);
        }
        return sum;
    }

    private static double partMedian(double[] y, long[] elapsed, long from, long to) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            if (elapsed[i] >= from && elapsed[i] < to && !Double.isNaN(y[i])) {
                v.add(y[i]);
            }
        }
        return v.isEmpty() ? Double.NaN : Trend.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static final long HOUR = 3_600_000;

    /** Every series tested, stated or not. */
    public List<Finding> series() {
        return findings;
    }

    /** What is stated: the series whose trend or steps passed their tests. */
    public List<Finding> findings() {
        return findings.stream().filter(Finding::stated).toList();
    }

    /** Windows left out because the load generator was the bottleneck. */
    public List<Integer> generatorBound() {
        return generatorBound;
    }

    /** Windows tested. */
    public int tested() {
        return tested;
    }

    /** The length of the first and of the last part of the run, whose medians a finding compares (0 when nothing was tested). */
    public long partMillis() {
        return partMillis;
    }

    /** The time from the first part's middle to the last's: what a trend's rate is checked against. */
    public long apartMillis() {
        return apartMillis;
    }
}
