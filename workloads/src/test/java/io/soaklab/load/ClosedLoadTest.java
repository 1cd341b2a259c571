package io.soaklab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.ModelClient;
import io.soaklab.record.RunRecorder;
import io.soaklab.record.TimeBase;
import io.soaklab.record.WindowSummary;
import io.soaklab.scenario.CodingAgent;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClosedLoadTest {

    @TempDir
    Path dir;

    @Test
    void usersRunOnTheirOwnAndWindowBoundariesNeverMakeThemLate() throws Exception {
        // Calls of ~300 ms against windows of 100 ms: a harness that waited for calls at each boundary would show lag.
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(50)).decodeTokensPerSecond(100)
                .outputTokensMedian(25).outputTokensSigma(0).jitter(0).build();
        CodingAgent agent = new CodingAgent(new CodingAgent.Params(50, 5, 10, 2, 4, 20, 0.2, 50, 64, Duration.ZERO, Duration.ofMillis(30)));
        int completed = 0;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), recorder.itl())) {
            ClosedLoad load = new ClosedLoad(6, user -> new SessionLoop(agent, client, recorder, 3, user, Duration.ofSeconds(1), Duration.ofSeconds(10)));
            load.start();
            long maxLagMicros = 0;
            long calls = 0;
            for (int w = 0; w < 15; w++) {
                recorder.beginWindow(false);
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                while (System.nanoTime() < end) {
                    if (load.awaitCall(5, TimeUnit.MILLISECONDS)) {
                        completed++;
                    }
                }
                WindowSummary s = recorder.endWindow();
                calls += s.calls();
                maxLagMicros = Math.max(maxLagMicros, s.lagMaxMicros());
            }
            recorder.seal();
            load.stop();
            client.close();
            assertTrue(load.awaitStopped(3000), "every user thread ends");
            // A harness that held users at window boundaries would make them late by about a call (~350 ms).
            assertTrue(maxLagMicros < 100_000, "max schedule lag " + maxLagMicros + " µs");
            assertTrue(calls >= 20, "about 6 users x 1.5 s / 0.35 s: " + calls);
            assertTrue(Math.abs(completed - calls) <= 6, "awaited " + completed + ", recorded " + calls);
        }
        Set<Integer> users = new HashSet<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(dir.resolve(RunRecorder.CALLS))) {
            JsonNode call = json.readTree(line);
            users.add(call.get("user").asInt());
            assertEquals("ok", call.get("error").asText(), line);
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), users);
    }

    @Test
    void aFailureInsideSoaklabNeitherEndsTheUserNorTheRun() throws Exception {
        CodingAgent agent = new CodingAgent(new CodingAgent.Params(10, 5, 10, 1, 1, 20, 0.2, 50, 16, Duration.ZERO, Duration.ZERO));
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        io.soaklab.scenario.Scenario flaky = new io.soaklab.scenario.Scenario() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public String description() {
                return "fails to open its first session";
            }

            @Override
            public io.soaklab.scenario.Session newSession(long seed) {
                if (opened.getAndIncrement() == 0) {
                    throw new IllegalStateException("a bug in a scenario");
                }
                return agent.newSession(seed);
            }
        };
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(1000).outputTokensMedian(5).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), recorder.itl())) {
            ClosedLoad load = new ClosedLoad(1, user -> new SessionLoop(flaky, client, recorder, 1, user, Duration.ZERO, Duration.ofSeconds(10)));
            load.start();
            assertTrue(load.awaitCall(5, TimeUnit.SECONDS), "the user went on after the failure");
            assertEquals(1, load.failures());
            load.stop();
            client.close();
            assertTrue(load.awaitStopped(3000));
        }
    }
}
