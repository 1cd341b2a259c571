package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.analysis.ProviderExport.Kind;
import io.soaklab.internal.analysis.Reconciliation.Difference;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.cost.TokenKind;
import io.soaklab.internal.report.ReconcileFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider exports, written by hand from the documented formats (test resources {@code exports/}),
 * set beside the recorded run {@code run-folders/v1/team-overloaded}: 26 measured calls with usage,
 * 32,009 fresh input, 9,984 cache-read and 1,645 output tokens, $0.03215805 at gpt-5.4-mini's prices.
 * Every amount is hand-computed from the prices that run kept (USD per million): gpt-5.4-mini input
 * 0.75, cached 0.075, output 4.50 (cache writes at the input price, batch half price); gpt-5.5 input
 * 5.00, cached 0.50, output 30.00; claude-haiku-4-5 input 1.00, cache read 0.10, 5-minute write 1.25,
 * 1-hour write 2.00, output 5.00, batch half price.
 */
class ReconciliationTest {

    @TempDir
    Path tmp;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ReconciliationTest.class.getResource("/" + name).toURI());
    }

    /** The recorded run, copied (reconcile.json is written into it), priced as {@code priceAs} when not null. */
    private Path run(String priceAs) throws Exception {
        Path to = Files.createDirectories(tmp.resolve("run"));
        try (Stream<Path> files = Files.list(resource("run-folders/v1/team-overloaded"))) {
            files.forEach(f -> {
                try {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        if (priceAs != null) {
            Path manifest = to.resolve("run.json");
            Files.writeString(manifest, Files.readString(manifest).replace("\"price_as\" : null", "\"price_as\" : \"" + priceAs + "\""));
        }
        return to;
    }

    private static ProviderExport export(String... names) throws URISyntaxException {
        Path[] files = new Path[names.length];
        for (int i = 0; i < names.length; i++) {
            files[i] = resource("exports/" + names[i]);
        }
        return ProviderExport.read(List.of(files));
    }

    private static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected $" + expected + ", was $" + actual.toPlainString());
    }

    private static Difference difference(Reconciliation r, String figure) {
        return r.differences().stream().filter(d -> d.figure().equals(figure)).findFirst().orElseThrow(() -> new AssertionError(figure
                + " not compared: " + r.differences()));
    }

    @Test
    void openAiTokensArePricedByTheCatalogAndTheirMixSetBesideTheRun() throws Exception {
        RunData run = RunData.load(run(null));
        Reconciliation r = Reconciliation.of(run, export("openai-usage-2-pages.jsonl"), null, null);
        assertEquals("gpt-5.4-mini", r.model());
        assertEquals(java.util.Set.of("gpt-5.4-mini-2026-03-17"), r.names());
        Reconciliation.Mix p = r.provider();
        assertEquals(1_200, p.requests()); // 500 + 100 batch + 600: gpt-5.5 and gpt-5.4 are left out
        assertEquals(1_600_000L, p.tokens().get(TokenKind.FRESH_INPUT)); // 600,000 + 200,000 + 800,000
        assertEquals(700_000L, p.tokens().get(TokenKind.CACHE_READ));
        assertEquals(100_000L, p.tokens().get(TokenKind.CACHE_WRITE_5M));
        assertEquals(2_400_000L, p.input());
        assertEquals(136_000L, p.output());
        // 30 Nov standard: 600,000 x 0.75 + 400,000 x 0.075 + 50,000 x 4.50 = 0.45 + 0.03 + 0.225 = 0.705
        // 30 Nov batch, half price: 200,000 x 0.375 + 20,000 x 2.25 = 0.075 + 0.045 = 0.12
        // 1 Dec: 800,000 x 0.75 + 300,000 x 0.075 + 100,000 written x 0.75 + 66,000 x 4.50 = 0.6 + 0.0225 + 0.075 + 0.297 = 0.9945
        assertUsd("1.8195", r.priced().total());
        assertUsd("1.82", Cost.cents(r.priced().total()));
        assertUsd("0.075", r.priced().amounts().get(TokenKind.CACHE_WRITE_5M));
        assertUsd("0.90975", r.exportPerDay()); // over the export's 2 days
        assertUsd("2", r.days(Kind.USAGE));
        assertTrue(r.notes().contains("other models in the export, left out: gpt-5.4-2026-03-17, gpt-5.5-2026-04-23"), r.notes().toString());

        Reconciliation.Mix m = r.measured();
        assertEquals(26, m.requests());
        assertEquals(41_993, m.input());
        assertEquals(1_645, m.output());

        Difference output = difference(r, "output_per_request");
        assertTrue(output.flagged());
        assertEquals("production's requests average 113 output tokens against 63 measured (+79%): the projection understates output cost",
                output.says()); // 136,000 / 1,200 against 1,645 / 26
        Difference read = difference(r, "cache_read_share");
        assertFalse(read.flagged());
        assertEquals("the provider's cache-read share is 29% against 24% measured: within 10 points", read.says()); // 700,000 / 2.4M; 9,984 / 41,993
        assertEquals(0.291667, read.provider(), 1e-6);
        Difference input = difference(r, "input_per_request");
        assertFalse(input.flagged(), "2,000 against 1,615 is 24 % apart, under 25 %");
        assertEquals("production's requests average 2,000 input tokens against 1,615 measured (+24%): within 25%", input.says());
        assertEquals("a production request costs $0.0015 at soaklab's prices against $0.0012 a measured call (+23%): within 25%",
                difference(r, "cost_per_request").says());
        assertNull(r.bill());
    }

    @Test
    void anOpenAiCostExportBilledTenPercentUnderTheCatalogIsFlagged() throws Exception {
        // the same two days as the usage export, grouped by line item, each of gpt-5.4-mini's lines 10 % under soaklab's price for
        // its tokens; the second bucket's list spelled "result", as OpenAI's reference spells it, and an amount written as a string
        String line = "{\"object\": \"organization.costs.result\", \"amount\": {\"value\": %s, \"currency\": \"usd\"}, \"line_item\": \"%s\","
                + " \"project_id\": null}";
        String day1 = String.join(", ", String.format(line, "0.4725", "gpt-5.4-mini-2026-03-17, input"), // (0.45 + 0.075 batch) x 0.9
                String.format(line, "0.027", "gpt-5.4-mini-2026-03-17, cached input"),                    // 0.03 x 0.9
                String.format(line, "0.243", "gpt-5.4-mini-2026-03-17, output"),                          // (0.225 + 0.045) x 0.9
                String.format(line, "1.00", "gpt-5.5-2026-04-23, input"),
                String.format(line, "0.25", "Web search tool calls"));
        String day2 = String.join(", ", String.format(line, "0.54", "gpt-5.4-mini-2026-03-17, input"),   // 0.6 x 0.9
                String.format(line, "0.02025", "gpt-5.4-mini-2026-03-17, cached input"),                  // 0.0225 x 0.9
                String.format(line, "0.0675", "gpt-5.4-mini-2026-03-17, cache writes"),                   // 0.075 x 0.9
                String.format(line, "\"0.2673\"", "gpt-5.4-mini-2026-03-17, output"));                    // 0.297 x 0.9
        Path costs = Files.writeString(tmp.resolve("costs.json"), "{\"object\": \"page\", \"data\": [{\"object\": \"bucket\", \"start_time\": 1795996800,"
                + " \"end_time\": 1796083200, \"results\": [" + day1 + "]}, {\"object\": \"bucket\", \"start_time\": 1796083200, \"end_time\": 1796169600,"
                + " \"result\": [" + day2 + "]}], \"has_more\": false, \"next_page\": null}");
        ProviderExport export = ProviderExport.read(List.of(resource("exports/openai-usage-2-pages.jsonl"), costs));
        assertEquals(9, export.costs().size());
        assertEquals(TokenKind.CACHE_WRITE_5M, export.costs().get(7).kind());
        assertEquals("USD", export.costs().get(0).currency());
        Reconciliation r = Reconciliation.of(RunData.load(run(null)), export, null, null);
        assertUsd("1.63755", r.bill().tokens());
        assertUsd("0.25", r.bill().unassigned());
        assertUsd("0.818775", r.exportPerDay()); // what was billed, over the cost export's 2 days
        Difference billed = difference(r, "billed_vs_priced");
        assertTrue(billed.flagged());
        assertEquals("the provider billed $1.64 for these tokens; soaklab's catalog prices them at $1.82 (-10%): the catalog's prices are not"
                + " what the provider bills (a discount, a price change, a tier the export does not name), and the projection is priced like the"
                + " catalog", billed.says());
    }

    @Test
    void anotherModelOfTheExportIsPricedAtItsOwnPrices() throws Exception {
        Reconciliation r = Reconciliation.of(RunData.load(run(null)), export("openai-usage-2-pages.jsonl"), "gpt-5.5-2026-04-23", null);
        assertEquals("gpt-5.5", r.model());
        assertEquals(50, r.provider().requests());
        assertUsd("1.35", r.priced().total()); // 200,000 x 5.00 + 100,000 x 0.50 + 10,000 x 30.00
    }

    @Test
    void anthropicUsageWithOneHourAndFiveMinuteWritesFlagsTheCacheTheProjectionAssumes() throws Exception {
        RunData run = RunData.load(run("claude-haiku-4-5"));
        assertUsd("0.0412324", run.costs().total()); // 32,009 x 1.00 + 9,984 x 0.10 + 1,645 x 5.00, per million
        Reconciliation r = Reconciliation.of(run, export("anthropic-usage-report.json"), null, null);
        assertEquals("claude-haiku-4-5", r.model());
        Reconciliation.Mix p = r.provider();
        assertEquals(-1, p.requests(), "Anthropic's usage report counts no requests");
        assertEquals(Map.of(TokenKind.FRESH_INPUT, 2_000_000L, TokenKind.CACHE_READ, 100_000L, TokenKind.CACHE_WRITE_5M, 350_000L,
                TokenKind.CACHE_WRITE_1H, 150_000L, TokenKind.OUTPUT, 200_000L, TokenKind.REASONING, 0L), p.tokens());
        // 30 Nov standard: 900,000 x 1.00 + 50,000 x 0.10 + 200,000 x 1.25 + 100,000 x 2.00 + 80,000 x 5.00 = 1.755
        // 30 Nov batch: 100,000 x 0.50 + 20,000 x 2.50 = 0.10
        // 1 Dec: 1,000,000 x 1.00 + 50,000 x 0.10 + 150,000 x 1.25 + 50,000 x 2.00 + 100,000 x 5.00 = 1.7925
        assertUsd("3.6475", r.priced().total());
        assertUsd("3.65", Cost.cents(r.priced().total()));
        assertUsd("0.4375", r.priced().amounts().get(TokenKind.CACHE_WRITE_5M)); // 350,000 x 1.25
        assertUsd("0.30", r.priced().amounts().get(TokenKind.CACHE_WRITE_1H));   // 150,000 x 2.00

        Difference read = difference(r, "cache_read_share");
        assertTrue(read.flagged());
        assertEquals("the provider's cache-read share is 4% against 24% measured: the projection assumes more cache hits than production gets",
                read.says()); // 100,000 / 2,600,000 against 9,984 / 41,993
        Difference write = difference(r, "cache_write_share");
        assertTrue(write.flagged());
        assertEquals("the provider's cache-write share is 19% against 0% measured: production writes more of its prompts to the cache than the run"
                + " did: the projection prices fewer cache writes than production pays for", write.says());
        assertTrue(r.differences().stream().noneMatch(d -> d.figure().endsWith("per_request")), "no request counts, no sizes a request");
    }

    @Test
    void anAnthropicCostReportIsInCentsAndItsBillMatchesTheCatalogForTheSameTokens() throws Exception {
        RunData run = RunData.load(run("claude-haiku-4-5"));
        ProviderExport costs = export("anthropic-cost-report.json");
        assertEquals(14, costs.costs().size());
        assertUsd("0.90", costs.costs().get(0).amount()); // "90.00": lowest currency units
        assertEquals(TokenKind.CACHE_WRITE_5M, costs.costs().get(2).kind());

        Reconciliation alone = Reconciliation.of(run, costs, null, null);
        Reconciliation.Bill b = alone.bill();
        assertUsd("3.6475", b.tokens()); // 364.75 cents of claude-haiku-4-5's token lines
        assertUsd("1.95", b.byKind().get(TokenKind.FRESH_INPUT)); // 90 + 5 + 100 cents
        assertUsd("0.7375", b.byKind().get(TokenKind.CACHE_WRITE_5M).add(b.byKind().get(TokenKind.CACHE_WRITE_1H))); // 25 + 20 + 18.75 + 10
        assertUsd("0.01", b.unassigned()); // the web search line names no model
        assertUsd("1.82375", alone.exportPerDay());
        assertNull(alone.provider());
        Difference fresh = difference(alone, "bill_share_input");
        assertTrue(fresh.flagged());
        assertEquals("fresh input: 53% of the provider's bill against 78% of the measured spend", fresh.says()); // 1.95 / 3.6475; 0.032009 / 0.0412324

        Reconciliation both = Reconciliation.of(run, export("anthropic-usage-report.json", "anthropic-cost-report.json"), null, null);
        Difference billed = difference(both, "billed_vs_priced");
        assertFalse(billed.flagged());
        assertEquals("the provider billed $3.65 for these tokens; soaklab's catalog prices them at $3.65 (+0%): within 2%", billed.says());

        Path written = ReconcileFile.write(both);
        assertEquals("reconcile.json", written.getFileName().toString());
        JsonNode json = new ObjectMapper().readTree(written.toFile());
        assertEquals("claude-haiku-4-5", json.path("model").asText());
        assertEquals("3.6475", json.path("provider_figures").path("cost_usd").asText());
        assertEquals("3.6475", json.path("billed").path("tokens_usd").asText());
        assertEquals(350_000, json.path("provider_figures").path("tokens").path("cache_write_5m").asLong());
        assertEquals(26, json.path("measured").path("requests").asLong());
        assertTrue(json.path("provider_figures").path("requests").isNull());
        assertEquals(0.0385, json.path("provider_figures").path("cache_read_share").asDouble(), 1e-9);
        assertTrue(json.path("differences").findValuesAsText("figure").contains("cache_read_share"));
    }

    @Test
    void anExportWithoutTheRunsModelNamesTheModelsItHolds() throws Exception {
        RunData run = RunData.load(run(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Reconciliation.of(run, export("anthropic-usage-report.json"), null, null));
        assertEquals("the Anthropic usage export (1 page, 2 buckets) holds no usage of gpt-5.4-mini (the run's priced model); it names"
                + " claude-haiku-4-5-20251001, claude-sonnet-4-5-20250929: name the one production uses with --reconcile-model", e.getMessage());
    }
}
