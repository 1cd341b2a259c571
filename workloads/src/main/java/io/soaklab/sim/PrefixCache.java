package io.soaklab.sim;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The endpoint's prompt cache: prefixes of conversations (identified by a hash at a message or
 * breakpoint boundary) with their token counts, each alive until its time-to-live passes without
 * a hit. Bounded: past {@value #MAX_ENTRIES} entries a sweep, off the event loops, drops the
 * expired ones and then the nearest to expiry, down to three quarters (a cache may always forget).
 */
final class PrefixCache {

    static final int MAX_ENTRIES = 500_000;

    private record Entry(long tokens, long expires) {
    }

    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private final Executor housekeeping;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    PrefixCache(Executor housekeeping) {
        this.housekeeping = housekeeping;
    }

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
        entries.merge(hash, new Entry(tokens, now + ttlNanos), (old, neu) -> new Entry(neu.tokens, Math.max(old.expires, neu.expires)));
        if (entries.size() >= MAX_ENTRIES && sweeping.compareAndSet(false, true)) {
            housekeeping.execute(() -> {
                try {
                    sweep(System.nanoTime());
                } finally {
                    sweeping.set(false);
                }
            });
        }
    }

    /** Drops expired entries, then those nearest to expiry, down to three quarters of the bound. */
    void sweep(long now) {
        entries.values().removeIf(e -> e.expires <= now);
        int excess = entries.size() - MAX_ENTRIES * 3 / 4;
        if (excess <= 0) {
            return;
        }
        long[] expiries = entries.values().stream().mapToLong(Entry::expires).toArray();
        Arrays.sort(expiries);
        long cutoff = expiries[Math.min(expiries.length - 1, excess)];
        entries.values().removeIf(e -> e.expires <= cutoff);
    }

    int size() {
        return entries.size();
    }
}
