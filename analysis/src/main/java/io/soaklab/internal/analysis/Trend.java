package io.soaklab.internal.analysis;

import org.apache.commons.statistics.distribution.NormalDistribution;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Whether a series drifts: the Theil–Sen slope (the median of the slopes between every pair of
 * points, robust to a third of the points being outliers) and the Mann–Kendall test of a
 * monotonic trend (two-sided, with the tie correction and the normal approximation, sound from
 * about ten points).
 *
 * <pre>{@code
 * Trend t = Trend.of(hours, p99TtftSeconds);
 * if (t.pValue() < 0.01) { ... t.slope() seconds per hour ... }
 * }</pre>
 *
 * <p>Windows of a soak are not independent (a slow hour is followed by a slow hour), and
 * autocorrelation makes any trend test too eager; soaklab asks for p &lt; 0.01 before it states a
 * trend, and {@code TrendTest} measures the false-positive rate on flat noise.
 *
 * @param n         points used (NaN values are left out)
 * @param slope     Theil–Sen slope, in units of the values per unit of {@code x}
 * @param intercept the line's value at {@code x = 0} (median of {@code y − slope·x})
 * @param s         Mann–Kendall S: concordant minus discordant pairs
 * @param z         its normal score
 * @param pValue    two-sided p-value of "no monotonic trend"
 * @param slopeLow  lower end of the slope's 95% confidence interval (Sen's, from the ranks of the pairwise slopes)
 * @param slopeHigh upper end of it
 */
public record Trend(int n, double slope, double intercept, long s, double z, double pValue, double slopeLow, double slopeHigh) {

    /** The normal quantile of the confidence interval: 95%, two-sided. */
    static final double Z_95 = 1.959964;

    /** Above this many points the slope is the median of a seeded sample of pairs, not of all of them. */
    static final int ALL_PAIRS_UP_TO = 2_000;
    private static final int SAMPLED_PAIRS = 2_000_000;

    /** The trend of {@code y} over {@code x}; points whose {@code y} is NaN are left out. */
    public static Trend of(double[] x, double[] y) {
        int n = 0;
        double[] xs = new double[x.length];
        double[] ys = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            if (!Double.isNaN(y[i])) {
                xs[n] = x[i];
                ys[n] = y[i];
                n++;
            }
        }
        xs = Arrays.copyOf(xs, n);
        ys = Arrays.copyOf(ys, n);
        if (n < 3) {
            return new Trend(n, 0, n == 0 ? Double.NaN : ys[0], 0, 0, 1, Double.NaN, Double.NaN);
        }
        double[] slopes = slopes(xs, ys);
        double slope = slopes.length == 0 ? 0 : median(slopes);
        double[] residual = new double[n];
        for (int i = 0; i < n; i++) {
            residual[i] = ys[i] - slope * xs[i];
        }
        double intercept = median(residual);
        long s = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                s += Long.signum(Double.compare(ys[j], ys[i])) * (long) Long.signum(Double.compare(xs[j], xs[i]));
            }
        }
        double var = n * (n - 1.0) * (2 * n + 5);
        double[] sorted = ys.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && sorted[j] == sorted[i]) {
                j++;
            }
            long t = j - i;
            var -= t * (t - 1.0) * (2 * t + 5);
            i = j;
        }
        var /= 18;
        double z = var <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(var) : s < 0 ? (s + 1) / Math.sqrt(var) : 0;
        double[] interval = interval(slopes, n, var);
        return new Trend(n, slope, intercept, s, z, Math.min(1, 2 * normalTail(Math.abs(z))), interval[0], interval[1]);
    }

    /**
     * Sen's confidence interval: with N pairwise slopes in order and C = z·√Var(S), the slopes of
     * rank (N − C)/2 and (N + C)/2 + 1; from a sample of the pairs, the same fractions of it.
     */
    private static double[] interval(double[] sortedSlopes, int n, double varS) {
        int k = sortedSlopes.length;
        if (k == 0 || varS <= 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double pairs = n * (n - 1.0) / 2;
        double c = Z_95 * Math.sqrt(varS);
        double low = Math.max(0, (pairs - c) / 2 / pairs);
        double high = Math.min(1, ((pairs + c) / 2 + 1) / pairs);
        int lo = (int) Math.max(0, Math.min(k - 1, Math.floor(low * k) - 1));
        int hi = (int) Math.max(0, Math.min(k - 1, Math.ceil(high * k) - 1));
        return new double[] {sortedSlopes[lo], sortedSlopes[hi]};
    }

    /** The fitted line's value at {@code x}. */
    public double at(double x) {
        return intercept + slope * x;
    }

    /** Every pairwise slope (a seeded sample of them for a long series), sorted. */
    private static double[] slopes(double[] x, double[] y) {
        int n = x.length;
        double[] slopes;
        int k = 0;
        if (n <= ALL_PAIRS_UP_TO) {
            slopes = new double[n * (n - 1) / 2];
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (x[j] != x[i]) {
                        slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
                    }
                }
            }
        } else {
            slopes = new double[SAMPLED_PAIRS];
            SplittableRandom random = new SplittableRandom(n);
            while (k < SAMPLED_PAIRS) {
                int i = random.nextInt(n);
                int j = random.nextInt(n);
                if (x[j] != x[i]) {
                    slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
                }
            }
        }
        double[] sorted = Arrays.copyOf(slopes, k);
        Arrays.sort(sorted);
        return sorted;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    /** P(Z > z) for a standard normal Z (commons-statistics: accurate in the far tail too). */
    static double normalTail(double z) {
        return STANDARD_NORMAL.survivalProbability(z);
    }
}
