package io.soaklab.internal.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Usage;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * Every billing rule, hand-computed from the built-in list prices (USD per million tokens):
 * gpt-5.4 input 2.50, cached 0.25, output 15.00 (priority 5.00 / 0.50 / 30.00, batch and flex half
 * price); claude-sonnet-4-5 input 3.00, cache read 0.30, 5-minute write 3.75, 1-hour write 6.00,
 * output 15.00, and above 200,000 input tokens 6.00 / 0.60 / 7.50 / 12.00 / 22.50, regional +10 %.
 */
class TariffTest {

    private static final PriceCatalog CATALOG = PriceCatalog.builtIn();
    private static final Tariff GPT = CATALOG.tariff("gpt-5.4", Billing.STANDARD);
    private static final Tariff SONNET = CATALOG.tariff("claude-sonnet-4-5", Billing.STANDARD);

    private static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected $" + expected + ", was $" + actual.toPlainString());
    }

    private static Usage openai(long prompt, long cached, long completion, long reasoning) {
        return new Usage(prompt, completion, cached, reasoning, Usage.Source.SERVER);
    }

    @Test
    void openAiCacheReadsAreInsidePromptTokensAndOnlyTheRestIsFresh() {
        Cost c = GPT.cost(openai(10_000, 8_000, 500, 0));
        assertEquals(2_000, c.tokens().get(TokenKind.FRESH_INPUT));
        assertEquals(8_000, c.tokens().get(TokenKind.CACHE_READ));
        assertUsd("0.005", c.amounts().get(TokenKind.FRESH_INPUT));   // 2,000 x 2.50
        assertUsd("0.002", c.amounts().get(TokenKind.CACHE_READ));    // 8,000 x 0.25
        assertUsd("0.0075", c.amounts().get(TokenKind.OUTPUT));       // 500 x 15.00
        assertUsd("0.0145", c.total());
        assertFalse(c.estimated());
        assertFalse(c.longTier());
    }

    @Test
    void anthropicCacheWritesArePricedByLifetimeBesideReadsAndFreshInput() {
        // input_tokens 1,000 + cache_read 20,000 + cache_creation 5,000 (3,000 for 5 minutes, 2,000 for an hour),
        // as the Anthropic client adds them into one accounting
        Cost c = SONNET.cost(new Usage(26_000, 400, 20_000, 0, 5_000, 2_000, Usage.Source.SERVER));
        assertEquals(1_000, c.tokens().get(TokenKind.FRESH_INPUT));
        assertEquals(3_000, c.tokens().get(TokenKind.CACHE_WRITE_5M));
        assertEquals(2_000, c.tokens().get(TokenKind.CACHE_WRITE_1H));
        assertUsd("0.003", c.amounts().get(TokenKind.FRESH_INPUT));      // 1,000 x 3.00
        assertUsd("0.006", c.amounts().get(TokenKind.CACHE_READ));       // 20,000 x 0.30
        assertUsd("0.01125", c.amounts().get(TokenKind.CACHE_WRITE_5M)); // 3,000 x 3.75
        assertUsd("0.012", c.amounts().get(TokenKind.CACHE_WRITE_1H));   // 2,000 x 6.00
        assertUsd("0.006", c.amounts().get(TokenKind.OUTPUT));           // 400 x 15.00
        assertUsd("0.03825", c.total());
    }

    @Test
    void theAnthropicClientsFixtureCostsWhatItsUsageSays() {
        // the usage AnthropicClientTest reads from anthropic-stream.txt: input 25, cache read 4,096,
        // cache creation 2,048 of which 1,024 for an hour, output 89
        Cost c = SONNET.cost(new Usage(25 + 2048 + 4096, 89, 4096, 0, 2048, 1024, Usage.Source.SERVER));
        // 25 x 3 + 4,096 x 0.30 + 1,024 x 3.75 + 1,024 x 6 + 89 x 15 = 12,622.8 per million
        assertUsd("0.0126228", c.total());
    }

    @Test
    void theLongContextTierStartsAboveItsThresholdAndPricesTheWholeRequest() {
        Cost below = SONNET.cost(openai(199_999, 0, 1_000, 0));
        Cost at = SONNET.cost(openai(200_000, 0, 1_000, 0));
        Cost above = SONNET.cost(openai(200_001, 0, 1_000, 0));
        assertUsd("0.614997", below.total()); // 199,999 x 3.00 + 1,000 x 15.00
        assertUsd("0.615", at.total());       // 200,000 x 3.00 + 1,000 x 15.00
        assertUsd("1.222506", above.total()); // 200,001 x 6.00 + 1,000 x 22.50: output too
        assertFalse(below.longTier());
        assertFalse(at.longTier());
        assertTrue(above.longTier());
        // cached and cache-writing tokens count toward the threshold
        Cost cachedAbove = SONNET.cost(new Usage(250_000, 0, 240_000, 0, 0, 0, Usage.Source.SERVER));
        assertTrue(cachedAbove.longTier());
        assertUsd("0.204", cachedAbove.total()); // 10,000 x 6.00 + 240,000 x 0.60
    }

    @Test
    void reasoningIsBilledAsOutputAndShownApart() {
        Cost c = GPT.cost(openai(1_000, 0, 3_000, 2_500));
        assertEquals(500, c.tokens().get(TokenKind.OUTPUT));
        assertEquals(2_500, c.tokens().get(TokenKind.REASONING));
        assertUsd("0.0375", c.amounts().get(TokenKind.REASONING)); // 2,500 x 15.00
        assertUsd("0.0475", c.total());                            // + 1,000 x 2.50 + 500 x 15.00
    }

    @Test
    void batchAndFlexTakeTheirDiscountOffEveryPrice() {
        Usage u = openai(10_000, 8_000, 500, 0);
        assertUsd("0.00725", CATALOG.tariff("gpt-5.4", Billing.parse("batch")).cost(u).total());
        assertUsd("0.00725", CATALOG.tariff("gpt-5.4", Billing.parse("flex")).cost(u).total());
        // the discount applies to the long tier too: (200,001 x 6.00 + 1,000 x 22.50) / 2
        assertUsd("0.611253", CATALOG.tariff("claude-sonnet-4-5", Billing.parse("batch")).cost(openai(200_001, 0, 1_000, 0)).total());
    }

    @Test
    void priorityUsesThePriorityPricesAndRegionalAddsItsUplift() {
        // 2,000 x 5.00 + 8,000 x 0.50 + 500 x 30.00
        assertUsd("0.029", CATALOG.tariff("gpt-5.4", Billing.parse("priority")).cost(openai(10_000, 8_000, 500, 0)).total());
        Usage u = new Usage(26_000, 400, 20_000, 0, 5_000, 2_000, Usage.Source.SERVER);
        assertUsd("0.042075", CATALOG.tariff("claude-sonnet-4-5", Billing.parse("regional")).cost(u).total()); // 0.03825 x 1.10
        assertUsd("0.0210375", CATALOG.tariff("claude-sonnet-4-5", Billing.parse("batch+regional")).cost(u).total());
    }

    /**
     * Every way of billing, short and long context, worked by hand. OpenAI call: 10,000 prompt tokens of which 8,000 cache
     * reads, 2,000 completion of which 500 reasoning; long: 300,000 prompt, 200,000 reads. Anthropic call: 26,000 prompt =
     * 1,000 fresh + 20,000 reads + 3,000 five-minute writes + 2,000 one-hour writes, 400 completion of which 100 reasoning;
     * long: 260,000 = 10,000 + 200,000 + 30,000 + 20,000.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1} {2}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            gpt-5.4           | standard       | short | 0.037     | 2,000 x 2.50 + 8,000 x 0.25 + 1,500 x 15 + 500 x 15
            gpt-5.4           | batch          | short | 0.0185    | half of standard
            gpt-5.4           | flex           | short | 0.0185    | half of standard
            gpt-5.4           | priority       | short | 0.074     | 2,000 x 5 + 8,000 x 0.50 + 2,000 x 30
            gpt-5.4           | standard       | long  | 0.645     | 100,000 x 5 + 200,000 x 0.50 + 2,000 x 22.50
            gpt-5.4           | batch          | long  | 0.3225    | half of the long tier
            gpt-5.4           | flex           | long  | 0.3225    | half of the long tier
            gpt-5.4           | priority       | long  | 0.645     | priority is for standard context: the long tier's standard prices
            claude-sonnet-4-5 | standard       | short | 0.03825   | 1,000 x 3 + 20,000 x 0.30 + 3,000 x 3.75 + 2,000 x 6 + 400 x 15
            claude-sonnet-4-5 | regional       | short | 0.042075  | standard x 1.10
            claude-sonnet-4-5 | batch          | short | 0.019125  | standard x 0.5
            claude-sonnet-4-5 | batch+regional | short | 0.0210375 | standard x 0.5 x 1.10
            claude-sonnet-4-5 | standard       | long  | 0.654     | 10,000 x 6 + 200,000 x 0.60 + 30,000 x 7.50 + 20,000 x 12 + 400 x 22.50
            claude-sonnet-4-5 | regional       | long  | 0.7194    | long x 1.10
            claude-sonnet-4-5 | batch          | long  | 0.327     | long x 0.5
            claude-sonnet-4-5 | batch+regional | long  | 0.3597    | long x 0.5 x 1.10
            gemini-3.1-pro-preview | standard | long | 0.516  | 100,000 x 4 + 200,000 x 0.40 (10 % of the tier's input) + 2,000 x 18
            """)
    void everyBillingShortAndLongAgainstTheHandComputedFigure(String model, String billing, String context, String usd, String how) {
        boolean openAi = !model.startsWith("claude");
        boolean longContext = context.equals("long");
        Usage u = openAi
                ? longContext ? openai(300_000, 200_000, 2_000, 500) : openai(10_000, 8_000, 2_000, 500)
                : longContext ? new Usage(260_000, 400, 200_000, 100, 50_000, 20_000, Usage.Source.SERVER)
                : new Usage(26_000, 400, 20_000, 100, 5_000, 2_000, Usage.Source.SERVER);
        Cost c = CATALOG.tariff(model, Billing.parse(billing)).cost(u);
        assertUsd(usd, c.total());
        assertEquals(longContext, c.longTier(), how);
    }

    @Test
    void aBillingTheModelDoesNotOfferIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CATALOG.tariff("claude-sonnet-4-5", Billing.parse("priority")));
        assertEquals("claude-sonnet-4-5 has no priority prices in the price catalog: billing 'priority' cannot be priced"
                + " (add it to your --prices file)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CATALOG.tariff("gpt-5.4", Billing.parse("regional")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Billing.parse("cheap")).getMessage().contains("cheap"));
    }

    @Test
    void tokensAlreadySplitByKindArePricedByTheSameRatesAtTheTierTheySay() {
        // a provider's export: 2 million tokens summed over many requests, far above the 200,000 threshold, yet billed standard
        java.util.Map<TokenKind, Long> tokens = java.util.Map.of(TokenKind.FRESH_INPUT, 1_000_000L, TokenKind.CACHE_READ, 500_000L,
                TokenKind.CACHE_WRITE_5M, 200_000L, TokenKind.CACHE_WRITE_1H, 100_000L, TokenKind.OUTPUT, 200_000L);
        Cost standard = SONNET.cost(tokens, false);
        assertFalse(standard.longTier());
        assertUsd("3.00", standard.amounts().get(TokenKind.FRESH_INPUT));  // 1,000,000 x 3.00
        assertUsd("0.15", standard.amounts().get(TokenKind.CACHE_READ));   // 500,000 x 0.30
        assertUsd("0.75", standard.amounts().get(TokenKind.CACHE_WRITE_5M)); // 200,000 x 3.75
        assertUsd("0.60", standard.amounts().get(TokenKind.CACHE_WRITE_1H)); // 100,000 x 6.00
        assertUsd("3.00", standard.amounts().get(TokenKind.OUTPUT));       // 200,000 x 15.00
        assertUsd("7.50", standard.total());
        assertEquals(0L, standard.tokens().get(TokenKind.REASONING));
        Cost longTier = SONNET.cost(tokens, true);
        assertTrue(longTier.longTier());
        assertUsd("13.50", longTier.total()); // 1M x 6.00 + 500K x 0.60 + 200K x 7.50 + 100K x 12.00 + 200K x 22.50
        assertEquals("gpt-5.4-mini has no long-context prices in the price catalog",
                assertThrows(IllegalArgumentException.class, () -> CATALOG.tariff("gpt-5.4-mini", Billing.STANDARD).cost(tokens, true))
                        .getMessage());
    }

    @Test
    void estimatedUsageGivesACostMarkedEstimated() {
        Cost c = GPT.cost(new Usage(1_000, 100, 0, 0, Usage.Source.ESTIMATED));
        assertTrue(c.estimated());
        assertUsd("0.004", c.total()); // 1,000 x 2.50 + 100 x 15.00
        assertUsd("0", GPT.cost(Usage.NONE).total());
    }

    @Test
    void moneyIsExactDecimalNotBinaryFloatingPoint() {
        Tariff mini = CATALOG.tariff("gpt-5.4-mini", Billing.STANDARD); // cached input 0.075 per million
        Usage oneCachedToken = openai(1, 1, 0, 0);
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < 1_000_000; i++) {
            sum = sum.add(mini.cost(oneCachedToken).total());
        }
        assertUsd("0.075", sum); // a double summing 7.5e-8 a million times would not land here
        assertEquals("0.000000075", mini.cost(oneCachedToken).total().toPlainString());
        assertUsd("0.01", Cost.cents(new BigDecimal("0.005")));
        assertUsd("0.00", Cost.cents(new BigDecimal("0.0049")));
    }
}
