package io.soaklab.analysis;

import io.soaklab.record.Metric;
import io.soaklab.text.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Two runs side by side: for each window series, the median window of each and whether they
 * differ, by a Mann–Whitney U test on the per-window values (two-sided, tie-corrected, normal
 * approximation with continuity correction). A window is one sample, so the test asks whether
 * B's windows tend to sit above or below A's, not whether two single calls differ.
 *
 * <pre>{@code
 * Comparison c = Comparison.of(RunData.load(a), RunData.load(b));
 * c.rows().forEach(r -> System.out.println(r.text()));
 * }</pre>
 */
public final class Comparison {

    /** Significance asked before a difference is stated. */
    public static final double ALPHA = 0.01;

    /**
     * One series compared.
     *
     * @param series  e.g. {@code TTFT p99}
     * @param unit    as {@link Degradation.Finding#unit()}
     * @param a       the median window of run A (NaN without data)
     * @param b       of run B
     * @param pValue  Mann–Whitney's two-sided p-value (1 when a side has fewer than 3 windows)
     * @param worse   true when B differs from A for the worse
     * @param text    the comparison in words
     */
    public record Row(String series, String unit, double a, double b, double pValue, boolean worse, String text) {
    }

    private final RunData a;
    private final RunData b;
    private final List<Row> rows;
    private final List<String> caveats;

    private Comparison(RunData a, RunData b, List<Row> rows, List<String> caveats) {
        this.a = a;
        this.b = b;
        this.rows = rows;
        this.caveats = caveats;
    }

    public static Comparison of(RunData a, RunData b) {
        List<Row> rows = new ArrayList<>();
        row(rows, "TTFT p50", "ms", true, a, b, w -> latencyMs(w, Metric.TTFT, Percentiles::p50));
        row(rows, "TTFT p99", "ms", true, a, b, w -> latencyMs(w, Metric.TTFT, Percentiles::p99));
        row(rows, "E2E p50", "ms", true, a, b, w -> latencyMs(w, Metric.E2E, Percentiles::p50));
        row(rows, "E2E p99", "ms", true, a, b, w -> latencyMs(w, Metric.E2E, Percentiles::p99));
        row(rows, "inter-token p99", "ms", true, a, b, w -> latencyMs(w, Metric.ITL, Percentiles::p99));
        row(rows, "episode p50", "ms", true, a, b, w -> latencyMs(w, Metric.EPISODE, Percentiles::p50));
        row(rows, "error rate", "%", true, a, b, w -> w.calls() == 0 ? Double.NaN : 100.0 * w.errorCount() / w.calls());
        row(rows, "throughput", "/s", false, a, b, w -> w.calls() / w.seconds());
        row(rows, "cost per call", "$", true, a, b, w -> w.calls() == 0 || w.spend().signum() == 0 ? Double.NaN : w.spend().doubleValue() / w.calls());
        row(rows, "probe accuracy", "%", false, a, b, w -> 100 * w.probes().rate());
        List<String> caveats = new ArrayList<>();
        Duration wa = a.manifest().config().window();
        Duration wb = b.manifest().config().window();
        if (!wa.equals(wb)) {
            caveats.add("A's windows last " + Durations.format(wa) + " and B's " + Durations.format(wb)
                    + ": a window's percentiles rest on more or fewer calls, so its p99 is not quite the same measure");
        }
        for (RunData run : new RunData[] {a, b}) {
            long bound = run.windows().stream().filter(w -> Degradation.generatorBound(w, seconds(run))).count();
            if (bound > 0) {
                caveats.add(bound + " of " + (run == a ? "A" : "B") + "'s windows are left out: its load generator was the bottleneck there");
            }
        }
        return new Comparison(a, b, List.copyOf(rows), List.copyOf(caveats));
    }

    private static double latencyMs(WindowStats w, Metric m, ToDoubleFunction<Percentiles> which) {
        Percentiles p = w.latency(m);
        return p.empty() ? Double.NaN : which.applyAsDouble(p) / 1000.0;
    }

