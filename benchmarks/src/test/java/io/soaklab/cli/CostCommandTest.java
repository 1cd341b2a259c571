package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.bench.SoakLauncher;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soaklab cost} on a real short run against the embedded endpoint, and {@code soaklab prices}. */
class CostCommandTest {

    @TempDir
    Path tmp;

    @Test
    void projectsARunIntoCostCsvAndTheReport() throws Exception {
        Path dir = tmp.resolve("run");
        RunConfig config = RunConfig.builder().scenario("chat-support").thinkTime(Duration.ZERO).concurrency(4)
                .duration(Duration.ofSeconds(3)).window(Duration.ofSeconds(1)).forks(0).build();
        SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(RunStatus.COMPLETE, outcome.status(), outcome.problem());

        SoakLabTest.Result r = SoakLabTest.run("cost", dir.toString(), "--volume", "600000/month", "--growth", "8%/month", "--months", "4",
                "--models", "claude-sonnet-4-5,gemini-2.5-flash", "--start", "2027-01");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("A day at 20000 tasks: $"), r.out()); // 600,000 a 30-day month
        assertTrue(r.out().contains("base           2027-01             620,000 "), r.out());
        assertTrue(r.out().contains("a price comparison: another model's tokenizer and behaviour would change the counts"), r.out());
        assertTrue(r.out().contains("prices: gpt-5.4-mini (openai, prices of 2026-03-17, standard) from soaklab list prices 2026-12-02"), r.out());
        assertTrue(r.out().contains("run configuration hash "), r.out());

        List<String> csv = Files.readAllLines(dir.resolve("cost.csv"));
        assertEquals("ChargePeriodStart,ChargePeriodEnd,BillingCurrency,ProviderName,x_Model,x_Scenario,ConsumedQuantity,ConsumedUnit,"
                + "ListCost,x_ListCostP10,x_ListCostP90,x_ListCostPerTask,x_PricesEffective,x_CatalogVersion,x_RunConfigHash", csv.get(0));
        assertEquals(1 + 4 * 3 + 4 * 2, csv.size(), "4 months x 3 scenarios, and the base scenario at two other models' prices");
        String[] jan = csv.get(1).split(",");
        assertEquals(List.of("2027-01-01", "2027-02-01", "USD", "openai", "gpt-5.4-mini", "base", "620000", "Tasks"), List.of(jan).subList(0, 8));
        BigDecimal listCost = new BigDecimal(jan[8]);
        BigDecimal perTask = new BigDecimal(jan[11]);
        // ListCost is tasks x the P50 cost per task, to the cent (the per-task column keeps six decimals)
        BigDecimal off = listCost.subtract(perTask.multiply(new BigDecimal("620000"))).abs();
        assertTrue(off.compareTo(new BigDecimal("0.32")) <= 0, "off by $" + off + ": " + csv.get(1)); // 620,000 x half a micro-dollar
        assertTrue(new BigDecimal(jan[9]).compareTo(listCost) <= 0 && listCost.compareTo(new BigDecimal(jan[10])) <= 0, "P10 <= P50 <= P90");
        String[] apr = csv.get(4).split(",");
        assertEquals("2027-04-01", apr[0]);
        assertEquals("755827", apr[6]); // April: 30 days x 20,000 x 1.08^3 = 755,827.2
        assertTrue(csv.stream().anyMatch(l -> l.contains(",anthropic,claude-sonnet-4-5,reprice-base,620000,")), String.join("\n", csv));

        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<h3>Projection</h3>") && html.contains("charts/projection.png"), "the report carries the projection");
        assertTrue(Files.size(dir.resolve("charts/projection.png")) > 10_000);
        assertTrue(SoakLabTest.run("report", dir.toString()).code() == 0 && Files.readString(dir.resolve("report.html")).contains("<h3>Projection</h3>"),
                "a report made again keeps the projection (cost.json)");

        // a model of one's own to compare with, from a price file the run folder then keeps
        Path own = Files.writeString(tmp.resolve("own.yaml"), "version: q4\nmodels:\n  - model: my-llama\n    effective: \"2026-10-01\"\n"
                + "    source: our GPUs\n    prices: {input: 0.05, cached_input: 0.05, cache_write_5m: 0.05, cache_write_1h: 0.05, output: 0.10, reasoning: 0.10}\n");
        SoakLabTest.Result mine = SoakLabTest.run("cost", dir.toString(), "--volume", "100/day", "--months", "1", "--models", "my-llama",
                "--prices", own.toString(), "--start", "2027-01");
        assertEquals(0, mine.code(), mine.err());
        assertTrue(Files.readString(dir.resolve("cost.csv")).contains(",other,my-llama,reprice-base,3100,"), Files.readString(dir.resolve("cost.csv")));
        assertTrue(Files.exists(dir.resolve("prices-compare.yaml")));
        assertEquals(0, SoakLabTest.run("report", dir.toString()).code(), "the projection is made again with the kept file");
    }

    @Test
    void pricesListsEveryModelWithItsDate() throws Exception {
        SoakLabTest.Result r = SoakLabTest.run("prices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("soaklab list prices 2026-12-02: USD per million tokens\n"
                + "model                    provider  cur     input  cache rd  cache 5m  cache 1h    output   since; long context\n"), r.out());
        assertTrue(r.out().contains("claude-sonnet-4-5        anthropic USD      3.00      0.30      3.75      6.00     15.00   since 2025-09-29;"
                + " above 200000 input tokens: 6.00 / 22.50"), r.out());
        assertEquals(2 + 23, r.out().lines().takeWhile(l -> !l.isEmpty()).count(), "a title, column headers and 23 models");
        assertTrue(r.out().contains("Prices change: check them against the provider's own page before you bill anyone."), r.out());
        SoakLabTest.Result sources = SoakLabTest.run("prices", "--sources");
        assertEquals(0, sources.code(), sources.err());
        assertEquals(1 + 23, sources.out().lines().count(), sources.out());
        assertTrue(sources.out().lines().skip(1).allMatch(l -> l.matches("\\S+ +since \\d{4}-\\d\\d-\\d\\d  \\S.*")), sources.out());
        Path own = Files.writeString(tmp.resolve("own.yaml"), "version: q4\nmodels:\n  - model: my-llama\n    effective: \"2026-10-01\"\n"
                + "    source: our GPUs\n    prices: {input: 0.05, cached_input: 0.05, cache_write_5m: 0.05, cache_write_1h: 0.05, output: 0.10, reasoning: 0.10}\n");
        SoakLabTest.Result mine = SoakLabTest.run("prices", "--prices", own.toString());
        assertTrue(mine.out().startsWith("soaklab list prices 2026-12-02 + prices q4"), mine.out());
        assertTrue(mine.out().contains("my-llama"), mine.out());
    }
}
