package io.soaklab.resilience;

/**
 * Closed: calls go out, and their outcomes are counted over a sliding window. Open: calls fail at
 * once. Half-open, after the open time: one trial call goes out; its outcome closes or reopens.
 */
final class CircuitBreaker {

    private static final int BUCKETS = 10;

    private enum State { CLOSED, OPEN, HALF_OPEN }

    private final double failureRatio;
    private final int minCalls;
    private final long bucketNanos;
    private final long openNanos;
    private final long[] calls = new long[BUCKETS];
    private final long[] failures = new long[BUCKETS];
    private long current = Long.MIN_VALUE;
    private State state = State.CLOSED;
    private long openUntil;
    private long trialSince = -1;
    private long openings;

    CircuitBreaker(Resilience.Breaker config) {
        this.failureRatio = config.failureRatio();
        this.minCalls = config.minCalls();
        this.bucketNanos = Math.max(1, config.window().toNanos() / BUCKETS);
        this.openNanos = config.openFor().toNanos();
    }

    synchronized boolean permit(long now) {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (now - openUntil < 0) {
                    return false;
                }
                state = State.HALF_OPEN;
                trialSince = now;
                return true;
            default:
                // one trial at a time; a trial that never reports back (its caller stopped) is replaced
                if (trialSince >= 0 && now - trialSince < Math.max(openNanos, bucketNanos * BUCKETS)) {
                    return false;
                }
                trialSince = now;
                return true;
        }
    }

    synchronized void record(boolean failure, long now) {
        switch (state) {
            case HALF_OPEN -> {
                trialSince = -1;
                if (failure) {
                    open(now);
                } else {
                    state = State.CLOSED;
                    java.util.Arrays.fill(calls, 0);
                    java.util.Arrays.fill(failures, 0);
                }
            }
            case CLOSED -> {
                int at = advance(now);
                calls[at]++;
                if (failure) {
                    failures[at]++;
                }
                long c = 0;
                long f = 0;
                for (int i = 0; i < BUCKETS; i++) {
                    c += calls[i];
                    f += failures[i];
                }
                if (c >= minCalls && f >= failureRatio * c) {
                    open(now);
                }
            }
            default -> {
                // outcomes of calls let through before it opened change nothing
            }
        }
    }

    synchronized long openings() {
        return openings;
    }

    private void open(long now) {
        state = State.OPEN;
        openUntil = now + openNanos;
        openings++;
    }

    private int advance(long now) {
        long bucket = Math.floorDiv(now, bucketNanos);
        if (current == Long.MIN_VALUE) {
            current = bucket;
        }
        for (long b = current + 1; b <= bucket && b <= current + BUCKETS; b++) {
            int i = (int) Math.floorMod(b, BUCKETS);
            calls[i] = 0;
            failures[i] = 0;
        }
        current = Math.max(current, bucket);
        return (int) Math.floorMod(bucket, BUCKETS);
    }
}