    private static void row(List<Row> rows, String name, String unit, boolean upIsWorse, RunData a, RunData b, ToDoubleFunction<WindowStats> value) {
        double[] x = values(a, value);
        double[] y = values(b, value);
        if (x.length == 0 && y.length == 0) {
            return;
        }
        double ma = x.length == 0 ? Double.NaN : Trend.median(x);
        double mb = y.length == 0 ? Double.NaN : Trend.median(y);
        double p = mannWhitney(x, y);
        double change = ma == 0 ? Double.NaN : (mb - ma) / Math.abs(ma) * 100;
        boolean differs = p < ALPHA;
        boolean worse = differs && (upIsWorse ? mb > ma : mb < ma);
        String text;
        if (Double.isNaN(ma) || Double.isNaN(mb)) {
            text = name + ": only one run has it";
        } else if (differs) {
            text = String.format(Locale.ROOT, "%s %s %s in B (%s to %s, Mann-Whitney %s)", name, mb > ma ? "higher" : "lower",
                    Double.isNaN(change) ? "" : String.format(Locale.ROOT, "by %.0f%%", Math.abs(change)), Degradation.format(ma, unit),
                    Degradation.format(mb, unit), Degradation.p(p)).replace("  ", " ");
        } else {
            text = String.format(Locale.ROOT, "%s: no significant difference (%s and %s, Mann-Whitney %s)", name, Degradation.format(ma, unit),
                    Degradation.format(mb, unit), Degradation.p(p));
        }
        rows.add(new Row(name, unit, ma, mb, p, worse, text));
    }

    /** The run's values per window, but for windows where its load generator was the bottleneck. */
    private static double[] values(RunData run, ToDoubleFunction<WindowStats> value) {
        double window = seconds(run);
        return run.windows().stream().filter(w -> !Degradation.generatorBound(w, window)).mapToDouble(value).filter(v -> !Double.isNaN(v)).toArray();
    }

    private static double seconds(RunData run) {
        return run.manifest().config().window().toMillis() / 1000.0;
    }

    /** Two-sided p-value of the Mann–Whitney U test that {@code x} and {@code y} come from one distribution. */
    static double mannWhitney(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        if (n1 < 3 || n2 < 3) {
            return 1;
        }
        int n = n1 + n2;
        double[][] all = new double[n][];
        for (int i = 0; i < n1; i++) {
            all[i] = new double[] {x[i], 0};
        }
        for (int i = 0; i < n2; i++) {
            all[n1 + i] = new double[] {y[i], 1};
        }
        Arrays.sort(all, (p, q) -> Double.compare(p[0], q[0]));
        double rankSumX = 0;
        double ties = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && all[j][0] == all[i][0]) {
                j++;
            }
            double rank = (i + 1 + j) / 2.0; // the mean of ranks i+1..j
            for (int k = i; k < j; k++) {
                if (all[k][1] == 0) {
                    rankSumX += rank;
                }
            }
            double t = j - i;
            ties += t * t * t - t;
            i = j;
        }
        double u = rankSumX - n1 * (n1 + 1) / 2.0;
        double mean = n1 * (double) n2 / 2;
        double var = n1 * (double) n2 / 12 * ((n + 1) - ties / ((double) n * (n - 1)));
        if (var <= 0) {
            return 1;
        }
        double z = (Math.abs(u - mean) - 0.5) / Math.sqrt(var);
        return Math.min(1, 2 * Trend.normalTail(Math.max(0, z)));
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

    /** What to keep in mind reading the rows: unlike windows, windows left out. */
    public List<String> caveats() {
        return caveats;
    }

    /** Rows where B differs from A at {@link #ALPHA}. */
    public List<Row> differences() {
        return rows.stream().filter(r -> r.pValue() < ALPHA).toList();
    }
}
