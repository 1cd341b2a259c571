package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.soaklab.internal.bench.SoakLauncher;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.sim.SimConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a run ends, as its user sees it: a dead endpoint stops it before it starts, a refusing one
 * ends it as failed, a run with failed calls says so, and exit codes tell them apart. The key a
 * server echoes is in none of it.
 */
class RunOutcomeTest {

    /** Not a real key: tests never read one. It is set only in the child process's environment. */
    private static final String FAKE_KEY = "sk-soaklab-fake-4f2a9c1e7b3d";

    @TempDir
    Path tmp;

    private HttpServer server;
    private Process child;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (child != null) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
        }
    }

    /** A server that refuses every request with a 401 whose message echoes the key it was sent. */
    private String echoingServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ("{\"error\":{\"message\":\"Incorrect API key provided: " + auth + ". You can find your API key at"
                    + " https://platform.example.com/api-keys.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** {@code soaklab ARGS} in its own JVM, with the fake key in its environment; returns its exit code. */
    private int soaklab(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "-Djmh.ignoreLock=true",
                SoakLab.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("soaklab.log").toFile());
        builder.environment().put("SOAKLAB_FAKE_KEY", FAKE_KEY);
        child = builder.start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "soaklab ended: " + log());
        return child.exitValue();
    }

    private String log() throws IOException {
        return Files.readString(tmp.resolve("soaklab.log"));
    }

    @Test
    void aDeadEndpointIsOneLineAndExitCodeTwoBeforeAnythingRuns() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path out = tmp.resolve("never");
        SoakLabTest.Result r = SoakLabTest.run("run", "--endpoint", "http://127.0.0.1:" + port + "/v1", "--model", "gpt-5.4-mini",
                "--duration", "2s", "--window", "1s", "--out", out.toString());
        assertEquals(SoakLab.USAGE, r.code(), r.err());
        assertEquals("soaklab run: cannot reach http://127.0.0.1:" + port + "/v1: ConnectException: Connection refused; check --endpoint"
                + " (or skip this check with --no-endpoint-check)", r.err().strip());
        assertFalse(Files.exists(out), "no run folder for a run that never started");
    }

    @Test
    void aKeyTheEndpointRefusesAndEchoesStopsTheRunWithTheKeyRedacted() throws Exception {
        String endpoint = echoingServer();
        int code = soaklab("run", "--endpoint", endpoint, "--model", "gpt-5.4-mini", "--api-key-env", "SOAKLAB_FAKE_KEY",
                "--duration", "2s", "--window", "1s", "--out", tmp.resolve("refused").toString());
        assertEquals(SoakLab.USAGE, code, log());
        assertTrue(log().contains("soaklab run: " + endpoint + " refused the API key in $SOAKLAB_FAKE_KEY: HTTP 401: invalid_request_error"
                + " (invalid_api_key): Incorrect API key provided: Bearer [redacted]."), log());
        assertFalse(log().contains(FAKE_KEY), "the key is never printed: " + log());
    }

    @Test
    void anEndpointThatFailsEveryCallEndsTheRunAsFailedAndTheKeyIsInNoFile() throws Exception {
        String endpoint = echoingServer();
        Path dir = tmp.resolve("failed");
        int code = soaklab("run", "--endpoint", endpoint, "--model", "gpt-5.4-mini", "--api-key-env", "SOAKLAB_FAKE_KEY", "--no-endpoint-check",
                "--price-as", "none", "--concurrency", "2", "--error-backoff", "50ms", "--duration", "30s", "--window", "1s", "--forks", "0",
                "--out", dir.toString());
        assertEquals(SoakLab.FAILED, code, log());
        RunManifest manifest = RunManifest.read(dir);
        assertEquals(RunStatus.FAILED, manifest.status(), log());
        assertTrue(manifest.windowsCompleted() >= 3 && manifest.windowsCompleted() < 10,
                "three windows in a row in which every call failed (a first window in which none ended counts neither way), of thirty planned: "
                        + manifest.windowsCompleted());
        assertTrue(log().contains("soaklab: run failed: every call failed in 3 windows in a row"), log());
        assertTrue(log().contains("mostly http_4xx"), log());
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<p class=\"status bad\">Failed: the endpoint failed (every call failed in 3 windows in a row"), html);
        assertTrue(html.contains("Bearer [redacted]"), "the echo is kept, without the key");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".png")).toList()) {
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains(FAKE_KEY), f + " holds the key");
            }
        }
        assertFalse(log().contains(FAKE_KEY));
    }

    @Test
    void aCompleteRunWithFailedCallsExitsThreeAndAHealthyOneZero() throws Exception {
        SimConfig flaky = SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(2000).jitter(0)
                .faults(new SimConfig.Faults(0, 0, 0, 0, 0, 0.25, 0, Duration.ofSeconds(1), 0, 0, Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO))
                .build();
        RunConfig config = RunConfig.builder().scenario("chat-support").concurrency(4).window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(2))
                .sim(flaky).forks(0).build();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        SoakLauncher.Outcome withFailures = SoakLauncher.launch(config, tmp.resolve("flaky"), new PrintStream(progress, true, StandardCharsets.UTF_8));
        assertEquals(RunStatus.COMPLETE, withFailures.status(), progress.toString(StandardCharsets.UTF_8));
        assertTrue(withFailures.failed() > 0 && withFailures.failed() < withFailures.calls(), withFailures.toString());
        assertEquals(SoakLab.WITH_FAILURES, SoakLab.exitCode(withFailures));
        assertTrue(Files.readString(withFailures.report()).contains("<p class=\"status warn\">Complete, with failures: " + withFailures.failed()
                + " of " + withFailures.calls() + " calls failed"), "the banner says so");

        SoakLauncher.Outcome healthy = SoakLauncher.launch(RunConfig.builder().scenario("chat-support").concurrency(4).window(Duration.ofSeconds(1))
                .duration(Duration.ofSeconds(2)).sim(SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(5000).build()).forks(0).build(),
                tmp.resolve("healthy"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, healthy.failed());
        assertTrue(healthy.calls() > 0, healthy.toString());
        assertEquals(SoakLab.OK, SoakLab.exitCode(healthy));
        assertTrue(Files.readString(healthy.report()).contains("<p class=\"status ok\">Complete and healthy: every planned window ran and every call succeeded."));
        assertEquals(SoakLab.WITH_FAILURES, SoakLab.exitCode(new SoakLauncher.Outcome(tmp, RunStatus.COMPLETE, healthy.report(), null, 0, 0, 4)),
                "a complete run in which no call ended is not a healthy one");
    }
}
