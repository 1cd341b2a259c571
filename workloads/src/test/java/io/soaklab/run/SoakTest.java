package io.soaklab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.load.EpisodeRunner;
import io.soaklab.record.RunRecorder;
import io.soaklab.record.WindowSummary;
import io.soaklab.sim.SimConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakTest {

    @TempDir
    Path dir;

    /** A scenario file of one's own: quick chats. */
    private Path scenarioFile() throws java.io.IOException {
        Path file = dir.resolve("quick-chat.yaml");
        Files.writeString(file, "name: quick-chat\ndescription: one to four quick turns\nkind: chat\nsystem_prompt_tokens: 50\n"
                + "max_tokens: 32\nchat: {turns: {min: 1, max: 4}, user_tokens: 10}\n");
        return file;
    }

    private RunConfig fast(int windows) throws java.io.IOException {
        return RunConfig.builder().scenario(scenarioFile().toString()).concurrency(1).window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(windows))
                .sim(SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(5000).build()).build();
    }

    @Test
    void aPreparedRunStartsItsOwnEndpointRecordsWindowsAndEndsComplete() throws Exception {
        Path run = dir.resolve("run");
        Soak.prepare(run, fast(2), null);
        long calls = 0;
        try (Soak soak = Soak.open(run, false)) {
            RunManifest started = RunManifest.read(run);
            assertNotNull(started.started());
            assertTrue(started.endpoint().embedded());
            assertTrue(started.endpoint().url().toString().startsWith("http://127.0.0.1:"));
            assertEquals("quick-chat", soak.scenario().name());
            Files.delete(scenarioFile());
            assertTrue(Files.readString(run.resolve(Soak.SCENARIO_FILE)).contains("kind: chat"), "the run keeps its own copy of the scenario");
            EpisodeRunner runner = soak.runner();
            for (int w = 0; w < 2; w++) {
                soak.beginWindow(false);
                for (int i = 0; i < 3; i++) {
                    assertTrue(runner.run(0, 3L * w + i, System.nanoTime()).ok());
                }
                WindowSummary s = soak.endWindow();
                assertTrue(s.calls() >= 3, "a chat of 1-4 turns per episode: " + s.calls());
                calls += s.calls();
                String line = soak.progress(s);
                assertTrue(line.startsWith("[window " + (w + 1) + "/2 "), line);
                assertTrue(line.contains(" calls/s | TTFT p50 "), line);
                assertEquals(w + 1, RunManifest.read(run).windowsCompleted());
            }
        }
        RunManifest done = RunManifest.read(run);
        assertEquals(RunStatus.COMPLETE, done.status());
        assertNotNull(done.ended());
        assertEquals(calls, Files.readAllLines(run.resolve(RunRecorder.CALLS)).size());
        assertEquals(6, Files.readAllLines(run.resolve(RunRecorder.EPISODES)).size());
    }

    @Test
    void endingEarlyIsAborted() throws Exception {
        Path run = dir.resolve("run");
        Soak.prepare(run, fast(3), null);
        try (Soak soak = Soak.open(run, false)) {
            soak.beginWindow(false);
            soak.runner().run(0, 0, System.nanoTime());
            soak.endWindow();
        }
        RunManifest done = RunManifest.read(run);
        assertEquals(RunStatus.ABORTED, done.status());
        assertEquals("ended after 1 of 3 windows", done.message());
        assertThrows(IllegalStateException.class, () -> Soak.open(run, false), "an ended run is not reopened");
    }

    @Test
    void aMissingKeyVariableIsOneClearError() {
        assertEquals("environment variable SOAKLAB_TEST_SURELY_UNSET (named by --api-key-env) is not set",
                assertThrows(IllegalArgumentException.class, () -> Soak.apiKey("SOAKLAB_TEST_SURELY_UNSET")).getMessage());
    }
}
