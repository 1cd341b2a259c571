package io.soaklab.internal.cost;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * Prices per million tokens of each kind, in the catalog's currency. A kind the provider does not
 * price separately takes the price it is billed at: cache reads and cache writes the input price
 * (OpenAI charges nothing extra to write its cache), one-hour writes the five-minute price,
 * reasoning the output price.
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
        Objects.requireNonNull(input, "input price is required");
        Objects.requireNonNull(output, "output price is required");
        cachedInput = cachedInput == null ? input : cachedInput;
        cacheWrite5m = cacheWrite5m == null ? input : cacheWrite5m;
        cacheWrite1h = cacheWrite1h == null ? cacheWrite5m : cacheWrite1h;
        reasoning = reasoning == null ? output : reasoning;
        for (BigDecimal p : new BigDecimal[] {input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning}) {
            if (p.signum() < 0) {
                throw new IllegalArgumentException("prices must not be negative, was " + p.toPlainString());
            }
        }
    }

    /** Every price times {@code factor}. */
    Rates times(BigDecimal factor) {
        return new Rates(input.multiply(factor), cachedInput.multiply(factor), cacheWrite5m.multiply(factor),
                cacheWrite1h.multiply(factor), output.multiply(factor), reasoning.multiply(factor));
    }

    /** The price of one kind of token. */
    public BigDecimal of(TokenKind kind) {
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
    static Rates read(@JsonProperty(value = "input", required = true) BigDecimal input, @JsonProperty("cached_input") BigDecimal cachedInput,
                      @JsonProperty("cache_write_5m") BigDecimal cacheWrite5m, @JsonProperty("cache_write_1h") BigDecimal cacheWrite1h,
                      @JsonProperty(value = "output", required = true) BigDecimal output, @JsonProperty("reasoning") BigDecimal reasoning) {
        return new Rates(input, cachedInput, cacheWrite5m, cacheWrite1h, output, reasoning);
    }
}
