package io.soaklab.internal.analysis;

import io.soaklab.internal.cost.TokenKind;
import io.soaklab.protocol.Usage;

/** The changes a projection's what-ifs make to each measured call's usage before pricing it again. */
final class UsageChanges {

    private UsageChanges() {
    }

    /** How a provider's cache turns a hit or a miss into a bill. */
    enum CacheRule {
        /** OpenAI, Google: the prefix is cached as it is read; a miss is fresh input, a hit a read. */
        AUTOMATIC,
        /** Anthropic: the cache is written at the client's breakpoints; a miss is written again (at the write price), a hit is read. */
        WRITTEN;

        /** The rule of the cache the run measured: one that reported writes, or an Anthropic model's, is written at breakpoints. */
        static CacheRule of(Costs measured) {
            long writes = measured.tokensByKind().getOrDefault(TokenKind.CACHE_WRITE_5M, 0L)
                    + measured.tokensByKind().getOrDefault(TokenKind.CACHE_WRITE_1H, 0L);
            return writes > 0 || "anthropic".equals(measured.tariff().price().provider()) ? WRITTEN : AUTOMATIC;
        }
    }

    /**
     * Moves cache reads: by {@code points} of the prompt (+ more hits, - fewer), or, {@code relative},
     * by that fraction of the cache reads themselves, as the provider's cache would bill it: under
     * {@link CacheRule#AUTOMATIC} between reads and fresh input; under {@link CacheRule#WRITTEN} a
     * miss becomes a (five-minute) write and a hit is taken from the writes first, then fresh input.
     */
    static Usage moveCache(Usage u, double points, boolean relative, CacheRule rule) {
        long fresh = u.promptTokens() - u.cachedTokens() - u.cacheWriteTokens();
        long move = Math.round(relative ? u.cachedTokens() * points : u.promptTokens() * points);
        if (rule == CacheRule.AUTOMATIC) {
            long cached = Math.max(0, Math.min(u.cachedTokens() + fresh, u.cachedTokens() + move));
            return new Usage(u.promptTokens(), u.completionTokens(), cached, u.reasoningTokens(), u.cacheWriteTokens(), u.cacheWrite1hTokens(),
                    u.source());
        }
        long writes = u.cacheWriteTokens();
        long hour = u.cacheWrite1hTokens();
        if (move < 0) { // misses: reads written again
            long missed = Math.min(u.cachedTokens(), -move);
            return new Usage(u.promptTokens(), u.completionTokens(), u.cachedTokens() - missed, u.reasoningTokens(), writes + missed, hour,
                    u.source());
        }
        long fromWrites = Math.min(writes, move); // hits: the five-minute writes first, then the hour's, then fresh input
        long fromFive = Math.min(writes - hour, fromWrites);
        long fromFresh = Math.min(fresh, move - fromWrites);
        return new Usage(u.promptTokens(), u.completionTokens(), u.cachedTokens() + fromWrites + fromFresh, u.reasoningTokens(),
                writes - fromWrites, hour - (fromWrites - fromFive), u.source());
    }

    /**
     * The measured usage as another provider's cache would bill it: from a cache written at
     * breakpoints to an automatic one, the writes are fresh input; from an automatic cache to a
     * written one, when the run's agent cached at all ({@code cached}), each call's prompt tokens
     * not read from cache are written (five-minute) at the breakpoint the client puts at its end.
     */
    static Usage convertCache(Usage u, CacheRule from, CacheRule to, boolean cached) {
        if (from == to) {
            return u;
        }
        if (to == CacheRule.AUTOMATIC) {
            return new Usage(u.promptTokens(), u.completionTokens(), u.cachedTokens(), u.reasoningTokens(), 0, 0, u.source());
        }
        if (!cached) {
            return u;
        }
        return new Usage(u.promptTokens(), u.completionTokens(), u.cachedTokens(), u.reasoningTokens(),
                Math.max(0, u.promptTokens() - u.cachedTokens()), 0, u.source());
    }

    static Usage growContext(Usage u, double factor) {
        return new Usage(Math.round(u.promptTokens() * factor), u.completionTokens(), Math.round(u.cachedTokens() * factor),
                u.reasoningTokens(), Math.round(u.cacheWriteTokens() * factor), Math.round(u.cacheWrite1hTokens() * factor), u.source());
    }

    static Usage growOutput(Usage u, double factor) {
        return new Usage(u.promptTokens(), Math.round(u.completionTokens() * factor), u.cachedTokens(),
                Math.round(u.reasoningTokens() * factor), u.cacheWriteTokens(), u.cacheWrite1hTokens(), u.source());
    }
}
