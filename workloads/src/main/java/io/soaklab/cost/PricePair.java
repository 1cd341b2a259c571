package io.soaklab.cost;

import io.soaklab.protocol.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * One input price and one output price per million tokens, in US dollars: the simplest honest
 * spend figure. Money is exact decimal arithmetic, never binary floating point.
 *
 * <pre>{@code
 * PricePair price = PricePair.of("1.25", "10.00");
 * BigDecimal usd = price.cost(usage);
 * }</pre>
 *
 * @param inputPerMillion  USD per 1M input tokens (cached ones included: this pair has no cache price)
 * @param outputPerMillion USD per 1M output tokens (reasoning included)
 */
public record PricePair(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    public PricePair {
        Objects.requireNonNull(inputPerMillion, "inputPerMillion");
        Objects.requireNonNull(outputPerMillion, "outputPerMillion");
        if (inputPerMillion.signum() < 0 || outputPerMillion.signum() < 0) {
            throw new IllegalArgumentException("prices must not be negative");
        }
    }

    /** Placeholder prices until you set yours: USD 1.25 in, 10.00 out per million tokens. */
    public static PricePair placeholder() {
        return of("1.25", "10.00");
    }

    public static PricePair of(String inputPerMillion, String outputPerMillion) {
        return new PricePair(new BigDecimal(inputPerMillion), new BigDecimal(outputPerMillion));
    }

    /** Exact cost of the given token counts, in USD. */
    public BigDecimal cost(long inputTokens, long outputTokens) {
        return inputPerMillion.multiply(BigDecimal.valueOf(inputTokens))
                .add(outputPerMillion.multiply(BigDecimal.valueOf(outputTokens)))
                .divide(MILLION);
    }

    /** Exact cost of one call's usage, in USD. */
    public BigDecimal cost(Usage usage) {
        return cost(usage.promptTokens(), usage.completionTokens());
    }

    /** {@code usd} rounded to cents for display. */
    public static BigDecimal cents(BigDecimal usd) {
        return usd.setScale(2, RoundingMode.HALF_EVEN);
    }
}
