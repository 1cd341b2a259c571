package io.soaklab.internal.record;

import io.soaklab.protocol.ModelClient;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stalled endpoint seen directly: the longest time, window by window, that calls were open and
 * no byte of any of them arrived. In a closed loop a stall holds back only the calls in flight
 * during it (the next ones are intended when those end), so it shows in a few calls and in lost
 * throughput, not in the percentiles; this sees it whatever the load model. Sampled every
 * millisecond by the pause meter's thread, from what the client keeps: the calls open and when
 * the last byte came.
 */
final class Silence {

    private volatile ModelClient client;
    /** Since when calls have been open without a pause ({@link System#nanoTime()}), -1 when none is; the meter's thread only. */
    private long openSince = -1;
    private final AtomicLong longest = new AtomicLong();

    /** Watches {@code c}'s calls from now on. */
    void watch(ModelClient c) {
        client = c;
    }

    /** One look, at {@code now}. */
    void sample(long now) {
        ModelClient c = client;
        if (c == null) {
            return;
        }
        int open = c.openCalls();
        long last = c.lastByteNanos();
        if (open <= 0 || last < 0) {
            openSince = -1;
            return;
        }
        if (openSince < 0) {
            openSince = now;
        }
        long quiet = now - Math.max(openSince, last);
        if (quiet > longest.get()) {
            longest.accumulateAndGet(quiet, Math::max);
        }
    }

    /** The longest silence since the previous call, in microseconds; -1 when no client is watched. */
    long takeLongestMicros() {
        return client == null ? -1 : longest.getAndSet(0) / 1000;
    }
}
