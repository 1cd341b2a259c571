package io.soaklab.internal.resilience;

/** Retries over a sliding 10-second window, at most {@code ratio} of first attempts plus a floor per second. */
final class RetryBudget {

    private static final int REQUESTS = 0;
    private static final int RETRIES = 1;
    private static final long WINDOW_SECONDS = 10;

    private final double ratio;
    private final double floor;
    private final Window window = new Window(WINDOW_SECONDS * 1_000_000_000L, 2);

    RetryBudget(Resilience.Budget budget) {
        this.ratio = budget.ratio();
        this.floor = budget.minPerSecond() * WINDOW_SECONDS;
    }

    synchronized void request(long now) {
        window.add(REQUESTS, now);
    }

    synchronized boolean tryRetry(long now) {
        if (window.sum(RETRIES, now) + 1 > floor + ratio * window.sum(REQUESTS, now)) {
            return false;
        }
        window.add(RETRIES, now);
        return true;
    }
}
