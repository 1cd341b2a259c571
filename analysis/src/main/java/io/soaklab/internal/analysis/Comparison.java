package io.soaklab.internal.analysis;

import org.apache.commons.statistics.inference.MannWhitneyUTest;
import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.Metric;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Two runs side by side: for each window series, the median window of each and whether they
 * differ, by a Mann–Whitney U test on the per-window values (two-sided; exact for the small samples
 * of a few windows without ties, else tie-corrected with continuity correction). A window is one sample, so the test asks whether
 * B's windows tend to sit above or below A's, not whether two single calls differ.
 *
 * <p>With few windows no window test can reach {@link #ALPHA} (3 against 3: its smallest p-value
 * is exactly 0.10), however far apart the runs are. Then the medians (TTFT p50, E2E p50) are
 * tested on the calls themselves, a Mann–Whitney test on every successful call of the measured
 * windows (up to {@value #MAX_CALLS} a run, evenly spread), and the row says so; the other rows
 * say that their windows are too few and what the smallest p-value was. Calls of one run are not
 * independent (they share the endpoint's load at the time), so a call test is a weaker witness
 * than a window test with enough windows; docs/analysis.md says more.
 *
 * <pre>{@code
 * Comparison c = Comparison.of(RunData.load(a), RunData.load(b));
 * c.differences().forEach(r -> System.out.println(r.series() + ": " + r.a() + " to " + r.b() + " " + r.unit() + ", p = " + r.pValue()));
 * }</pre>
 *
 * <p>The report puts the rows and what to keep in mind reading them in words ({@code report.Sentences}).
 */
public final class Comparison {

    /** Significance asked before a difference is stated. */
    public static final double ALPHA = 0.01;
    /** Calls of a run a call test uses at most (evenly spread over the run). */
    static final int MAX_CALLS = 100_000;

    /** What a row's p-value rests on. */
    public enum Test {
        /** Mann–Whitney on the two runs' per-window values. */
        WINDOWS,
        /** Mann–Whitney on the two runs' calls, because their windows were too few. */
        CALLS,
        /** Nothing: too few windows, and no call-level value for this series. */
        NONE
    }

    /**
     * One series compared.
     *
     * @param series  e.g. {@code TTFT p99}
     * @param unit    as {@link Degradation.Finding#unit()}
     * @param a       the median window of run A (NaN without data)
     * @param b       of run B
     * @param pValue  Mann–Whitney's two-sided p-value (1 when it could not be tested)
     * @param test    what the p-value rests on
     * @param callsA  the calls of A tested, when the test is on {@link Test#CALLS} (else 0)
     * @param callsB  of B
     * @param worse   true when B differs from A for the worse
     */
    public record Row(String series, String unit, double a, double b, double pValue, Test test, int callsA, int callsB, boolean worse) {
    }

    /**
     * A run's windows in the comparison.
     *
     * @param compared the windows compared
     * @param leftOut  the windows left out because the run's load generator was the bottleneck there
     */
    public record Windows(int compared, long leftOut) {
    }

    private final RunData a;
    private final RunData b;
    private final List<Row> rows;

    private Comparison(RunData a, RunData b, List<Row> rows) {
        this.a = a;
        this.b = b;
        this.rows = rows;
    }

    public static Comparison of(RunData a, RunData b) throws IOException {
        List<Row> rows = new ArrayList<>();
        boolean fewWindows = smallestP(windows(a).compared(), windows(b).compared()) >= ALPHA;
        CallValues ca = fewWindows ? CallValues.read(a) : null;
        CallValues cb = fewWindows ? CallValues.read(b) : null;
        row(rows, "TTFT p50", "ms", true, a, b, w -> latencyMs(w, Metric.TTFT, Percentiles::p50), fewWindows ? new double[][] {ca.ttft(), cb.ttft()} : null);
        row(rows, "TTFT p99", "ms", true, a, b, w -> latencyMs(w, Metric.TTFT, Percentiles::p99), null);
        row(rows, "E2E p50", "ms", true, a, b, w -> latencyMs(w, Metric.E2E, Percentiles::p50), fewWindows ? new double[][] {ca.e2e(), cb.e2e()} : null);
        row(rows, "E2E p99", "ms", true, a, b, w -> latencyMs(w, Metric.E2E, Percentiles::p99), null);
        row(rows, "inter-token p99", "ms", true, a, b, w -> latencyMs(w, Metric.ITL, Percentiles::p99), null);
        row(rows, "episode p50", "ms", true, a, b, w -> latencyMs(w, Metric.EPISODE, Percentiles::p50), null);
        row(rows, "error rate", "%", true, a, b, w -> w.calls() == 0 ? Double.NaN : 100.0 * w.errorCount() / w.calls(), null);
        row(rows, "throughput", "/s", false, a, b, w -> w.calls() / w.seconds(), null);
        row(rows, "cost per call", "$", true, a, b, w -> w.calls() == 0 || w.spend().signum() == 0 ? Double.NaN : w.spend().doubleValue() / w.calls(), null);
        row(rows, "probe accuracy", "%", false, a, b, w -> 100 * w.probes().rate(), null);
        return new Comparison(a, b, List.copyOf(rows));
    }

    private static Windows windows(RunData run) {
        long leftOut = run.windows().stream().filter(w -> Degradation.generatorBound(w, seconds(run))).count();
        return new Windows(values(run, w -> 1).length, leftOut);
    }

    private static double latencyMs(WindowStats w, Metric m, ToDoubleFunction<Percentiles> which) {
        Percentiles p = w.latency(m);
        return p.empty() ? Double.NaN : which.applyAsDouble(p) / 1000.0;
    }

    /** The fewest windows a side needs, with as many on the other, for a window test to be able to reach {@link #ALPHA}. */
    public static int windowsNeeded() {
        int n = 3;
        while (smallestP(n, n) >= ALPHA) {
            n++;
        }
        return n;
    }

    /**
     * @param calls the two runs' per-call values for this series (ms), tested when the windows are too few; null when the
     *              series has none
     */
    private static void row(List<Row> rows, String name, String unit, boolean upIsWorse, RunData a, RunData b, ToDoubleFunction<WindowStats> value,
                            double[][] calls) {
        double[] x = values(a, value);
        double[] y = values(b, value);
        if (x.length == 0 && y.length == 0) {
            return;
        }
        double ma = x.length == 0 ? Double.NaN : Trend.median(x);
        double mb = y.length == 0 ? Double.NaN : Trend.median(y);
        Test test = Test.WINDOWS;
        double p = mannWhitney(x, y);
        int callsA = 0;
        int callsB = 0;
        if (smallestP(x.length, y.length) >= ALPHA) {
            if (calls != null && calls[0].length >= 3 && calls[1].length >= 3) {
                test = Test.CALLS;
                p = mannWhitney(calls[0], calls[1]);
                ma = Trend.median(calls[0]);
                mb = Trend.median(calls[1]);
                callsA = calls[0].length;
                callsB = calls[1].length;
            } else {
                test = Test.NONE;
                p = 1;
            }
        }
        boolean worse = p < ALPHA && (upIsWorse ? mb > ma : mb < ma);
        rows.add(new Row(name, unit, ma, mb, p, test, callsA, callsB, worse));
    }

    /** The smallest two-sided p-value {@link #mannWhitney} can give for samples of {@code n1} and {@code n2}: theirs when they do not overlap. */
    static double smallestP(int n1, int n2) {
        double[] x = new double[n1];
        double[] y = new double[n2];
        for (int i = 0; i < n2; i++) {
            y[i] = n1 + i;
        }
        for (int i = 0; i < n1; i++) {
            x[i] = i;
        }
        return mannWhitney(x, y);
    }

    /** A run's successful calls' TTFT and E2E (ms) in its measured windows where the load generator kept up, the recorder's rule ({@link Metric#ofAttempt}). */
    private record CallValues(double[] ttft, double[] e2e) {

        static CallValues read(RunData run) throws IOException {
            double window = seconds(run);
            java.util.Set<Integer> used = new java.util.HashSet<>();
            run.windows().stream().filter(w -> !Degradation.generatorBound(w, window)).forEach(w -> used.add(w.index()));
            double[][] all = {new double[1024], new double[1024]};
            int[] n = new int[2];
            CallLine.read(run.dir(), line -> {
                if (line.warmup() || !used.contains(line.window())) {
                    return;
                }
                Metric.ofAttempt(line.error(), line.last(), line.lagUs(), line.e2eUs(), line.ttftSentUs(), line.tpotUs(), line.callTtft(), line.callE2e(),
                        line.callTtftTool(), (metric, micros) -> {
                            int i = metric == Metric.TTFT ? 0 : metric == Metric.E2E ? 1 : -1;
                            if (i >= 0 && micros >= 0) {
                                if (n[i] == all[i].length) {
                                    all[i] = Arrays.copyOf(all[i], n[i] * 2);
                                }
                                all[i][n[i]++] = micros / 1000.0;
                            }
                        });
            });
            return new CallValues(spread(all[0], n[0]), spread(all[1], n[1]));
        }

        /** At most {@link #MAX_CALLS} of the first {@code n} values, evenly spread. */
        private static double[] spread(double[] values, int n) {
            if (n <= MAX_CALLS) {
                return Arrays.copyOf(values, n);
            }
            double[] out = new double[MAX_CALLS];
            for (int i = 0; i < MAX_CALLS; i++) {
                out[i] = values[(int) ((long) i * n / MAX_CALLS)];
            }
            return out;
        }
    }

    /** The run's values per window, but for windows where its load generator was the bottleneck. */
    private static double[] values(RunData run, ToDoubleFunction<WindowStats> value) {
        double window = seconds(run);
        return run.windows().stream().filter(w -> !Degradation.generatorBound(w, window)).mapToDouble(value).filter(v -> !Double.isNaN(v)).toArray();
    }

    private static double seconds(RunData run) {
        return run.manifest().config().schedule().window().toMillis() / 1000.0;
    }

    private static final MannWhitneyUTest MANN_WHITNEY = MannWhitneyUTest.withDefaults();

    /**
     * Two-sided p-value of the Mann–Whitney U test that {@code x} and {@code y} come from one
     * distribution: exact for the small samples of a few windows each (without ties), the normal
     * approximation with continuity correction beyond (commons-statistics); 1 with fewer than three values on a side.
     */
    static double mannWhitney(double[] x, double[] y) {
        if (x.length < 3 || y.length < 3) {
            return 1;
        }
        return MANN_WHITNEY.test(x, y).getPValue();
    }

    public RunData a() {
        return a;
    }

    public RunData b() {
        return b;
    }

    public List<Row> rows() {
        return rows;
    }

    /** A's windows: compared, and left out. */
    public Windows windowsA() {
        return windows(a);
    }

    /** B's windows. */
    public Windows windowsB() {
        return windows(b);
    }

    /**
     * The smallest p-value a window test can give with these runs' windows: at or above {@link #ALPHA}, the windows are too
     * few, and the medians are tested on the calls ({@link Test#CALLS}).
     */
    public double smallestP() {
        return smallestP(windowsA().compared(), windowsB().compared());
    }

    /** Rows where B differs from A at {@link #ALPHA}. */
    public List<Row> differences() {
        return rows.stream().filter(r -> r.pValue() < ALPHA).toList();
    }
}
