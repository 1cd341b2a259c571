package io.soaklab.internal.servermetrics;

/**
 * A quantile estimated from cumulative histogram buckets the way PromQL's {@code histogram_quantile}
 * does, over a window's increase: the buckets at the window's end less those at its start.
 *
 * <p>The rank is {@code q} times the {@code +Inf} bucket's count; the answer lies in the first bucket
 * whose cumulative count reaches the rank, by linear interpolation between that bucket's lower bound
 * (the previous bucket's upper bound, or 0 for the first bucket) and its upper bound, as if its
 * observations were spread evenly. A rank that falls in the {@code +Inf} bucket gives the highest
 * finite bound: the histogram cannot say more. A first bucket whose upper bound is 0 or less gives that
 * bound. {@code q} below 0 gives -Inf, above 1 +Inf, NaN gives NaN; no {@code +Inf} bucket, fewer than
 * two buckets, or no observations (an idle window) give NaN. Counts that fall from one bucket to the
 * next (which a server writing its buckets non-atomically can produce) are raised to their predecessor,
 * as PromQL does. A rank of 0 in an empty first bucket gives its lower bound (PromQL would give NaN).
 *
 * <p>A counter reset: if any bucket, or the count, is lower at the window's end than at its start, the
 * server restarted (or its histogram was recreated) within the window, and the end's buckets alone are
 * the increase, since the restart; so they are if the bucket bounds changed.
 */
public final class HistogramQuantile {

    private HistogramQuantile() {
    }

    /** The {@code q} quantile of the observations between {@code start} (null: none, since the server started) and {@code end}. */
    static double quantile(double q, HistogramSeries start, HistogramSeries end) {
        HistogramSeries d = delta(start, end);
        return quantile(q, d.upperBounds(), d.cumulativeCounts());
    }

    /**
     * The increase from {@code start} to {@code end} as a histogram of its own: {@code end} itself if
     * {@code start} is null, has other bounds, or is above {@code end} anywhere (a counter reset).
     */
    static HistogramSeries delta(HistogramSeries start, HistogramSeries end) {
        if (start == null || !java.util.Arrays.equals(start.upperBounds(), end.upperBounds())) {
            return end;
        }
        int n = end.buckets();
        double[] counts = new double[n];
        for (int i = 0; i < n; i++) {
            counts[i] = end.cumulativeCounts()[i] - start.cumulativeCounts()[i];
            if (counts[i] < 0) {
                return end;
            }
        }
        double count = end.count() - start.count();
        if (count < 0) {
            return end;
        }
        return new HistogramSeries(end.labels(), end.upperBounds(), counts, end.sum() - start.sum(), count);
    }

    /** The {@code q} quantile of cumulative buckets {@code counts} with upper bounds {@code bounds} (ascending, +Inf last). */
    public static double quantile(double q, double[] bounds, double[] counts) {
        int n = bounds.length;
        if (Double.isNaN(q) || n < 2 || counts.length != n || bounds[n - 1] != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        double[] c = monotonic(counts);
        double total = c[n - 1];
        if (!(total > 0)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        double rank = q * total;
        int b = 0;
        while (b < n - 1 && c[b] < rank) {
            b++;
        }
        if (b == n - 1) {
            return bounds[n - 2];
        }
        if (b == 0 && bounds[0] <= 0) {
            return bounds[0];
        }
        double lower = 0;
        double inBucket = c[b];
        if (b > 0) {
            lower = bounds[b - 1];
            inBucket -= c[b - 1];
            rank -= c[b - 1];
        }
        if (inBucket == 0) {
            return lower;
        }
        return lower + (bounds[b] - lower) * (rank / inBucket);
    }

    private static double[] monotonic(double[] counts) {
        double[] c = counts;
        for (int i = 1; i < c.length; i++) {
            if (c[i] < c[i - 1]) {
                if (c == counts) {
                    c = counts.clone();
                }
                c[i] = c[i - 1];
            }
        }
        return c;
    }
}
