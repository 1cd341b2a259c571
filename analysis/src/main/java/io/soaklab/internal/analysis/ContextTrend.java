package io.soaklab.internal.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a series follows the context's size, with its test: the median E2E latency and the mean cost
 * of a call at each step of the agents' sessions, against the step's mean prompt tokens (Theil–Sen
 * line, Mann–Kendall test; steps with {@value #MIN_CALLS_PER_STEP} calls or more, four steps or
 * more); long-context probe accuracy against the context lengths the server processed (weighted
 * least-squares line, Cochran–Armitage trend test; lengths with {@value #MIN_QUESTIONS} questions
 * or more, two lengths or more). The line is quoted at the first and the last step (or length)
 * beside what was measured there.
 *
 * <pre>{@code
 * ContextTrend.of(RunData.load(dir)).forEach(t -> System.out.println(t.series() + " " + t.slope() + " per 1,000 tokens"));
 * }</pre>
 *
 * @param series what follows the context
 * @param points the steps (for probe accuracy, the lengths) fitted
 * @param slope  the line's slope per 1,000 tokens, in the series' unit: ms, $, or percentage points
 * @param pValue the test's, two-sided
 * @param from   the line and the measurement at the first step (or the shortest length)
 * @param to     at the last (or the longest)
 */
public record ContextTrend(Series series, int points, double slope, double pValue, End from, End to) {

    /** Steps with fewer calls than this are left out of the fit against context. */
    public static final int MIN_CALLS_PER_STEP = 5;
    /** Context lengths with fewer probe questions than this are left out. */
    static final int MIN_QUESTIONS = 10;

    /** What follows the context: E2E p50 (ms), cost per call ($), probe accuracy (%). */
    public enum Series { E2E_P50, COST_PER_CALL, PROBE_ACCURACY }

    /**
     * One end of the fit.
     *
     * @param step     the session step (-1 for a probe length)
     * @param tokens   its mean prompt tokens (for a probe length, as the server processed them)
     * @param line     the fitted line's value there
     * @param measured the value measured there
     */
    public record End(int step, double tokens, double line, double measured) {
    }

    /** Whether the trend is significant at {@link Degradation#ALPHA}. */
    public boolean significant() {
        return pValue < Degradation.ALPHA;
    }

    /** Each series of {@code run} that has enough steps or lengths to fit. */
    public static List<ContextTrend> of(RunData run) {
        List<ContextTrend> out = new ArrayList<>();
        List<RunData.StepStats> steps = run.steps().stream().filter(s -> s.calls() >= MIN_CALLS_PER_STEP && !s.e2e().empty()).toList();
        if (steps.size() >= 4) {
            double[] k = steps.stream().mapToDouble(s -> s.meanPromptTokens() / 1000).toArray();
            double[] ms = steps.stream().mapToDouble(s -> s.e2e().p50() / 1000.0).toArray();
            Trend t = Trend.of(k, ms);
            RunData.StepStats first = steps.get(0);
            RunData.StepStats last = steps.get(steps.size() - 1);
            out.add(new ContextTrend(Series.E2E_P50, steps.size(), t.slope(), t.pValue(),
                    new End(first.step(), first.meanPromptTokens(), t.at(k[0]), ms[0]),
                    new End(last.step(), last.meanPromptTokens(), t.at(k[k.length - 1]), ms[ms.length - 1])));
        }
        Costs costs = run.costs();
        List<Map.Entry<Integer, Costs.StepCost>> priced = costs == null ? List.of()
                : costs.byStep().entrySet().stream().filter(c -> c.getValue().calls() >= MIN_CALLS_PER_STEP).toList();
        if (priced.size() >= 4) {
            double[] k = priced.stream().mapToDouble(c -> c.getValue().meanPrompt() / 1000).toArray();
            double[] usd = priced.stream().mapToDouble(c -> c.getValue().meanCost()).toArray();
            Trend t = Trend.of(k, usd);
            Map.Entry<Integer, Costs.StepCost> first = priced.get(0);
            Map.Entry<Integer, Costs.StepCost> last = priced.get(priced.size() - 1);
            out.add(new ContextTrend(Series.COST_PER_CALL, priced.size(), t.slope(), t.pValue(),
                    new End(first.getKey(), first.getValue().meanPrompt(), t.at(k[0]), usd[0]),
                    new End(last.getKey(), last.getValue().meanPrompt(), t.at(k[k.length - 1]), usd[usd.length - 1])));
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
            double from = 100 * (test[2] + test[0] * (tokens[0] - test[3]));
            double to = 100 * (test[2] + test[0] * (tokens[tokens.length - 1] - test[3]));
            out.add(new ContextTrend(Series.PROBE_ACCURACY, lengths.size(), test[0] * 100, test[1],
                    new End(-1, first.meanTokens(), from, 100 * first.accuracy().rate()),
                    new End(-1, last.meanTokens(), to, 100 * last.accuracy().rate())));
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
}
