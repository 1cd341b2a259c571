package io.soaklab.internal.analysis;

import org.HdrHistogram.Histogram;

/**
 * The summary of one latency distribution, in microseconds.
 *
 * @param count values recorded
 * @param p50   median
 * @param p90   90th percentile
 * @param p99   99th percentile
 * @param p999  99.9th percentile
 * @param max   largest value
 * @param mean  arithmetic mean
 */
public record Percentiles(long count, long p50, long p90, long p99, long p999, long max, double mean) {

    /** No values. */
    public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0);

    public static Percentiles of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new Percentiles(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
    }

    public boolean empty() {
        return count == 0;
    }
}
