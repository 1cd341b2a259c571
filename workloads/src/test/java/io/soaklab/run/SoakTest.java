package io.soaklab.run;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.load.EpisodeRunner;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.WindowSummary;
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
        assertEquals(calls, Files.readAllLines(run.resolve(RunFile.CALLS.fileName())).size());
        assertEquals(6, Files.readAllLines(run.resolve(RunFile.EPISODES.fileName())).size());
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
    void callsStillOpenWhenTheRunEndsAreOnRecordWithHowFarTheyGotAndTheirAge() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer hanging = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        hanging.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hanging.createContext("/", exchange -> { // headers and one token, then nothing, until the test ends
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n".getBytes());
            exchange.getResponseBody().flush();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        hanging.start();
        Path run = dir.resolve("run");
        try {
            RunConfig config = RunConfig.builder().scenario(scenarioFile().toString()).concurrency(3).window(Duration.ofMillis(200))
                    .duration(Duration.ofMillis(200)).endpoint(java.net.URI.create("http://127.0.0.1:" + hanging.getAddress().getPort() + "/v1"))
                    .model("hangs").priceAs(RunConfig.UNPRICED).build();
            Soak.prepare(run, config, new RunManifest.Endpoint(config.target().endpoint(), false));
            WindowSummary last;
            try (Soak soak = Soak.open(run, false)) {
                soak.start();
                soak.beginWindow(false);
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (soak.runner().openCalls(System.nanoTime()).stream().filter(c -> c.firstTokenNanos() > 0).count() < 3
                        && System.nanoTime() < deadline) {
                    Thread.sleep(2); // until every user has its first token and waits for the next
                }
                assertEquals(3, soak.runner().openCalls(System.nanoTime()).stream().filter(c -> c.firstTokenNanos() > 0).count());
                last = soak.endWindow();
                assertEquals(3, soak.openAtEnd().size());
            }
            assertEquals(0, last.calls(), "no call ended");
            assertEquals(3, last.open(), "and three were still open");
            java.util.List<com.fasterxml.jackson.databind.JsonNode> lines = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(run.resolve(RunFile.CALLS.fileName()))) {
                lines.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
            }
            assertEquals(3, lines.size(), "every call sent is on record");
            for (com.fasterxml.jackson.databind.JsonNode line : lines) {
                assertEquals("open", line.get("error").asText());
                assertEquals("measure", line.get("phase").asText());
                assertEquals(0, line.get("window").asInt());
                assertEquals(200, line.get("status").asInt(), line.toString());
                assertTrue(line.get("ttft_us").asLong() > 0 && line.get("e2e_us").asLong() >= line.get("ttft_us").asLong(), line.toString());
                assertTrue(line.get("error_detail").asText().startsWith("still open when the run ended: 1 content chunks, the last "), line.toString());
            }
            assertEquals(RunStatus.COMPLETE, RunManifest.read(run).status());
        } finally {
            release.countDown();
            hanging.stop(0);
        }
    }

    @Test
    void everyCallFailingForThreeWindowsInARowEndsTheRunAsFailed() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // nobody listens there any more: every connection is refused
        }
        RunConfig config = RunConfig.builder().scenario(scenarioFile().toString()).concurrency(2).window(Duration.ofMillis(200))
                .duration(Duration.ofSeconds(20)).warmup(Duration.ofSeconds(1)).errorBackoff(Duration.ofMillis(10)).endpoint(java.net.URI.create("http://127.0.0.1:" + port + "/v1"))
                .model("gone").priceAs(RunConfig.UNPRICED).build();
        assertEquals(3, config.schedule().maxFailedWindows(), "the default");
        Path run = dir.resolve("run");
        Soak.prepare(run, config, new RunManifest.Endpoint(config.target().endpoint(), false));
        try (Soak soak = Soak.open(run, false)) {
            soak.start();
            for (int w = 0; w < 4; w++) { // warmup windows that fail every call neither count nor stop the run
                soak.beginWindow(true);
                awaitACallInThisWindow(soak);
                assertTrue(soak.endWindow().everyCallFailed());
            }
            assertEquals(null, soak.endedEarly(), "a warmup is for an endpoint to settle");
            for (int w = 0; w < 3; w++) {
                soak.beginWindow(false);
                awaitACallInThisWindow(soak);
                WindowSummary s = soak.endWindow();
                assertTrue(s.everyCallFailed(), s.toString());
                assertEquals(io.soaklab.protocol.ErrorClass.CONNECT_ERROR, s.mostFrequentError());
                assertTrue(soak.progress(s).contains("(100.0%, mostly connect_error)"), soak.progress(s));
            }
            assertTrue(soak.endedEarly() != null, "the third window ended the run");
            soak.beginWindow(false);
            assertEquals(null, soak.endWindow(), "nothing more is recorded");
        }
        RunManifest done = RunManifest.read(run);
        assertEquals(RunStatus.FAILED, done.status());
        // calls still in flight when the run stopped end in one more short window, if any do: none is lost
        assertTrue(done.windowsCompleted() == 3 || done.windowsCompleted() == 4, "windows: " + done.windowsCompleted());
        assertTrue(done.message().startsWith("every call failed in 3 windows in a row (the last: "), done.message());
        assertTrue(done.message().contains("mostly connect_error") && done.message().endsWith("stopped by --max-failed-windows 3"), done.message());
    }

    /**
     * Waits until a call has ended in the window just opened. A call is recorded before it is counted, so a call recorded just
     * before the window opened may be counted just after: each of the two users has at most one such call, and the third
     * counted after the window opened was recorded in it.
     */
    private static void awaitACallInThisWindow(Soak soak) throws InterruptedException {
        while (soak.awaitCall(0, java.util.concurrent.TimeUnit.SECONDS)) {
            // calls counted before this window opened
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(soak.awaitCall(30, java.util.concurrent.TimeUnit.SECONDS), "a call ended");
        }
    }

    @Test
    void aMissingKeyVariableIsOneClearError() {
        assertEquals("environment variable SOAKLAB_TEST_SURELY_UNSET (named by --api-key-env) is not set",
                assertThrows(IllegalArgumentException.class, () -> Soak.requireApiKey("SOAKLAB_TEST_SURELY_UNSET")).getMessage());
    }
}
