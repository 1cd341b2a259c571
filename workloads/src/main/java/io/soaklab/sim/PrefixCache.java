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

    /**
     * What one request reads from the cache, and (Anthropic) writes to it.
     *
     * @param read             prompt tokens served from the cache
     * @param written          prompt tokens written to it
     * @param writtenForAnHour of those, written with a one-hour lifetime
     */
    record Use(long read, long written, long writtenForAnHour) {
        static final Use NONE = new Use(0, 0, 0);
    }

    /**
     * How many block boundaries before a breakpoint Anthropic checks for a cached prefix: "the
     * system automatically checks for cache hits at all previous content block boundaries (up to
     * approximately 20 blocks before your explicit breakpoint)" (prompt-caching docs). Each block
     * counts as one here; Anthropic counts a run of consecutive tool_use (or tool_result) blocks as one.
     */
    static final int LOOKBACK_BLOCKS = 20;

    /** What the cache holds of {@code request}: a hit is drawn from {@code service} (one draw, when caching applies). */
    Use lookup(SimRequest request, SimConfig.Caching caching, java.util.SplittableRandom service, long now) {
        SimRequest.Prefixes prefixes = request.prefixes();
        boolean explicit = request.explicitCache();
        if (!caching.enabled() || prefixes.count == 0 || explicit && prefixes.breakpoints == 0) {
            return Use.NONE;
        }
        boolean hit = service.nextDouble() < caching.hitProbability();
        long ttl = caching.ttl().toNanos();
        if (explicit) {
            // Anthropic: reads the longest cached prefix at a boundary up to LOOKBACK_BLOCKS before a breakpoint, writes up
            // to the last breakpoint: for an hour up to the last one-hour breakpoint, for five minutes after it
            long found = hit ? longestBeforeBreakpoints(prefixes, ttl, now) : 0;
            long read = found >= caching.minTokens() ? found : 0;
            int last = lastBreakpoint(prefixes);
            long upTo = prefixes.tokens[last];
            if (upTo >= caching.minTokens() && upTo > read) {
                return new Use(read, upTo - read, hourUpTo(prefixes, last, read, caching.minTokens()) - read);
            }
            return new Use(read, 0, 0);
        }
        // OpenAI: automatic, in steps of the granularity from the minimum on
        long found = hit ? longest(prefixes.hashes, prefixes.tokens, prefixes.count, ttl, now) : 0;
        long steps = found / caching.granularity() * caching.granularity();
        return new Use(steps >= caching.minTokens() ? Math.min(steps, request.promptTokens()) : 0, 0, 0);
    }

    /** Tokens of the longest cached boundary within {@link #LOOKBACK_BLOCKS} before a breakpoint; refreshes it. */
    private long longestBeforeBreakpoints(SimRequest.Prefixes prefixes, long ttlNanos, long now) {
        int reach = Integer.MAX_VALUE; // the lowest boundary a breakpoint at or after i looks back to; none yet
        for (int i = prefixes.count - 1; i >= 0; i--) {
            if (prefixes.breakpoint[i]) {
                reach = i - LOOKBACK_BLOCKS;
            }
            if (i < reach) {
                continue; // after the last breakpoint, or further back than any breakpoint's lookback
            }
            Entry e = entries.get(prefixes.hashes[i]);
            if (e != null && e.expires > now) {
                entries.put(prefixes.hashes[i], new Entry(e.tokens, Math.max(e.expires, now + ttlNanos)));
                return prefixes.tokens[i];
            }
        }
        return 0;
    }

    /**
     * Where the one-hour writes end: the last one-hour breakpoint past {@code read} (and long enough to be cached), else
     * {@code read}. Anthropic's rule for mixed lifetimes (prompt-caching docs, "Mixing different TTLs"): with A the tokens
     * read, B this point and C the last breakpoint, B − A tokens are written for an hour and C − B for five minutes.
     */
    private static long hourUpTo(SimRequest.Prefixes prefixes, int last, long read, long minTokens) {
        long upTo = read;
        for (int i = 0; i <= last; i++) {
            if (prefixes.breakpoint[i] && prefixes.hour[i] && prefixes.tokens[i] > upTo && prefixes.tokens[i] >= minTokens) {
                upTo = prefixes.tokens[i];
            }
        }
        return upTo;
    }

    private static int lastBreakpoint(SimRequest.Prefixes prefixes) {
        int last = prefixes.count - 1;
        while (!prefixes.breakpoint[last]) {
            last--;
        }
        return last;
    }

    /** Remembers {@code request}'s prefixes once it is served. */
    void storeAll(SimRequest request, SimConfig.Caching caching, long now) {
        SimRequest.Prefixes prefixes = request.prefixes();
        if (!caching.enabled()) {
            return;
        }
        long ttl = caching.ttl().toNanos();
        for (int i = 0; i < prefixes.count; i++) {
            if (request.explicitCache()) {
                if (prefixes.breakpoint[i]) { // Anthropic writes its cache at the breakpoints
                    store(prefixes.hashes[i], prefixes.tokens[i], prefixes.hour[i] ? java.util.concurrent.TimeUnit.HOURS.toNanos(1) : ttl, now);
                }
            } else if (prefixes.tokens[i] >= caching.minTokens()) {
                store(prefixes.hashes[i], prefixes.tokens[i], ttl, now);
            }
        }
    }
}
