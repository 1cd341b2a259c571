package io.soaklab.internal.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpendLimitTest {

    private static final Tariff GPT = PriceCatalog.builtIn().tariff("gpt-5.4", Billing.STANDARD);

    private static ChatRequest request(int chars, int maxTokens, boolean caching) {
        return new ChatRequest(List.of(Message.user("x".repeat(chars))), maxTokens, List.of(), ChatRequest.ToolChoice.AUTO, caching);
    }

    private static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected $" + expected + ", was $" + actual.toPlainString());
    }

    @Test
    void anAttemptReservesItsMostAndIsRefusedWhenThatCouldPassTheLimit() {
        SpendLimit limit = new SpendLimit(new BigDecimal("0.01"), GPT);
        // 2,000 characters: at most 1,000 + 8 tokens of input x $2.50 + 100 output x $15 per million = $0.00402
        BigDecimal first = limit.reserve(request(2_000, 100, false));
        assertUsd("0.00402", first);
        assertUsd("0.00402", limit.reserve(request(2_000, 100, false)));
        assertNull(limit.reserve(request(2_000, 100, false)), "0.01206 would pass 0.01");
        assertTrue(limit.reached());
        assertUsd("0.00402", limit.refused());
        limit.settle(first, new BigDecimal("0.001")); // it really cost a quarter of what it held
        assertUsd("0.001", limit.spent());
        assertUsd("0.00402", limit.reserve(request(2_000, 100, false))); // 0.001 spent + 0.00402 held + 0.00402 fits
    }

    @Test
    void promptCachingIsReservedAtTheOneHourCacheWritePrice() {
        Tariff sonnet = PriceCatalog.builtIn().tariff("claude-sonnet-4-5", Billing.STANDARD);
        SpendLimit limit = new SpendLimit(new BigDecimal("100"), sonnet);
        // 1,008 tokens written for an hour at $6.00, and 1,000 output tokens at $15.00
        assertUsd("0.021048", limit.reserve(request(2_000, 1_000, true)));
        assertFalse(limit.reached());
    }
}
