package io.soaklab.sim;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoint's prompt cache: prefixes of conversations (identified by a hash at a message or
 * breakpoint boundary) with their token counts, each alive until its time-to-live passes without
 * a hit. Bounded: past {@value #MAX_ENTRIES} entries the expired ones are swept, and if that is not
 * enough, everything is dropped (a cache may always forget).
 */
final class PrefixCache {

    static final int MAX_ENTRIES = 500_000;

    private record Entry(long tokens, long expires) {
    }

    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();

    /** Tokens of the longest boundary among {@code hashes} still cached at {@code now}; refreshes it. */
    long longest(long[] hashes, long[] tokens, int count, long ttlNanos, long now) {
        for (int i = count - 1; i >= 0; i--) {
            Entry e = entries.get(hashes[i]);
            if (e != null && e.expires > now) {
                entries.put(hashes[i], new Entry(e.tokens, Math.max(e.expires, now + ttlNanos)));
                return tokens[i];
            }
        }
        return 0;
    }

    void store(long hash, long tokens, long ttlNanos, long now) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(e -> e.expires <= now);
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
        }
        entries.merge(hash, new Entry(tokens, now + ttlNanos), (old, neu) -> new Entry(neu.tokens, Math.max(old.expires, neu.expires)));
    }

    int size() {
        return entries.size();
    }
}
