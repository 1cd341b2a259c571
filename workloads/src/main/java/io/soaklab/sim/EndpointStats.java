package io.soaklab.sim;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of what the endpoint did; cheap to update from every event loop. */
final class EndpointStats {
    final LongAdder requests = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder abandoned = new LongAdder();
    final LongAdder tokens = new LongAdder();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger peakActive = new AtomicInteger();

    void opened() {
        int now = active.incrementAndGet();
        peakActive.accumulateAndGet(now, Math::max);
    }
}
