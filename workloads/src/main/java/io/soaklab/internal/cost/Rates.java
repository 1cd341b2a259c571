package io.soaklab.internal.cost;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * Prices per million tokens of each kind, in the catalog's currency. Every kind is stated: a price
 * the catalog lacks is never taken from another kind (a missing cache-read price once billed cache
 * reads at the input price, ten times too much); where a provider really bills a kind at another
 * kind's price (OpenAI's cache writes at the input price, every provider's reasoning at the output
 * price) the catalog writes that price down.
 *
 * @param input        fresh input
 * @param cachedInput  input read from the prompt cache
 * @param cacheWrite5m input written to a cache that lives five minutes
 * @param cacheWrite1h input written to a cache that lives an hour
 * @param output       output
 * @param reasoning    reasoning (thinking) tokens, billed inside output
 */
public record Rates(BigDecimal input, BigDecimal cachedInput, BigDecimal cacheWrite5m, BigDecimal cacheWrite1h, BigDecimal output,
                    BigDecimal reasoning) {

    public Rates {
        for (BigDecimal p : new BigDecimal[] {input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning}) {
            if (p != null && p.signum() < 0) {
                throw new IllegalArgumentException("prices must not be negative, was " + p.toPlainString());
            }
        }
        java.util.List<String> missing = new java.util.ArrayList<>();
        for (TokenKind kind : TokenKind.values()) {
            if (of(kind, input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning) == null) {
                missing.add(kind.field());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no price for " + String.join(", ", missing) + ": every kind of token needs its price"
                    + " (where the provider bills it as another kind, write that kind's price; docs/costs.md)");
        }
    }

    /** Every price times {@code factor}. */
    Rates times(BigDecimal factor) {
        return new Rates(input.multiply(factor), cachedInput.multiply(factor), cacheWrite5m.multiply(factor),
                cacheWrite1h.multiply(factor), output.multiply(factor), reasoning.multiply(factor));
    }

    /** The price of one kind of token. */
    public BigDecimal of(TokenKind kind) {
        return of(kind, input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning);
    }

    private static BigDecimal of(TokenKind kind, BigDecimal input, BigDecimal cachedInput, BigDecimal cacheWrite5m, BigDecimal cacheWrite1h,
                                 BigDecimal output, BigDecimal reasoning) {
        return switch (kind) {
            case FRESH_INPUT -> input;
            case CACHE_READ -> cachedInput;
            case CACHE_WRITE_5M -> cacheWrite5m;
            case CACHE_WRITE_1H -> cacheWrite1h;
            case OUTPUT -> output;
            case REASONING -> reasoning;
        };
    }

    @JsonCreator
    static Rates read(@JsonProperty("input") BigDecimal input, @JsonProperty("cached_input") BigDecimal cachedInput,
                      @JsonProperty("cache_write_5m") BigDecimal cacheWrite5m, @JsonProperty("cache_write_1h") BigDecimal cacheWrite1h,
                      @JsonProperty("output") BigDecimal output, @JsonProperty("reasoning") BigDecimal reasoning) {
        return new Rates(input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning);
    }
}
