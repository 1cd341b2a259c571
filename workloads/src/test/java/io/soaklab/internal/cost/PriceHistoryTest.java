package io.soaklab.internal.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Usage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * soaklab's list prices, version by version, held to a table written by hand from the providers'
 * pages (research of 2026-12-02; each row's source is the page the catalog names): a change to the
 * catalog is a change to this table too, made on purpose. Columns: model | effective | retires |
 * input, cache reads, 5-minute writes, 1-hour writes, output, reasoning per million tokens |
 * long-context threshold: the tier's prices | priority prices | batch, flex discount, regional uplift |
 * source.
 */
class PriceHistoryTest {

    private static final String TABLE = """
gpt-5.5 | 2026-04-23 | - | 5.00 0.50 5.00 5.00 30.00 30.00 | 272000: 10.00 1.00 10.00 10.00 45.00 45.00 | 12.50 1.25 12.50 12.50 75.00 75.00 | 0.5 0.5 - | https://developers.openai.com/api/docs/pricing
gpt-5.5-pro | 2026-04-24 | - | 30.00 30.00 30.00 30.00 180.00 180.00 | 272000: 60.00 60.00 60.00 60.00 270.00 270.00 | - | 0.5 0.5 - | https://developers.openai.com/api/docs/pricing
gpt-5.4 | 2026-03-17 | - | 2.50 0.25 2.50 2.50 15.00 15.00 | 272000: 5.00 0.50 5.00 5.00 22.50 22.50 | 5.00 0.50 5.00 5.00 30.00 30.00 | 0.5 0.5 - | https://developers.openai.com/api/docs/models/gpt-5.4
gpt-5.4-mini | 2026-03-17 | - | 0.75 0.075 0.75 0.75 4.50 4.50 | - | 1.50 0.15 1.50 1.50 9.00 9.00 | 0.5 0.5 - | https://developers.openai.com/api/docs/models/gpt-5.4-mini
gpt-5.4-nano | 2026-03-17 | - | 0.20 0.02 0.20 0.20 1.25 1.25 | - | - | 0.5 0.5 - | https://developers.openai.com/api/docs/pricing
gpt-5.2 | 2025-12-01 | - | 1.75 0.175 1.75 1.75 14.00 14.00 | - | 3.50 0.35 3.50 3.50 28.00 28.00 | 0.5 - - | https://developers.openai.com/api/docs/pricing
gpt-5.1 | 2025-11-13 | 2027-04-01 | 1.25 0.125 1.25 1.25 10.00 10.00 | - | 2.50 0.25 2.50 2.50 20.00 20.00 | 0.5 - - | https://developers.openai.com/api/docs/pricing
gpt-5 | 2025-08-07 | 2026-12-11 | 1.25 0.125 1.25 1.25 10.00 10.00 | - | 2.50 0.25 2.50 2.50 20.00 20.00 | 0.5 - - | https://developers.openai.com/api/docs/pricing
gpt-5-mini | 2025-08-07 | 2026-12-11 | 0.25 0.025 0.25 0.25 2.00 2.00 | - | 0.45 0.045 0.45 0.45 3.60 3.60 | 0.5 - - | https://developers.openai.com/api/docs/pricing
gpt-4.1 | 2025-04-14 | 2027-01-14 | 2.00 0.50 2.00 2.00 8.00 8.00 | - | 3.50 0.875 3.50 3.50 14.00 14.00 | 0.5 - - | https://developers.openai.com/api/docs/pricing
claude-opus-5-5 | 2026-09-22 | - | 4.00 0.20 5.00 8.00 20.00 20.00 | - | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
claude-opus-5 | 2026-07-24 | - | 5.00 0.50 6.25 10.00 25.00 25.00 | - | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
claude-opus-4-5 | 2025-11-24 | - | 5.00 0.50 6.25 10.00 25.00 25.00 | - | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
claude-sonnet-5-5 | 2026-09-28 | - | 2.00 0.20 2.50 4.00 10.00 10.00 | - | - | 0.5 - 0.10 | Anthropic's
claude-sonnet-5-5 | 2026-10-07 | - | 2.00 0.10 2.50 4.00 10.00 10.00 | - | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
claude-sonnet-5 | 2026-06-30 | - | 2.00 0.20 2.50 4.00 10.00 10.00 | - | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
claude-sonnet-4-5 | 2025-09-29 | 2026-11-30 | 3.00 0.30 3.75 6.00 15.00 15.00 | 200000: 6.00 0.60 7.50 12.00 22.50 22.50 | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
claude-haiku-5-5 | 2026-10-07 | - | 0.10 0.01 0.125 0.20 0.50 0.50 | 100000: 0.50 0.05 0.625 1.00 2.50 2.50 | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
claude-haiku-4-5 | 2025-10-15 | - | 1.00 0.10 1.25 2.00 5.00 5.00 | - | - | 0.5 - 0.10 | https://platform.claude.com/docs/en/about-claude/pricing
gemini-3.1-pro-preview | 2026-10-07 | - | 2.00 0.20 2.00 2.00 12.00 12.00 | 200000: 4.00 0.40 4.00 4.00 18.00 18.00 | - | 0.5 0.5 - | https://ai.google.dev/gemini-api/docs/pricing
gemini-3-flash-preview | 2026-07-04 | - | 0.50 0.05 0.50 0.50 3.00 3.00 | - | - | 0.5 0.5 - | https://ai.google.dev/gemini-api/docs/pricing
gemini-2.5-pro | 2025-06-17 | - | 1.25 0.125 1.25 1.25 10.00 10.00 | 200000: 2.50 0.25 2.50 2.50 15.00 15.00 | - | 0.5 0.5 - | https://ai.google.dev/gemini-api/docs/pricing
gemini-2.5-flash | 2025-06-17 | - | 0.30 0.03 0.30 0.30 2.50 2.50 | - | - | 0.5 0.5 - | https://ai.google.dev/gemini-api/docs/pricing
gemini-2.5-flash-lite | 2025-07-22 | - | 0.10 0.01 0.10 0.10 0.40 0.40 | - | - | 0.5 0.5 - | https://ai.google.dev/gemini-api/docs/pricing""";

    @TempDir
    Path dir;

    @Test
    void everyCatalogEntryHasThePricesAndDatesOfTheTable() {
        PriceCatalog list = PriceCatalog.builtIn();
        List<ModelPrice> versions = new ArrayList<>();
        list.models().forEach(m -> versions.addAll(list.versions(m.model())));
        List<String> rows = TABLE.lines().toList();
        assertEquals(rows.size(), versions.size(), "one row per price version");
        for (String row : rows) {
            String[] c = row.split(" \\| ");
            ModelPrice v = list.versions(c[0]).stream().filter(p -> p.effective().equals(LocalDate.parse(c[1]))).findFirst()
                    .orElseThrow(() -> new AssertionError("no version of " + c[0] + " effective " + c[1]));
            assertEquals(c[2].equals("-") ? null : LocalDate.parse(c[2]), v.retires(), row);
            assertRates(c[3], v.prices(), row);
            if (c[4].equals("-")) {
                assertNull(v.longContext(), row);
            } else {
                String[] tier = c[4].split(": ");
                assertEquals(Long.parseLong(tier[0]), v.longContext().above(), row);
                assertRates(tier[1], v.longContext().prices(), row);
            }
            if (c[5].equals("-")) {
                assertNull(v.priority(), row);
            } else {
                assertRates(c[5], v.priority(), row);
            }
            String[] tiers = c[6].split(" ");
            assertDecimal(tiers[0], v.batchDiscount(), row);
            assertDecimal(tiers[1], v.flexDiscount(), row);
            assertDecimal(tiers[2], v.regionalUplift(), row);
            assertTrue(v.source().startsWith(c[7]), row + ": " + v.source());
        }
    }

    private static void assertRates(String expected, Rates actual, String row) {
        String[] p = expected.split(" ");
        TokenKind[] kinds = TokenKind.values();
        for (int i = 0; i < kinds.length; i++) {
            assertDecimal(p[i], actual.of(kinds[i]), row + " (" + kinds[i].field() + ")");
        }
    }

    private static void assertDecimal(String expected, BigDecimal actual, String what) {
        if (expected.equals("-")) {
            assertNull(actual, what);
        } else {
            assertEquals(0, new BigDecimal(expected).compareTo(actual), what + ": " + actual);
        }
    }

    @Test
    void aCallIsPricedAtTheVersionInForceOnItsDay() {
        PriceCatalog list = PriceCatalog.builtIn();
        Usage cached = new Usage(1_000_000, 0, 1_000_000, 0, 0, 0, Usage.Source.SERVER); // a million prompt tokens, all cache reads
        assertEquals(new BigDecimal("0.20"), strip(list.tariff("claude-sonnet-5-5", Billing.STANDARD, LocalDate.of(2026, 10, 6)).cost(cached).total()));
        assertEquals(new BigDecimal("0.10"), strip(list.tariff("claude-sonnet-5-5", Billing.STANDARD, LocalDate.of(2026, 10, 7)).cost(cached).total()));
        assertEquals(LocalDate.of(2026, 12, 11), list.retires("gpt-5"));
        assertNull(list.retires("gpt-5.5"));
    }

    @Test
    void aVersionThatEndedWithNothingAfterItIsNoPriceAndAFileOfOnesOwnReplacesEveryVersion() throws Exception {
        Path own = Files.writeString(dir.resolve("intro.yaml"), String.join("\n", "version: x", "models:",
                "  - model: m", "    effective: \"2026-06-30\"", "    until: \"2026-08-31\"", "    source: introductory",
                "    prices: {" + PriceCatalogTest.ALL + "}",
                "  - model: claude-sonnet-5-5", "    effective: \"2026-01-01\"", "    source: contract",
                "    prices: {" + PriceCatalogTest.ALL + "}", ""));
        PriceCatalog catalog = PriceCatalog.load(own);
        assertEquals(LocalDate.of(2026, 6, 30), catalog.price("m", LocalDate.of(2026, 8, 31)).effective());
        String ended = assertThrows(IllegalArgumentException.class, () -> catalog.price("m", LocalDate.of(2026, 9, 1))).getMessage();
        assertTrue(ended.startsWith("m's prices in soaklab list prices 2026-12-02 + prices x ended on 2026-08-31 and none follow them"), ended);
        assertEquals(1, catalog.versions("claude-sonnet-5-5").size(), "one's own entry replaces the list's every version");
        assertEquals("contract", catalog.price("claude-sonnet-5-5", LocalDate.of(2026, 10, 8)).source());
    }

    @Test
    void aRunFoldersCopyOfAnEarlierCatalogReadsByTheRuleItWasPricedWith() throws Exception {
        // before every kind had to be priced: a missing cache-read price was the input price
        Files.writeString(dir.resolve(PriceCatalog.FILE), String.join("\n", "version: old", "models:",
                "  - model: m", "    effective: \"2026-01-01\"", "    source: s", "    prices: {input: 3.00, output: 15.00}", ""));
        Tariff kept = PriceCatalog.readFrom(dir).tariff("m", Billing.STANDARD);
        assertEquals(new BigDecimal("3.00"), kept.rates().of(TokenKind.CACHE_READ));
        assertEquals(new BigDecimal("15.00"), kept.rates().of(TokenKind.REASONING));
        assertThrows(IllegalArgumentException.class, () -> PriceCatalog.read(dir.resolve(PriceCatalog.FILE)),
                "a price file read today must state every kind");
    }

    private static BigDecimal strip(BigDecimal v) {
        return v.setScale(2, java.math.RoundingMode.UNNECESSARY);
    }
}
