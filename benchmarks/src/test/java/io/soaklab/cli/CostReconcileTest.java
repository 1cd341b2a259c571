package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soaklab cost --reconcile}: a recorded run (the analysis module's fixture {@code team-overloaded},
 * priced as gpt-5.4-mini) beside a hand-written OpenAI usage export of two pages, alone and with a
 * projection; a file of neither provider's format is one line and exit code 2.
 */
class CostReconcileTest {

    private static final Path RESOURCES = Path.of("..", "analysis", "src", "test", "resources").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path run() {
        Path to = tmp.resolve("run");
        try (Stream<Path> files = Files.list(RESOURCES.resolve("run-folders/v1/team-overloaded"))) {
            Files.createDirectories(to);
            files.forEach(f -> {
                try {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    @Test
    void aProvidersUsageExportAloneIsSetBesideTheRunAndKeptInReconcileJson() throws Exception {
        Path dir = run();
        Path export = RESOURCES.resolve("exports/openai-usage-2-pages.jsonl");
        SoakLabTest.Result r = SoakLabTest.run("cost", dir.toString(), "--reconcile", export.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("Reconciliation of gpt-5.4-mini: the OpenAI usage export (2 pages, 2 buckets), 2026-11-30 00:00 to"
                + " 2026-12-02 00:00 UTC (2 days), as gpt-5.4-mini-2026-03-17\n"), r.out());
        assertTrue(r.out().contains(String.format("%-36s %18s %18s%n", "requests (calls)", "1,200", "26")), r.out());
        assertTrue(r.out().contains(String.format("%-36s %18s %18s%n", "cost at soaklab's prices", "$1.82", "$0.0322")), r.out());
        assertTrue(r.out().contains("  ! production's requests average 113 output tokens against 63 measured (+79%): the projection understates"
                + " output cost\n"), r.out());
        assertTrue(r.out().contains("    the provider's cache-read share is 29% against 24% measured: within 10 points\n"), r.out());
        assertFalse(r.out().contains("Forecast"), "no --volume, no projection");
        assertFalse(Files.exists(dir.resolve("forecast.csv")), "no projection written");

        JsonNode json = new ObjectMapper().readTree(dir.resolve("reconcile.json").toFile());
        assertTrue(r.out().endsWith("reconcile.json: " + dir.resolve("reconcile.json").toAbsolutePath() + "\n"), r.out());
        assertEquals("1.8195", json.path("provider_figures").path("cost_usd").asText());
        assertEquals(1200, json.path("provider_figures").path("requests").asLong());
        assertTrue(json.path("projected").isNull());
    }

    @Test
    void withAVolumeTheProjectedSpendADayIsSetBesideTheExports() throws Exception {
        Path dir = run();
        SoakLabTest.Result r = SoakLabTest.run("cost", dir.toString(), "--volume", "1000/day", "--months", "1", "--start", "2027-01",
                "--reconcile", RESOURCES.resolve("exports/openai-usage-2-pages.jsonl").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Measured: 4 tasks"), r.out());
        assertTrue(Files.exists(dir.resolve("forecast.csv")));
        // $1.8195 over 2 days against the measured mean $0.00338865 a task x 1,000
        assertTrue(r.out().contains("  ! the export spends $0.9098 a day against $3.39 projected at 1000 tasks a day (-73%): the volume or the"
                + " measured cost per task the projection rests on is too high for production\n"), r.out());
        JsonNode json = new ObjectMapper().readTree(dir.resolve("reconcile.json").toFile());
        assertEquals("3.38865", json.path("projected").path("per_day_usd").asText());
    }

    @Test
    void aFileOfNeitherFormatIsOneLineAndExitCodeTwo() throws Exception {
        Path dir = run();
        Path models = Files.writeString(tmp.resolve("models.json"), "{\"object\": \"list\", \"data\": [{\"id\": \"gpt-5.4-mini\", \"object\": \"model\"}]}");
        SoakLabTest.Result r = SoakLabTest.run("cost", dir.toString(), "--reconcile", models.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("soaklab cost: " + models + " is neither an OpenAI usage or costs export ({\"object\": \"page\", \"data\": [{\"object\":"
                + " \"bucket\", \"start_time\": ..., \"results\": [...]}]}) nor an Anthropic usage or cost report ({\"data\": [{\"starting_at\":"
                + " ..., \"results\": [...]}]})\n", r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(dir.resolve("reconcile.json")));

        SoakLabTest.Result anthropic = SoakLabTest.run("cost", dir.toString(), "--reconcile", RESOURCES.resolve("exports/anthropic-usage-report.json").toString());
        assertEquals(2, anthropic.code());
        assertEquals(1, anthropic.err().lines().count(), anthropic.err());
        assertTrue(anthropic.err().endsWith(": name the one production uses with --reconcile-model\n"), anthropic.err());

        SoakLabTest.Result none = SoakLabTest.run("cost", dir.toString());
        assertEquals(2, none.code());
        assertEquals("soaklab cost: --volume N/day is required (or --reconcile FILE, to set a provider's export beside the run)\n", none.err());
    }
}
