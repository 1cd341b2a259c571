package io.soaklab.internal.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Usage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceCatalogTest {

    @TempDir
    Path dir;

    /** Every kind of token priced: input 1, output 2 per million. */
    static final String ALL = "input: 1, cached_input: 0.1, cache_write_5m: 1.25, cache_write_1h: 2, output: 2, reasoning: 2";

    private Path own(String... lines) throws Exception {
        return Files.writeString(dir.resolve("mine.yaml"), String.join("\n", lines) + "\n");
    }

    private String error(String... lines) throws Exception {
        Path file = own(lines);
        return assertThrows(IllegalArgumentException.class, () -> PriceCatalog.read(file)).getMessage();
    }

    @Test
    void shipsDatedSourcedPricesForTheMajorFamilies() {
        PriceCatalog list = PriceCatalog.builtIn();
        assertEquals("2026-12-02", list.version());
        Set<String> providers = list.models().stream().map(ModelPrice::provider).collect(Collectors.toSet());
        assertEquals(Set.of("openai", "anthropic", "google"), providers);
        for (ModelPrice m : list.models()) {
            assertEquals("USD", m.currency(), m.model());
            assertTrue(m.source().startsWith("https://"), m.model() + " names where its prices were read");
            assertTrue(m.effective().isAfter(LocalDate.of(2024, 12, 31)) && !m.effective().isAfter(LocalDate.of(2026, 12, 2)), m.model());
        }
        for (String family : new String[] {"gpt-5.", "claude-opus-", "claude-sonnet-", "claude-haiku-", "gemini-2.5-", "gemini-3"}) {
            assertTrue(list.models().stream().anyMatch(m -> m.model().startsWith(family)), family);
        }
    }

    @Test
    void findsAModelByIdAliasSnapshotOrVendorPrefix() {
        PriceCatalog list = PriceCatalog.builtIn();
        ModelPrice gpt = list.price("gpt-5.4");
        assertEquals(gpt, list.price("GPT-5.4-2026-03-05"));
        assertEquals(gpt, list.price("openai/gpt-5.4"));
        assertEquals(list.price("claude-sonnet-4-5"), list.price("claude-sonnet-4-5-20250929"));
        assertEquals("claude-opus-4-5", list.price("claude-opus-4-6").model(), "an alias billed the same");
        assertEquals(list.price("gemini-2.5-pro"), list.price("models/gemini-2.5-pro"));
    }

    @Test
    void anUnknownModelNamesTheCatalogAndHowToAddIt() {
        String m = assertThrows(IllegalArgumentException.class, () -> PriceCatalog.builtIn().price("llama-3.1-8b")).getMessage();
        assertTrue(m.startsWith("no prices for model 'llama-3.1-8b' in soaklab list prices 2026-12-02 ("), m);
        assertTrue(m.contains("'soaklab prices' lists them") && m.contains("--price-as MODEL") && m.contains("--prices FILE")
                && m.contains("docs/costs.md"), m);
        assertEquals(1, m.lines().count());
    }

    @Test
    void ownPricesReplaceTheListPricesForTheSameModelAndAddNewOnes() throws Exception {
        PriceCatalog catalog = PriceCatalog.load(own(
                "catalog: acme negotiated", "version: \"2026-Q4\"", "models:",
                "  - model: gpt-5.4", "    effective: \"2026-10-01\"", "    source: acme contract 17",
                "    prices: {input: 2.00, cached_input: 0.20, cache_write_5m: 2.00, cache_write_1h: 2.00, output: 12.00, reasoning: 12.00}",
                "  - model: llama-3.1-8b", "    provider: self-hosted", "    effective: \"2026-09-01\"", "    source: GPU hours / tokens served",
                "    prices: {input: 0.02, cached_input: 0.02, cache_write_5m: 0.02, cache_write_1h: 0.02, output: 0.06, reasoning: 0.06}"));
        assertEquals("soaklab list prices 2026-12-02 + acme negotiated 2026-Q4", catalog.describe());
        assertEquals("2026-12-02 + 2026-Q4", catalog.version());
        Tariff gpt = catalog.tariff("gpt-5.4", Billing.STANDARD);
        assertEquals(0, new BigDecimal("0.0032").compareTo(gpt.cost(new Usage(1_000, 100, 0, 0, Usage.Source.SERVER)).total()));
        assertNull(gpt.price().longContext(), "an own entry replaces the whole entry, long tier included");
        assertEquals(0, new BigDecimal("0.00008").compareTo(
                catalog.tariff("llama-3.1-8b", Billing.STANDARD).cost(new Usage(1_000, 1_000, 0, 0, Usage.Source.SERVER)).total()));
        assertNotNull(catalog.price("claude-sonnet-4-5"), "the rest of the list stays");

        Path run = Files.createDirectories(dir.resolve("run"));
        catalog.writeTo(run);
        assertTrue(Files.exists(run.resolve(PriceCatalog.FILE)) && Files.exists(run.resolve(PriceCatalog.OWN_FILE)));
        PriceCatalog kept = PriceCatalog.readFrom(run);
        assertEquals(catalog.describe(), kept.describe());
        assertEquals(catalog.price("gpt-5.4"), kept.price("gpt-5.4"));
        assertNull(PriceCatalog.readFrom(dir.resolve("nowhere")));
    }

    @Test
    void aBadPriceFileIsOneLineNamingTheFileAndThePlace() throws Exception {
        String missing = error("version: x", "models:", "  - model: m", "    effective: \"2026-01-01\"", "    source: s",
                "    prices: {input: 1.00, output: 2.00}");
        assertTrue(missing.startsWith("price file " + dir.resolve("mine.yaml") + ": line "), missing);
        assertTrue(missing.endsWith("no price for cached_input, cache_write_5m, cache_write_1h, reasoning: every kind of token needs its price"
                + " (where the provider bills it as another kind, write that kind's price; docs/costs.md)"), missing);
        String typo = error("version: x", "models:", "  - model: m", "    effective: \"2026-01-01\"", "    source: s",
                "    prices: {" + ALL + ", cache_reed: 0.10}");
        assertTrue(typo.contains("line 6") && typo.contains("cache_reed"), typo);
        assertTrue(error("version: x", "models:", "  - model: m", "    effective: \"last week\"", "    source: s",
                "    prices: {" + ALL + "}").contains("last week"));
        assertTrue(error("version: x", "models:", "  - model: m", "    effective: \"2026-01-01\"", "    source: s",
                "    prices: {" + ALL + "}", "    batch_discount: 50").contains("batch_discount must be a fraction within 0..1, was 50"));
        assertTrue(error("version: x", "models:", "  - model: m", "    effective: \"2026-01-01\"", "    source: s",
                "    prices: {" + ALL.replace("input: 1,", "input: -1,") + "}").contains("prices must not be negative, was -1"));
        assertTrue(error("models: [").startsWith("price file "));
        assertTrue(error("version: x", "models:").endsWith(": 'models' must list at least one model, each with its prices"));
        assertTrue(error("version: x", "models: [~]").endsWith(": 'models' must list at least one model, each with its prices"));
        assertTrue(error("version: x", "models:", "  - model: ~", "    effective: \"2026-01-01\"", "    source: s",
                "    prices: {" + ALL + "}").endsWith("'model' is missing"));
        assertTrue(error("version: x", "models:", "  - model: m", "    effective: ~", "    source: s",
                "    prices: {" + ALL + "}").endsWith("m: 'effective' is missing"));
        String twice = error("version: x", "models:", "  - model: m", "    effective: \"2026-01-01\"", "    source: s",
                "    prices: {" + ALL + "}", "  - model: M", "    effective: \"2026-01-01\"", "    source: s",
                "    prices: {" + ALL + "}");
        assertTrue(twice.endsWith(": model 'M' is listed twice with prices effective 2026-01-01"), twice);
        assertEquals("price file " + dir.resolve("mine.yaml") + " is empty", error(""));
        for (String m : new String[] {missing, typo}) {
            assertEquals(1, m.lines().count(), m);
        }
        assertEquals("price file " + dir.resolve("none.yaml") + " does not exist",
                assertThrows(IllegalArgumentException.class, () -> PriceCatalog.read(dir.resolve("none.yaml"))).getMessage());
    }
}
