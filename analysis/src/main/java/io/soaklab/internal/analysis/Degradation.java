package io.soaklab.internal.analysis;

import io.soaklab.internal.record.Metric;
import io.soaklab.internal.text.Durations;
import io.soaklab.internal.text.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What changed over the run, in words, each finding with its test. Every window series (TTFT
 * p50 and p99, E2E p99, inter-token p99, error rate, throughput, cost per call, probe accuracy)
 * is tested for a monotonic trend ({@link Trend}: Mann–Kendall, stated when p &lt; {@value #ALPHA}
 * and the series moved at least {@value #MIN_CHANGE_PERCENT} % between the first and the last
 * sixth of the run, or hour when the run is six hours or longer) and for steps
 * ({@link ChangePoint}, at the same significance).
 *
 * <p>Windows where the load generator, not the endpoint, was the bottleneck
 * ({@link #generatorBound}) are flagged and left out of every test.
 *
 * <pre>{@code
 * Degradation d = Degradation.of(RunData.load(dir));
 * d.findings().forEach(f -> System.out.println(f.text()));
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
     * second, is not worth a warning.
     */
    public static boolean lagMatters(Percentiles lag, Percentiles ttft) {
        if (lag.empty() || lag.p99() <= GENERATOR_LAG_MS * 1000) {
            return false;
        }
        return ttft.empty() || lag.p99() > LAG_SHARE_OF_TTFT * ttft.p50();
    }

    /** The share of calls a lag above {@code threshold} (µs) touched, as far as the percentiles tell: "more than 1%" etc. */
    public static String lagShare(Percentiles lag, long threshold) {
        return lag.p50() > threshold ? "more than half of the calls" : lag.p90() > threshold ? "more than 10% of the calls"
                : lag.p99() > threshold ? "more than 1% of the calls" : "fewer than 1% of the calls";
    }

    /** Process CPU, as a percentage of every core, at which a window is the generator's fault. */
    public static final int GENERATOR_CPU_PERCENT = 90;
    /** GC time, as a percentage of the window, at which a window is the generator's fault. */
    public static final int GENERATOR_GC_PERCENT = 10;
    /** Above this many windows a series is tested on the medians of this many groups of consecutive windows. */
    static final int MAX_POINTS = 2_000;
    /** Fewer windows than this and nothing is tested. */
    static final int MIN_WINDOWS = 8;

    /** Up is worse, or down is. */
    enum Worse { UP, DOWN }

    /**
     * One series' verdict.
     *
     * @param series   what was tested, e.g. {@code TTFT p99}
     * @param first    its median over the first part of the run
     * @param last     its median over the last part
     * @param unit     how its values read: {@code ms}, {@code %}, {@code /s}, {@code $}
     * @param trend    the trend test
     * @param steps    significant steps, with the elapsed time at the start of the window they begin in
     * @param worse    whether the change is for the worse
     * @param text     the finding in words, or null when nothing is stated
     */
    public record Finding(String series, double first, double last, String unit, Trend trend, List<Step> steps, boolean worse, String text) {
    }

    /** A step, placed in time. */
    public record Step(ChangePoint change, long elapsedMillis) {
    }

    private final List<Finding> findings;
    private final List<String> byContext;
    private final List<Integer> generatorBound;
    private final int tested;
    private final String part;

    private Degradation(List<Finding> findings, List<String> byContext, List<Integer> generatorBound, int tested, String part) {
        this.findings = findings;
        this.byContext = byContext;
        this.generatorBound = generatorBound;
        this.tested = tested;
        this.part = part;
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
            return new Degradation(List.of(), context(run), List.copyOf(bound), used.size(), "");
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
        String part = partMillis == HOUR ? "hour" : Durations.format(Duration.ofMillis(partMillis));
        List<Finding> out = new ArrayList<>();
        series(out, "TTFT p50", "ms", Worse.UP, used, w -> latencyMs(w, Metric.TTFT, Percentiles::p50), hours, elapsed, window, partMillis, part, maxPoints);
        series(out, "TTFT p99", "ms", Worse.UP, used, w -> latencyMs(w, Metric.TTFT, Percentiles::p99), hours, elapsed, window, partMillis, part, maxPoints);
        series(out, "E2E p99", "ms", Worse.UP, used, w -> latencyMs(w, Metric.E2E, Percentiles::p99), hours, elapsed, window, partMillis, part, maxPoints);
        series(out, "inter-token p99", "ms", Worse.UP, used, w -> latencyMs(w, Metric.ITL, Percentiles::p99), hours, elapsed, window, partMillis, part, maxPoints);
        series(out, "error rate", "%", Worse.UP, used, w -> w.calls() == 0 ? Double.NaN : 100.0 * w.errorCount() / w.calls(), hours, elapsed,
                window, partMillis, part, maxPoints);
        series(out, "throughput", "/s", Worse.DOWN, used, w -> w.calls() / w.seconds(), hours, elapsed, window, partMillis, part, maxPoints);
        series(out, "cost per call", "$", Worse.UP, used, w -> w.calls() == 0 || w.spend().signum() == 0 ? Double.NaN
                : w.spend().doubleValue() / w.calls(), hours, elapsed, window, partMillis, part, maxPoints);
        series(out, "probe accuracy", "%", Worse.DOWN, used, w -> 100 * w.probes().rate(), hours, elapsed, window, partMillis, part, maxPoints);
        return new Degradation(List.copyOf(out), context(run), List.copyOf(bound), used.size(), part);
    }

    /** Steps with fewer calls than this are left out of the fit against context. */
    public static final int MIN_CALLS_PER_STEP = 5;
    /** Context lengths with fewer probe questions than this are left out. */
    static final int MIN_QUESTIONS = 10;

    /** How latency and probe accuracy follow the context's size, each with its test. */
    private static List<String> context(RunData run) {
        List<String> out = new ArrayList<>();
        List<RunData.StepStats> steps = run.steps().stream().filter(s -> s.calls() >= MIN_CALLS_PER_STEP && !s.e2e().empty()).toList();
        if (steps.size() >= 4) {
            double[] k = steps.stream().mapToDouble(s -> s.meanPromptTokens() / 1000).toArray();
            double[] ms = steps.stream().mapToDouble(s -> s.e2e().p50() / 1000.0).toArray();
            Trend t = Trend.of(k, ms);
            RunData.StepStats first = steps.get(0);
            RunData.StepStats last = steps.get(steps.size() - 1);
            String measured = String.format(Locale.ROOT, "measured, step %d (%,.0f prompt tokens) took %s and step %d (%,.0f) %s", first.step(),
                    first.meanPromptTokens(), format(first.e2e().p50() / 1000.0, "ms"), last.step(), last.meanPromptTokens(),
                    format(last.e2e().p50() / 1000.0, "ms"));
            out.add(t.pValue() < ALPHA
                    ? String.format(Locale.ROOT, "E2E p50 %s by %s per 1,000 prompt tokens as context grows: the Theil-Sen line over %d steps runs"
                                    + " from %s at %,.0f prompt tokens to %s at %,.0f (Mann-Kendall %s); %s.",
                            t.slope() >= 0 ? "grows" : "falls", rate(Math.abs(t.slope()), "ms"), steps.size(), format(t.at(k[0]), "ms"),
                            first.meanPromptTokens(), format(t.at(k[k.length - 1]), "ms"), last.meanPromptTokens(), p(t.pValue()), measured)
                    : String.format(Locale.ROOT, "E2E p50 shows no significant trend with context (Mann-Kendall %s over %d steps); %s.",
                            p(t.pValue()), steps.size(), measured));
        }
        Costs costs = run.costs();
        List<Costs.StepCost> priced = costs == null ? List.of()
                : costs.byStep().values().stream().filter(c -> c.calls() >= MIN_CALLS_PER_STEP).toList();
        if (priced.size() >= 4) {
            double[] k = priced.stream().mapToDouble(c -> c.meanPrompt() / 1000).toArray();
            double[] usd = priced.stream().mapToDouble(Costs.StepCost::meanCost).toArray();
            Trend t = Trend.of(k, usd);
            Costs.StepCost first = priced.get(0);
            Costs.StepCost last = priced.get(priced.size() - 1);
            String measured = String.format(Locale.ROOT, "measured, %s a call at %,.0f prompt tokens and %s at %,.0f", format(first.meanCost(), "$"),
                    first.meanPrompt(), format(last.meanCost(), "$"), last.meanPrompt());
            out.add(t.pValue() < ALPHA
                    ? String.format(Locale.ROOT, "Cost per call %s by %s per 1,000 prompt tokens: the Theil-Sen line over %d steps runs from %s at %,.0f"
                                    + " prompt tokens to %s at %,.0f (Mann-Kendall %s); %s.",
                            t.slope() >= 0 ? "grows" : "falls", rate(Math.abs(t.slope()), "$"), priced.size(), format(t.at(k[0]), "$"), first.meanPrompt(),
                            format(t.at(k[k.length - 1]), "$"), last.meanPrompt(), p(t.pValue()), measured)
                    : String.format(Locale.ROOT, "Cost per call shows no significant trend with context (Mann-Kendall %s over %d steps); %s.",
                            p(t.pValue()), priced.size(), measured));
        }
        List<Episodes.ProbeBin> lengths = run.episodes().probeByProcessed().stream()
                .filter(b -> b.accuracy().questions() >= MIN_QUESTIONS).toList();
        if (lengths.size() >= 2) {
            double[] tokens = lengths.stream().mapToDouble(b -> b.meanTokens() / 1000.0).toArray();
            long[] n = lengths.stream().mapToLong(b -> b.accuracy().questions()).toArray();
            long[] x = lengths.stream().mapToLong(b -> b.accuracy().exact()).toArray();
            double[] test = cochranArmitage(tokens, n, x);
            Episodes.ProbeBin first = lengths.get(0);
            Episodes.ProbeBin last = lengths.get(lengths.size() - 1);
            String measured = String.format(Locale.ROOT, "measured, %s at %,.0f tokens and %s at %,.0f (as the server processed them)",
                    format(100 * first.accuracy().rate(), "%"), first.meanTokens(), format(100 * last.accuracy().rate(), "%"), last.meanTokens());
            double from = 100 * (test[2] + test[0] * (tokens[0] - test[3]));
            double to = 100 * (test[2] + test[0] * (tokens[tokens.length - 1] - test[3]));
            out.add(test[1] < ALPHA
                    ? String.format(Locale.ROOT, "Probe accuracy %s %.1f points per 10,000 tokens of context: the weighted line over %d lengths runs from"
                                    + " %s at %,.0f tokens to %s at %,.0f (Cochran-Armitage trend test, %s); %s.",
                            test[0] < 0 ? "falls" : "rises", Math.abs(test[0]) * 100 * 10, lengths.size(), format(from, "%"), first.meanTokens(),
                            format(to, "%"), last.meanTokens(), p(test[1]), measured)
                    : String.format(Locale.ROOT, "Probe accuracy shows no significant trend with context (Cochran-Armitage %s); %s.", p(test[1]),
                            measured));
        }
        return List.copyOf(out);
    }

    /**
     * The Cochran–Armitage test for a trend in proportions {@code x/n} over scores {@code t}: the
     * weighted least-squares slope of the proportion per unit of {@code t}, its two-sided p-value,
     * and the point the line passes through (the overall proportion at the weighted mean score).
     */
    static double[] cochranArmitage(double[] t, long[] n, long[] x) {
        double total = 0;
        double successes = 0;
        double tMean = 0;
        for (int i = 0; i < t.length; i++) {
            total += n[i];
            successes += x[i];
            tMean += n[i] * t[i];
        }
        tMean /= total;
        double p = successes / total;
        double stat = 0;
        double spread = 0;
        for (int i = 0; i < t.length; i++) {
            stat += (t[i] - tMean) * (x[i] - n[i] * p);
            spread += n[i] * (t[i] - tMean) * (t[i] - tMean);
        }
        double var = p * (1 - p) * spread;
        if (var <= 0) {
            return new double[] {0, 1, p, tMean};
        }
        double z = stat / Math.sqrt(var);
        return new double[] {stat / spread, Math.min(1, 2 * Trend.normalTail(Math.abs(z))), p, tMean};
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
                               double[] hours, long[] elapsed, long window, long partMillis, String part, int maxPoints) {
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
        long runEnd = elapsed[elapsed.length - 1] + window; // taken before windows are grouped, as the parts are
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
                steps.add(new Step(c, elapsed[c.index()]));
            }
        }
        double change = first == 0 ? (last == 0 ? 0 : Double.POSITIVE_INFINITY) : (last - first) / Math.abs(first) * 100;
        // a series mostly at zero (errors) can have a zero Theil-Sen slope and a significant trend: the parts decide the direction
        boolean trending = trendSignificant && Math.abs(change) >= MIN_CHANGE_PERCENT
                && (trend.slope() == 0 || Math.signum(change) == Math.signum(trend.slope()));
        boolean isWorse = worse == Worse.UP ? change > 0 : change < 0;
        StringBuilder text = new StringBuilder();
        if (trending) {
            // the parts' medians sit at their middles: from the first's to the last's is the run less one part
            long apartMillis = runEnd - partMillis;
            double implied = apartMillis <= 0 ? Double.NaN : (last - first) / (apartMillis / 3_600_000.0);
            // the trend's rate is quoted only where the parts agree with it, within its confidence interval
            boolean agrees = !stepsExplainBetter && trend.slope() != 0 && implied >= trend.slopeLow() && implied <= trend.slopeHigh();
            text.append(name).append(change > 0 ? " rose " : " fell ")
                    .append(Double.isInfinite(change) ? "from zero" : String.format(Locale.ROOT, "%.0f%%", Math.abs(change)))
                    .append(" from the first to the last ").append(part).append(" (").append(format(first, unit)).append(" to ")
                    .append(format(last, unit));
            if (agrees) {
                text.append(", ").append(clock(apartMillis)).append(" apart; trend ").append(signedRate(trend.slope(), unit)).append(" an hour, 95% CI ")
                        .append(signedRate(trend.slopeLow(), unit)).append(" to ").append(signedRate(trend.slopeHigh(), unit));
            }
            text.append("; Mann-Kendall ").append(p(trend.pValue())).append(")");
        }
        for (Step s : steps) {
            double jump = s.change().after() - s.change().before();
            if (Math.abs(jump) < Math.abs(s.change().before()) * MIN_CHANGE_PERCENT / 100.0) {
                continue; // significant but too small to matter
            }
            text.append(text.length() == 0 ? name + ": " : "; ").append("step from window ").append(windowOf(s.elapsedMillis(), window)).append(" (")
                    .append(clock(s.elapsedMillis())).append(" into the run; ")
                    .append(signed(jump, unit)).append(": ").append(format(s.change().before(), unit)).append(" to ")
                    .append(format(s.change().after(), unit)).append(", permutation ").append(p(s.change().pValue())).append(")");
        }
        out.add(new Finding(name, first, last, unit, trend, List.copyOf(steps), isWorse, text.length() == 0 ? null : text.toString() + "."));
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

    static String format(double v, String unit) {
        return switch (unit) {
            case "ms" -> Latency.PROSE.millis(v);
            case "%" -> String.format(Locale.ROOT, "%.1f%%", v);
            case "/s" -> String.format(Locale.ROOT, "%.2f calls/s", v);
            case "$" -> String.format(Locale.ROOT, "$%.5f", v);
            default -> String.format(Locale.ROOT, "%.3g", v);
        };
    }

    private static String signed(double v, String unit) {
        return (v >= 0 ? "+" : "-") + format(Math.abs(v), unit);
    }

    private static String signedRate(double v, String unit) {
        return (v >= 0 ? "+" : "-") + rate(Math.abs(v), unit);
    }

    /** A rate or slope, to three significant digits whatever its size: a slope of 0.4 ms must not read "0 ms". */
    static String rate(double v, String unit) {
        return switch (unit) {
            case "ms" -> v >= 1000 ? sig3(v / 1000) + " s" : sig3(v) + " ms";
            case "%" -> sig3(v) + "%";
            case "/s" -> sig3(v) + " calls/s";
            case "$" -> "$" + sig3(v);
            default -> sig3(v);
        };
    }

    private static String sig3(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v == 0 ? 0 : v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    static String p(double p) {
        return p < 0.001 ? "p < 0.001" : p < 0.01 ? "p < 0.01" : String.format(Locale.ROOT, "p = %.2f", p);
    }

    private static final long HOUR = 3_600_000;

    private static long windowOf(long elapsedMillis, long window) {
        return elapsedMillis / window + 1;
    }

    /** {@code h:mm:ss}, with tenths when the time is not whole seconds. */
    static String clock(long millis) {
        long seconds = millis / 1000;
        String whole = String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        return millis % 1000 == 0 ? whole : whole + "." + (millis % 1000) / 100;
    }

    /** How latency and probe accuracy follow the context's size, in words, each with its test. */
    public List<String> byContext() {
        return byContext;
    }

    /** Every series tested, with its finding's text or null. */
    public List<Finding> series() {
        return findings;
    }

    /** What is stated: the series whose trend or steps passed their tests. */
    public List<Finding> findings() {
        return findings.stream().filter(f -> f.text() != null).toList();
    }

    /** Windows left out because the load generator was the bottleneck. */
    public List<Integer> generatorBound() {
        return generatorBound;
    }

    /** Windows tested. */
    public int tested() {
        return tested;
    }

    /** The length of the first and last part compared, e.g. {@code hour} or {@code 10m}. */
    public String part() {
        return part;
    }

    /** One sentence on what was tested, for a run with nothing to state, or too short to test. */
    public String summary() {
        if (tested < MIN_WINDOWS) {
            return "Too few windows (" + tested + ") to test for trends: " + MIN_WINDOWS + " or more are needed.";
        }
        List<Finding> stated = findings();
        if (stated.isEmpty()) {
            return "Nothing degraded: over " + tested + " windows no series (" + String.join(", ", findings.stream().map(Finding::series).toList())
                    + ") showed a trend or step of " + MIN_CHANGE_PERCENT + "% or more at p < " + ALPHA + ".";
        }
        long worse = stated.stream().filter(Finding::worse).count();
        return worse == 0 ? "Changes over the run, none for the worse:" : worse + " of " + findings.size() + " series degraded over the run:";
    }
}
