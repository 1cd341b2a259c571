package io.soaklab.protocol;

/**
 * Token usage of one call, in OpenAI's accounting: {@code promptTokens} includes
 * {@code cachedTokens}, and {@code completionTokens} includes {@code reasoningTokens}.
 *
 * @param promptTokens     input tokens, cached ones included
 * @param completionTokens output tokens, reasoning included
 * @param cachedTokens     input tokens served from the provider's prompt cache
 * @param reasoningTokens  output tokens spent on hidden reasoning
 * @param source           where the numbers come from
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, Source source) {

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
    }

    /** No usage known. */
    public static final Usage NONE = new Usage(0, 0, 0, 0, Source.NONE);

    /** True unless {@link #source()} is {@link Source#NONE}. */
    public boolean known() {
        return source != Source.NONE;
    }
}
