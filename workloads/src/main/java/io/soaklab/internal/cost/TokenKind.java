package io.soaklab.internal.cost;

/**
 * The kinds of token a bill prices differently. Every call's usage splits into these without
 * overlap: input is fresh, read from cache, or written to cache (for five minutes or an hour);
 * output is visible output or reasoning.
 */
public enum TokenKind {
    FRESH_INPUT, CACHE_READ, CACHE_WRITE_5M, CACHE_WRITE_1H, OUTPUT, REASONING;

    /** Its price's field in a price file. */
    public String field() {
        return switch (this) {
            case FRESH_INPUT -> "input";
            case CACHE_READ -> "cached_input";
            case CACHE_WRITE_5M -> "cache_write_5m";
            case CACHE_WRITE_1H -> "cache_write_1h";
            case OUTPUT -> "output";
            case REASONING -> "reasoning";
        };
    }

    /** How a person reads it. */
    public String label() {
        return switch (this) {
            case FRESH_INPUT -> "fresh input";
            case CACHE_READ -> "cache reads";
            case CACHE_WRITE_5M -> "cache writes (5 min)";
            case CACHE_WRITE_1H -> "cache writes (1 h)";
            case OUTPUT -> "output";
            case REASONING -> "reasoning";
        };
    }
}
