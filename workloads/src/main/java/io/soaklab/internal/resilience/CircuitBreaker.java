package io.soaklab.internal.resilience;

/**
 * Closed: calls go out, and their outcomes are counted over a sliding window. Open: calls fail at
 * once. Half-open, after the open time: one trial call goes out; its outcome, and only its, closes
 * or reopens the breaker (calls let through before it opened may still be reporting back).
 */
final class CircuitBreaker {

    private static final int CALLS = 0;
    private static final int FAILURES = 1;

    private enum State { CLOSED, OPEN, HALF_OPEN }

    private final double failureRatio;
    private final int minCalls;
    private final long windowNanos;
    private final long openNanos;
    private final Window window;
    private State state = State.CLOSED;
    private long openUntil;
    private long trialSince = -1;
    private long openings;

    CircuitBreaker(Resilience.Breaker config) {
        this.failureRatio = config.failureRatio();
        this.minCalls = config.minCalls();
        this.windowNanos = config.window().toNanos();
        this.openNanos = config.openFor().toNanos();
        this.window = new Window(windowNanos, 2);
    }

    synchronized Guard.Pass permit(long now) {
        switch (state) {
            case CLOSED:
                return Guard.Pass.GRANTED;
            case OPEN:
                if (now - openUntil < 0) {
                    return Guard.Pass.DENIED;
                }
                state = State.HALF_OPEN;
                trialSince = now;
                return Guard.Pass.TRIAL;
            default:
                // one trial at a time; a trial that never reports back (its caller stopped) is replaced
                if (trialSince >= 0 && now - trialSince < Math.max(openNanos, windowNanos)) {
                    return Guard.Pass.DENIED;
                }
                trialSince = now;
                return Guard.Pass.TRIAL;
        }
    }

    synchronized void record(boolean failure, Guard.Pass pass, long now) {
        if (state == State.HALF_OPEN && pass == Guard.Pass.TRIAL) {
            trialSince = -1;
            if (failure) {
                open(now);
            } else {
                state = State.CLOSED;
                window.clear();
            }
        } else if (state == State.CLOSED && pass == Guard.Pass.GRANTED) {
            window.add(CALLS, now);
            if (failure) {
                window.add(FAILURES, now);
            }
            long c = window.sum(CALLS, now);
            if (c >= minCalls && window.sum(FAILURES, now) >= failureRatio * c) {
                open(now);
            }
        }
        // anything else is a call let through in another state: it changes nothing
    }

    synchronized long openings() {
        return openings;
    }

    private void open(long now) {
        state = State.OPEN;
        openUntil = now + openNanos;
        openings++;
    }
}
