package io.soaklab.internal.resilience;

import java.util.Arrays;

/**
 * Counts over a sliding time window, kept in ten buckets: what the retry budget and the circuit
 * breaker both look back over. Not thread-safe; its owners synchronize.
 */
final class Window {

    private static final int BUCKETS = 10;

    private final long bucketNanos;
    private final long[][] counts;
    private long current = Long.MIN_VALUE;

    /** A window of {@code nanos}, counting {@code kinds} things. */
    Window(long nanos, int kinds) {
        this.bucketNanos = Math.max(1, nanos / BUCKETS);
        this.counts = new long[kinds][BUCKETS];
    }

    /** Counts one {@code kind} at {@code now}. */
    void add(int kind, long now) {
        counts[kind][advance(now)]++;
    }

    /** The count of {@code kind} over the window ending at {@code now}. */
    long sum(int kind, long now) {
        advance(now);
        long total = 0;
        for (long c : counts[kind]) {
            total += c;
        }
        return total;
    }

    void clear() {
        for (long[] c : counts) {
            Arrays.fill(c, 0);
        }
    }

    /** Moves the window to {@code now}, clearing buckets that fell out of it; the index of now's bucket. */
    private int advance(long now) {
        long bucket = Math.floorDiv(now, bucketNanos);
        if (current == Long.MIN_VALUE) {
            current = bucket;
        }
        for (long b = current + 1; b <= bucket && b <= current + BUCKETS; b++) {
            int i = (int) Math.floorMod(b, BUCKETS);
            for (long[] c : counts) {
                c[i] = 0;
            }
        }
        current = Math.max(current, bucket);
        return (int) Math.floorMod(bucket, BUCKETS);
    }
}
