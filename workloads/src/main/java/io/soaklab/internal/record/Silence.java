package io.soaklab.internal.record;

import io.soaklab.protocol.ModelClient;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stalled endpoint seen directly: the longest time, window by window, that replies were
 * streaming (a first byte arrived, the end not yet) and no byte of any call arrived. A call waiting
 * for its first token is not counted: a long prefill is not a stall. In a closed loop a stall holds
 * back only the calls in flight during it (the next ones are intended when those end), so it shows
 * in a few calls and in lost
 * throughput, not in the percentiles; this sees it whatever the load model. A silence counts in the
 * window it ends in (one still going when the run ends is not counted). Sampled every
 * millisecond by the pause meter's thread, from what the client keeps: the replies streaming and
 * when the last byte came.
 */
final class Silence {

    private volatile ModelClient client;
    /** Since when replies have been streaming without a pause ({@link System#nanoTime()}), -1 when none is; the meter's thread only. */
    private long openSince = -1;
    /** Since when the silence being watched lasts, and how long it has so far; the meter's thread only. */
    private long quietFrom = -1;
    private long quietFor;
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
        int open = c.streamingCalls();
        long last = c.lastByteNanos();
        if (open <= 0 || last < 0) {
            ended(); // nothing streams: a silence, if any, is over
            openSince = -1;
            return;
        }
        if (openSince < 0) {
            openSince = now;
        }
        long from = Math.max(openSince, last);
        if (from != quietFrom) {
            ended(); // a byte came: the silence before it is over
            quietFrom = from;
        }
        quietFor = now - from;
    }

    /** The silence being watched is over: it counts in the window it ends in. */
    private void ended() {
        if (quietFor > 0 && quietFor > longest.get()) {
            longest.accumulateAndGet(quietFor, Math::max);
        }
        quietFor = 0;
    }

    /** The longest silence since the previous call, in microseconds; -1 when no client is watched. */
    long takeLongestMicros() {
        return client == null ? -1 : longest.getAndSet(0) / 1000;
    }
}
