package io.soaklab.load;

import io.soaklab.protocol.Usage;
import java.util.concurrent.atomic.LongAdder;

/** Usage summed from many threads: an episode's lanes (a coordinator's specialists) call at once. */
final class UsageTally {
    private final LongAdder prompt = new LongAdder();
    private final LongAdder completion = new LongAdder();
    private final LongAdder cached = new LongAdder();
    private final LongAdder reasoning = new LongAdder();
    private final LongAdder cacheWrite = new LongAdder();
    private final LongAdder cacheWrite1h = new LongAdder();

    void add(Usage u) {
        prompt.add(u.promptTokens());
        completion.add(u.completionTokens());
        cached.add(u.cachedTokens());
        reasoning.add(u.reasoningTokens());
        cacheWrite.add(u.cacheWriteTokens());
        cacheWrite1h.add(u.cacheWrite1hTokens());
    }

    /** The sum so far. */
    Usage sum() {
        return new Usage(prompt.sum(), completion.sum(), cached.sum(), reasoning.sum(), cacheWrite.sum(), cacheWrite1h.sum(), Usage.Source.SERVER);
    }
}
