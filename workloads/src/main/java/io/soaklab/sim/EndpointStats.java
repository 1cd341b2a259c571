package io.soaklab.sim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    void opened() {
        int now = active.incrementAndGet();
        peakActive.accumulateAndGet(now, Math::max);
    }

    /** Counts an outcome or injected fault by name ({@code rate_limited}, {@code reset}, ...). */
    void count(String what) {
        outcomes.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    long counted(String what) {
        LongAdder a = outcomes.get(what);
        return a == null ? 0 : a.sum();
    }
}
