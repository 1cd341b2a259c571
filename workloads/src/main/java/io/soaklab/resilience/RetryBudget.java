package io.soaklab.resilience;

/** Retries over a sliding 10-second window, at most {@code ratio} of first attempts plus a floor per second. */
final class RetryBudget {

    private static final int BUCKETS = 10;
    private static final long BUCKET_NANOS = 1_000_000_000L;

    private final double ratio;
    private final double floor;
    private final long[] requests = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private long current = Long.MIN_VALUE;

    RetryBudget(Resilience.Budget budget) {
        this.ratio = budget.ratio();
        this.floor = budget.minPerSecond() * BUCKETS;
    }

    synchronized void request(long now) {
        requests[advance(now)]++;
    }

    synchronized boolean tryRetry(long now) {
        int at = advance(now);
        long req = 0;
        long ret = 0;
        for (int i = 0; i < BUCKETS; i++) {
            req += requests[i];
            ret += retries[i];
        }
        if (ret + 1 > floor + ratio * req) {
            return false;
        }
        retries[at]++;
        return true;
    }

    /** Moves the window to {@code now}, clearing buckets that fell out of it; the index of now's bucket. */
    private int advance(long now) {
        long bucket = Math.floorDiv(now, BUCKET_NANOS);
        if (current == Long.MIN_VALUE) {
            current = bucket;
        }
        for (long b = current + 1; b <= bucket && b <= current + BUCKETS; b++) {
            int i = (int) Math.floorMod(b, BUCKETS);
            requests[i] = 0;
            retries[i] = 0;
        }
        current = Math.max(current, bucket);
        return (int) Math.floorMod(bucket, BUCKETS);
    }
}
