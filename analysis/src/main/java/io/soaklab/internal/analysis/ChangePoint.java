package io.soaklab.internal.analysis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A step in a series: where its level shifts, found by binary segmentation on the CUSUM of
 * deviations from the mean. In a segment, the point where the cumulative sum of {@code y − mean}
 * is furthest from zero splits it; the split counts when fewer than {@code alpha} of
 * {@value #PERMUTATIONS} seeded shuffles of the segment reach as large a maximum (a permutation
 * test: no assumption about the noise's distribution). Each side is then searched again, breadth
 * first, at most {@value #MOST} steps in all, each side at least {@value #MIN_SEGMENT} points.
 *
 * <pre>{@code
 * for (ChangePoint c : ChangePoint.find(p99, 0.01)) {
 *     // c.index(): the first point of the new level; c.before(), c.after(): the levels' medians
 * }
 * }</pre>
 *
 * @param index  the first point after the step (an index into the series given)
 * @param before the median of the segment before it
 * @param after  the median of the segment after it
 * @param pValue the permutation test's p-value
 */
public record ChangePoint(int index, double before, double after, double pValue) {

    static final int PERMUTATIONS = 999;
    static final int MOST = 5;
    static final int MIN_SEGMENT = 3;

    /** The steps in {@code y} significant at {@code alpha}, in order; NaN points are skipped. */
    public static List<ChangePoint> find(double[] y, double alpha) {
        int[] at = new int[y.length];
        double[] v = new double[y.length];
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            if (!Double.isNaN(y[i])) {
                at[n] = i;
                v[n++] = y[i];
            }
        }
        List<int[]> splits = new ArrayList<>(); // {index into v, permutation count}
        SplittableRandom random = new SplittableRandom(20261122L);
        // breadth first: the whole series, then both halves, then their halves, so that the cap on steps
        // does not spend itself on one side of the series
        ArrayDeque<int[]> segments = new ArrayDeque<>();
        segments.add(new int[] {0, n});
        while (!segments.isEmpty() && splits.size() < MOST) {
            int[] seg = segments.poll();
            int k = split(v, seg[0], seg[1], alpha, random, splits);
            if (k > 0) {
                segments.add(new int[] {seg[0], k});
                segments.add(new int[] {k, seg[1]});
            }
        }
        splits.sort(Comparator.comparingInt(s -> s[0]));
        // a split found in a wide segment can sit a point off when the level next to it is near that segment's mean:
        // place each again between its final neighbours, where one mean each side fits best
        for (int i = 0; i < splits.size(); i++) {
            int from = i == 0 ? 0 : splits.get(i - 1)[0];
            int to = i == splits.size() - 1 ? n : splits.get(i + 1)[0];
            splits.get(i)[0] = bestSplit(v, from, to);
        }
        List<ChangePoint> out = new ArrayList<>();
        for (int i = 0; i < splits.size(); i++) {
            int k = splits.get(i)[0];
            int from = i == 0 ? 0 : splits.get(i - 1)[0];
            int to = i == splits.size() - 1 ? n : splits.get(i + 1)[0];
            out.add(new ChangePoint(at[k], Trend.median(Arrays.copyOfRange(v, from, k)),
                    Trend.median(Arrays.copyOfRange(v, k, to)), (splits.get(i)[1] + 1.0) / (PERMUTATIONS + 1)));
        }
        return out;
    }

    /** Tests one segment; returns where it splits (and records it), or -1. */
    private static int split(double[] v, int from, int to, double alpha, SplittableRandom random, List<int[]> splits) {
        if (to - from < 2 * MIN_SEGMENT) {
            return -1;
        }
        double[] segment = Arrays.copyOfRange(v, from, to);
        int k = argmax(segment);
        if (k < MIN_SEGMENT || segment.length - k < MIN_SEGMENT) {
            return -1;
        }
        double observed = cusum(segment);
        int reached = 0;
        double[] shuffled = segment.clone();
        for (int p = 0; p < PERMUTATIONS; p++) {
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                double t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            if (cusum(shuffled) >= observed) {
                reached++;
            }
        }
        if ((reached + 1.0) / (PERMUTATIONS + 1) >= alpha) {
            return -1;
        }
        splits.add(new int[] {from + k, reached});
        return from + k;
    }

    /** Where one mean before and one after leave the least squared error in {@code v[from, to)}. */
    private static int bestSplit(double[] v, int from, int to) {
        double total = 0;
        for (int i = from; i < to; i++) {
            total += v[i];
        }
        double left = 0;
        double best = Double.NEGATIVE_INFINITY;
        int at = from + MIN_SEGMENT;
        for (int k = from + 1; k < to; k++) {
            left += v[k - 1];
            int nl = k - from;
            int nr = to - k;
            if (nl < MIN_SEGMENT || nr < MIN_SEGMENT) {
                continue;
            }
            // minimising the squared error is maximising nl·mean_l² + nr·mean_r²
            double fit = left * left / nl + (total - left) * (total - left) / nr;
            if (fit > best) {
                best = fit;
                at = k;
            }
        }
        return at;
    }

    /** The largest |cumulative sum of deviations from the mean|. */
    private static double cusum(double[] s) {
        return cusumPeak(s)[0];
    }

    /** Where the cumulative sum is furthest from zero: the first index after the step. */
    private static int argmax(double[] s) {
        return (int) cusumPeak(s)[1];
    }

    /** The CUSUM of deviations from the mean: its largest magnitude, and the index after which it is reached. */
    private static double[] cusumPeak(double[] s) {
        double mean = 0;
        for (double x : s) {
            mean += x;
        }
        mean /= s.length;
        double c = 0;
        double max = 0;
        int k = 0;
        for (int i = 0; i < s.length - 1; i++) {
            c += s[i] - mean;
            if (Math.abs(c) > max) {
                max = Math.abs(c);
                k = i + 1;
            }
        }
        return new double[] {max, k};
    }
}
