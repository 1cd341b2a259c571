package io.soaklab.internal.cost;

import io.soaklab.protocol.Usage;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;

/**
 * A model's prices under one way of billing: the one rule that turns a call's usage into money.
 *
 * <p>Usage arrives in one accounting whatever the protocol (the clients map it): prompt tokens
 * include cache reads and cache writes, completion tokens include reasoning. So fresh input is
 * prompt − cache reads − cache writes (OpenAI reports cache reads inside {@code prompt_tokens};
 * Anthropic reports {@code input_tokens}, {@code cache_read_input_tokens} and
 * {@code cache_creation_input_tokens} apart, and its client adds them up), and visible output is
 * completion − reasoning. A request whose input is above the long-context threshold is billed at
 * the long tier's prices on every token, output included, as Anthropic and Google bill it; under
 * priority billing too, whose prices are for standard context only (OpenAI: "excludes long context").
 *
 * <pre>{@code
 * Tariff tariff = catalog.tariff("claude-sonnet-4-5", Billing.STANDARD);
 * Cost cost = tariff.cost(result.usage());   // cost.total(): exact USD
 * }</pre>
 */
public final class Tariff {

    private final ModelPrice price;
    private final Billing billing;
    private final Rates standard;
    private final Rates longTier;

    /**
     * @throws IllegalArgumentException when the model has no prices for that billing (no batch
     *                                  discount, no priority tier...)
     */
    public Tariff(ModelPrice price, Billing billing) {
        this.price = price;
        this.billing = billing;
        BigDecimal factor = BigDecimal.ONE;
        Rates base = price.prices();
        Rates longPrices = price.longContext() == null ? null : price.longContext().prices();
        switch (billing.tier()) {
            case BATCH -> factor = BigDecimal.ONE.subtract(required(price.batchDiscount(), "batch discount"));
            case FLEX -> factor = BigDecimal.ONE.subtract(required(price.flexDiscount(), "flex discount"));
            case PRIORITY -> // priority is for standard context only: a request above the threshold is served, and billed, at the long tier's standard prices
                base = required(price.priority(), "priority prices");
            default -> {
            }
        }
        if (billing.regional()) {
            factor = factor.multiply(BigDecimal.ONE.add(required(price.regionalUplift(), "regional uplift")));
        }
        this.standard = factor.compareTo(BigDecimal.ONE) == 0 ? base : base.times(factor);
        this.longTier = longPrices == null ? null : factor.compareTo(BigDecimal.ONE) == 0 ? longPrices : longPrices.times(factor);
    }

    private <T> T required(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(price.model() + " has no " + what + " in the price catalog: billing '" + billing
                    + "' cannot be priced (add it to your --prices file)");
        }
        return value;
    }

    public ModelPrice price() {
        return price;
    }

    public Billing billing() {
        return billing;
    }

    /** The prices this billing charges per million tokens, below the long-context threshold. */
    public Rates rates() {
        return standard;
    }

    /** The prices this billing charges per million tokens above the long-context threshold, or null without a long tier. */
    public Rates longRates() {
        return longTier;
    }

    /** What a call with this usage costs. */
    public Cost cost(Usage u) {
        long prompt = u.promptTokens();
        long cacheRead = Math.min(prompt, u.cachedTokens());
        long cacheWrite = Math.min(prompt - cacheRead, u.cacheWriteTokens());
        long write1h = Math.min(cacheWrite, u.cacheWrite1hTokens());
        long reasoning = Math.min(u.completionTokens(), u.reasoningTokens());
        Map<TokenKind, Long> tokens = new EnumMap<>(TokenKind.class);
        tokens.put(TokenKind.FRESH_INPUT, prompt - cacheRead - cacheWrite);
        tokens.put(TokenKind.CACHE_READ, cacheRead);
        tokens.put(TokenKind.CACHE_WRITE_5M, cacheWrite - write1h);
        tokens.put(TokenKind.CACHE_WRITE_1H, write1h);
        tokens.put(TokenKind.OUTPUT, u.completionTokens() - reasoning);
        tokens.put(TokenKind.REASONING, reasoning);
        boolean longTier = this.longTier != null && prompt > price.longContext().above();
        return cost(tokens, longTier, u.source() == Usage.Source.ESTIMATED);
    }

    /**
     * What tokens already split by kind cost at this billing's standard prices, or at its long-context
     * tier's: the same rule as {@link #cost(Usage)} for counts that are not one call's (a provider's
     * usage export sums many requests and says itself which tier billed them, so no threshold applies).
     *
     * @param tokens   tokens of each kind (a kind not in the map counts none)
     * @param longTier whether the long-context tier's prices apply
     * @throws IllegalArgumentException when {@code longTier} is asked of a model without a long-context tier
     */
    public Cost cost(Map<TokenKind, Long> tokens, boolean longTier) {
        if (longTier && this.longTier == null) {
            throw new IllegalArgumentException(price.model() + " has no long-context prices in the price catalog");
        }
        Map<TokenKind, Long> all = new EnumMap<>(TokenKind.class);
        for (TokenKind kind : TokenKind.values()) {
            long n = tokens.getOrDefault(kind, 0L);
            if (n < 0) {
                throw new IllegalArgumentException(kind.label() + " must not be negative, was " + n);
            }
            all.put(kind, n);
        }
        return cost(all, longTier, false);
    }

    private Cost cost(Map<TokenKind, Long> tokens, boolean longTier, boolean estimated) {
        Rates rates = longTier ? this.longTier : standard;
        Map<TokenKind, BigDecimal> amounts = new EnumMap<>(TokenKind.class);
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<TokenKind, Long> t : tokens.entrySet()) {
            BigDecimal amount = rates.of(t.getKey()).multiply(BigDecimal.valueOf(t.getValue())).movePointLeft(6); // per million, exactly
            amounts.put(t.getKey(), amount);
            total = total.add(amount);
        }
        return new Cost(tokens, amounts, total, longTier, estimated);
    }

    /** One line for a report: the model, its prices' date and source, the billing. */
    public String describe() {
        return price.model() + " (" + price.provider() + ", prices of " + price.effective() + ", " + billing + ")";
    }
}
