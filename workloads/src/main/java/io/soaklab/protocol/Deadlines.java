package io.soaklab.protocol;

import java.util.concurrent.TimeUnit;

/**
 * soaklab's own deadlines of a call, from a client's {@link Timeouts} (the connect timeout is
 * async-http-client's): which one has passed at a given moment, when to look again, and what to
 * say of one that passed. Times are nanoseconds after the request was sent; a first or last token
 * at -1 has not come yet. Immutable: one per client, shared by its calls.
 */
final class Deadlines {

    private final long firstToken;
    private final long idle;
    private final long total;

    Deadlines(Timeouts timeouts) {
        this.firstToken = nanosOrInfinite(timeouts.firstToken().toNanos());
        this.idle = nanosOrInfinite(timeouts.idle().toNanos());
        this.total = nanosOrInfinite(timeouts.call().toNanos());
    }

    /** The timeout that has passed at {@code now}, or null. */
    ErrorClass expired(long now, long firstTokenAt, long lastTokenAt) {
        if (now >= total) {
            return ErrorClass.TIMEOUT_TOTAL;
        }
        if (firstTokenAt < 0) {
            return now >= firstToken ? ErrorClass.TIMEOUT_FIRST_TOKEN : null;
        }
        return now >= saturatedAdd(lastTokenAt, idle) ? ErrorClass.TIMEOUT_IDLE : null;
    }

    /**
     * The nearest deadline after {@code now}; before the first token also the next idle period, so
     * that once tokens flow the idle deadline is tracked without touching the timer on every token.
     * {@link Long#MAX_VALUE} when there is none.
     */
    long next(long now, long firstTokenAt, long lastTokenAt) {
        return firstTokenAt < 0
                ? Math.min(Math.min(firstToken, total), saturatedAdd(now, idle))
                : Math.min(saturatedAdd(lastTokenAt, idle), total);
    }

    /** What to say of the timeout {@code kind}, which {@link #expired} found passed at {@code now}. */
    String describe(ErrorClass kind, long now, long lastTokenAt) {
        return switch (kind) {
            case TIMEOUT_FIRST_TOKEN -> "no content token within " + millis(firstToken) + " ms of sending";
            case TIMEOUT_IDLE -> "no content token for " + millis(now - lastTokenAt) + " ms (idle timeout " + millis(idle) + " ms)";
            default -> "call exceeded the total timeout of " + millis(total) + " ms";
        };
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long nanosOrInfinite(long nanos) {
        return nanos <= 0 ? Long.MAX_VALUE : nanos;
    }
}
