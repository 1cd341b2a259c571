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
    void projectsARunIntoTheForecastFilesAndTheReport() throws Exception {
        Path dir = tmp.resolve("run");
        RunConfig config = RunConfig.builder().scenario("chat-support").thinkTime(Duration.ZERO).concurrency(4)
                .duration(Duration.ofSeconds(3)).window(Duration.ofSeconds(1)).forks(0).build();
        SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(RunStatus.COMPLETE, outcome.status(), outcome.problem());

        Files.writeString(dir.resolve("cost.csv"), "ChargePeriodStart,ListCost\n2026-12-01,1.00\n"); // an older soaklab's projection
        SoakLabTest.Result r = SoakLabTest.run("cost", dir.toString(), "--volume", "600000/month", "--growth", "8%/month", "--months", "4",
                "--models", "claude-sonnet-4-5,gemini-2.5-flash", "--start", "2027-01");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("A day at 20000 tasks: $"), r.out()); // 600,000 a 30-day month
        assertTrue(r.out().contains("base           2027-01             620,000 "), r.out());
        assertTrue(r.out().contains("The same work at other models' prices, each provider's caching rule applied"), r.out());
        assertTrue(r.out().contains("prices: gpt-5.4-mini (openai, prices of 2026-03-17, standard) from soaklab list prices 2026-12-02"), r.out());
        assertTrue(r.out().contains("run configuration hash "), r.out());
        assertTrue(r.out().contains("the endpoint was soaklab's embedded simulator"), r.out());

        // the forecast: one future, its months' means add up to the printed total to the cent
        List<String> forecast = Files.readAllLines(dir.resolve("forecast.csv"));
        assertEquals("month_start,month_end,currency,provider,model,tasks,spend_mean,spend_p10,spend_p50,spend_p90,run_id,"
                + "run_config_hash,catalog_version,measured_on", forecast.get(0));
        assertEquals(1 + 4, forecast.size(), "one row a month");
        String[] jan = forecast.get(1).split(",");
        assertEquals(List.of("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z", "USD", "openai", "gpt-5.4-mini", "620000"), List.of(jan).subList(0, 6));
        assertEquals("embedded simulator", jan[13]);
        BigDecimal sum = BigDecimal.ZERO;
        for (String row : forecast.subList(1, forecast.size())) {
            String[] c = row.split(",");
            sum = sum.add(new BigDecimal(c[6]));
            assertTrue(new BigDecimal(c[7]).compareTo(new BigDecimal(c[8])) <= 0 && new BigDecimal(c[8]).compareTo(new BigDecimal(c[9])) <= 0,
                    "P10 <= P50 <= P90: " + row);
        }
        assertEquals(printed(r.out(), "total "), sum, "the forecast's rows add up to the printed total");
        assertEquals("755827", forecast.get(4).split(",")[5]); // April: 30 days x 20,000 x 1.08^3 = 755,827.2

        // the scenarios: one future each, named in every row; each scenario's rows add up to its printed total
        List<String> scenarios = Files.readAllLines(dir.resolve("forecast-scenarios.csv"));
        assertEquals("scenario,month_start,month_end,currency,provider,model,tasks,spend_p10,spend_p50,spend_p90,cost_per_task_p50,assumes",
                scenarios.get(0));
        assertEquals(1 + 4 * 3 + 4 * 2, scenarios.size(), "4 months x 3 scenarios, and the base scenario at two other models' prices");
        for (String name : List.of("base", "high-growth", "low-cache-hit")) {
            BigDecimal total = BigDecimal.ZERO;
            for (String row : scenarios) {
                if (row.startsWith(name + ",")) {
                    total = total.add(new BigDecimal(row.split(",")[8]));
                }
            }
            assertEquals(printed(r.out(), String.format("%-14s %-12s", name, "total")), total, name);
        }
        String sonnet = scenarios.stream().filter(l -> l.startsWith("reprice:claude-sonnet-4-5,2027-01")).findFirst().orElseThrow();
        assertTrue(sonnet.contains(",anthropic,claude-sonnet-4-5,620000,"), sonnet);
        assertTrue(Files.notExists(dir.resolve("cost.csv")), "no file of an older format left beside them");

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
        String mineRows = Files.readString(dir.resolve("forecast-scenarios.csv"));
        assertTrue(mineRows.contains("reprice:my-llama,2027-01-01T00:00:00Z,2027-02-01T00:00:00Z,USD,other,my-llama,3100,"), mineRows);
        assertTrue(Files.exists(dir.resolve("prices-compare.yaml")));
        assertEquals(0, SoakLabTest.run("report", dir.toString()).code(), "the projection is made again with the kept file");
    }

    /** The first amount after {@code label} at the start of a line of {@code out}: "$1,234.56" is 1234.56. */
    private static BigDecimal printed(String out, String label) {
        for (String line : out.split("\\R")) {
            if (line.startsWith(label)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$([0-9,]+\\.[0-9]{2})").matcher(line);
                assertTrue(m.find(), line);
                return new BigDecimal(m.group(1).replace(",", ""));
            }
        }
        throw new AssertionError("no line starts with '" + label + "' in\n" + out);
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
