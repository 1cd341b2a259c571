package io.soaklab.protocol;

/**
 * Token usage of one call, in OpenAI's accounting whatever the protocol: {@code promptTokens}
 * includes {@code cachedTokens} and {@code cacheWriteTokens}, and {@code completionTokens}
 * includes {@code reasoningTokens}. (Anthropic reports its input in three parts that add up to
 * {@code promptTokens}.)
 *
 * @param promptTokens       input tokens, cached and cache-writing ones included
 * @param completionTokens   output tokens, reasoning included
 * @param cachedTokens       input tokens read from the provider's prompt cache
 * @param reasoningTokens    output tokens spent on hidden reasoning, when reported
 * @param cacheWriteTokens   input tokens written to the prompt cache (Anthropic), all lifetimes
 * @param cacheWrite1hTokens of those, tokens written with a one-hour lifetime
 * @param source             where the numbers come from
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                    long cacheWriteTokens, long cacheWrite1hTokens, Source source) {

    /** Where usage numbers come from. */
    public enum Source {
        /** Reported by the server. */
        SERVER("server"),
        /** Counted locally because the server reported none. */
        ESTIMATED("estimated"),
        /** Not known (the call failed before anything could be counted). */
        NONE("none");

        private final String wireName;

        Source(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** The source a run folder names; an unknown name reads as the server's (the oldest folders wrote none). */
        public static Source ofWireName(String name) {
            for (Source s : values()) {
                if (s.wireName.equals(name)) {
                    return s;
                }
            }
            return SERVER;
        }
    }

    /** No usage known. */
    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, Source.NONE);

    /** Usage without prompt-cache writes (OpenAI's case). */
    public Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, Source source) {
        this(promptTokens, completionTokens, cachedTokens, reasoningTokens, 0, 0, source);
    }

    /**
     * This usage and {@code other} together, field by field: an episode's or a role's from its
     * calls'. The sum rests on the server's counts when both do, on none when neither is known, and
     * is estimated otherwise.
     */
    public Usage plus(Usage other) {
        Source s = other.source == Source.NONE ? source : source == Source.NONE ? other.source
                : source == Source.SERVER && other.source == Source.SERVER ? Source.SERVER : Source.ESTIMATED;
        return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens, cachedTokens + other.cachedTokens,
                reasoningTokens + other.reasoningTokens, cacheWriteTokens + other.cacheWriteTokens, cacheWrite1hTokens + other.cacheWrite1hTokens, s);
    }

    /** True unless {@link #source()} is {@link Source#NONE}. */
    public boolean known() {
        return source != Source.NONE;
    }

    /** Input tokens neither read from nor written to the cache. */
    public long freshInputTokens() {
        return promptTokens - cachedTokens - cacheWriteTokens;
    }
}
