package io.soaklab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigTest {

    @TempDir
    Path dir;

    @Test
    void windowsRoundUpAndAShortRunIsOneWindow() {
        RunConfig c = RunConfig.builder().duration(Duration.ofSeconds(30)).window(Duration.ofSeconds(5)).build();
        assertEquals(6, c.windows());
        assertEquals(7, RunConfig.builder().duration(Duration.ofSeconds(31)).window(Duration.ofSeconds(5)).build().windows());
        RunConfig shortRun = RunConfig.builder().duration(Duration.ofSeconds(20)).build();
        assertEquals(Duration.ofSeconds(20), shortRun.window());
        assertEquals(1, shortRun.windows());
    }

    @Test
    void theJmhIterationTimeoutCoversAWindowAndTheLongestCall() {
        RunConfig c = RunConfig.builder().window(Duration.ofMinutes(15)).duration(Duration.ofHours(8))
                .timeouts(io.soaklab.protocol.Timeouts.DEFAULT.withCall(Duration.ofMinutes(10))).build();
        assertEquals(Duration.ofMinutes(26), c.iterationTimeout());
    }

    @Test
    void refusesWhatCannotRun() {
        assertEquals("model is required with endpoint", assertThrows(IllegalArgumentException.class,
                () -> RunConfig.builder().endpoint(URI.create("https://api.example.com/v1")).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().scenario("nope").build())
                .getMessage().startsWith("unknown scenario 'nope'; built-in scenarios: coding-agent"));
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().concurrency(0).build());
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().window(Duration.ofMillis(10)).build());
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().endpoint(URI.create("ftp://x/v1")).model("m").build());
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().maxTokensField("max_output").build());
    }

    @Test
    void runJsonRoundTripsAndHoldsNoSecret() throws Exception {
        RunConfig config = RunConfig.builder().endpoint(URI.create("https://api.example.com/v1")).model("gpt-x")
                .apiKeyEnv("MY_KEY").concurrency(32).duration(Duration.ofHours(8)).window(Duration.ofSeconds(60))
                .priceAs("gpt-5.4").maxSpend(new java.math.BigDecimal("25")).build();
        RunManifest m = RunManifest.create(dir, config, new RunManifest.Endpoint(config.endpoint(), false));
        m.write(dir);
        String text = Files.readString(dir.resolve(RunManifest.FILE));
        assertTrue(text.contains("\"api_key_env\" : \"MY_KEY\""), text);
        assertTrue(text.contains("\"duration\" : \"8h\""), text);
        assertTrue(text.contains("\"status\" : \"running\""), text);
        assertFalse(text.toLowerCase().contains("apikey\" : \"sk"), text);
        RunManifest back = RunManifest.read(dir);
        assertEquals(m, back);
        assertEquals(480, back.windowsPlanned());
        RunManifest done = back.withWindowsCompleted(480).ended(RunStatus.COMPLETE, null);
        done.write(dir);
        assertEquals(RunStatus.COMPLETE, RunManifest.read(dir).status());
        assertFalse(Files.exists(dir.resolve(RunManifest.FILE + ".tmp")));
    }

    @Test
    void aFirstFormatRunJsonReadsItsFlatTimeoutsIntoTheGroup() throws Exception {
        RunConfig config = RunConfig.builder().timeouts(new io.soaklab.protocol.Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(40),
                Duration.ofSeconds(7), Duration.ofMinutes(2))).build();
        RunManifest.create(dir, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true)).write(dir);
        String grouped = Files.readString(dir.resolve(RunManifest.FILE));
        assertTrue(grouped.contains("\"format\" : 2"), grouped);
        // as soaklab wrote it before the format had a version: no format, the four timeouts flat in the configuration
        String flat = grouped.replace("  \"format\" : 2,\n", "").replaceAll(
                "\"timeouts\" : \\{\\s*\"connect\" : \"3s\",\\s*\"first_token\" : \"40s\",\\s*\"idle\" : \"7s\",\\s*\"call\" : \"2m\"\\s*}",
                "\"connect_timeout\" : \"3s\", \"first_token_timeout\" : \"40s\", \"idle_timeout\" : \"7s\", \"call_timeout\" : \"2m\"");
        assertFalse(flat.contains("\"timeouts\""), flat);
        Files.writeString(dir.resolve(RunManifest.FILE), flat);
        RunManifest old = RunManifest.read(dir);
        assertEquals(1, old.format());
        assertEquals(config.timeouts(), old.config().timeouts());
    }

    @Test
    void runJsonIsWrittenEvenByAnInterruptedThread() throws Exception {
        RunManifest m = RunManifest.create(dir, RunConfig.builder().build(), null);
        Thread.currentThread().interrupt(); // JMH interrupts a benchmark that outlives its iteration timeout
        try {
            m.ended(RunStatus.ABORTED, "interrupted").write(dir);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertEquals(RunStatus.ABORTED, RunManifest.read(dir).status());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(RunManifest.FILE), files.map(f -> f.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    @Test
    void anEmbeddedEndpointKeyIsNeverWritten() throws Exception {
        RunConfig config = RunConfig.builder().sim(io.soaklab.sim.SimConfig.builder().apiKey("sk-never-on-disk").build()).build();
        RunManifest.create(dir, config, null).write(dir);
        String text = Files.readString(dir.resolve(RunManifest.FILE));
        assertFalse(text.contains("sk-never-on-disk"), text);
        assertEquals(null, RunManifest.read(dir).config().sim().apiKey());
    }

    @Test
    void aRunningManifestWhoseProcessesAreGoneIsOrphaned() throws Exception {
        RunManifest m = RunManifest.create(dir, RunConfig.builder().build(), null);
        assertFalse(m.orphaned(), "this test's own process is alive");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        RunManifest gone = new RunManifest(m.soaklab(), m.format(), m.runId(), m.status(), null, m.created(), null, null,
                dead.pid(), null, m.host(), m.versions(), m.config(), null, 1, 0);
        assertTrue(gone.orphaned());
    }

    @Test
    void aFolderHoldsOneRun() throws Exception {
        Path run = dir.resolve("r1");
        RunFolder.create(run);
        RunManifest.create(run, RunConfig.builder().build(), null).write(run);
        assertEquals("run folder " + run + " already holds a run; choose another --out",
                assertThrows(IllegalArgumentException.class, () -> RunFolder.create(run)).getMessage());
    }
}
