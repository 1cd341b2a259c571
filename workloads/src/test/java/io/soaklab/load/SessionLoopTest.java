package io.soaklab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import io.soaklab.record.RunRecorder;
import io.soaklab.record.TimeBase;
import io.soaklab.scenario.CodingAgent;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLoopTest {

    private static final long MS = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static final SimConfig FAST = SimConfig.builder().baseLatency(Duration.ofMillis(5)).prefillTokensPerSecond(1_000_000)
            .decodeTokensPerSecond(5000).outputTokensMedian(20).jitter(0).build();

    /** Three steps per session, 20 ms of tool time between them, small prompts. */
    private static final CodingAgent AGENT = new CodingAgent(new CodingAgent.Params(100, 10, 20, 3, 3, 50, 0.5, 200, 64,
            Duration.ofMillis(20), Duration.ofMillis(20)));

    private List<JsonNode> lines(String file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(file))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void runsSessionsBackToBackAndStartsEachCallWhenIntended() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(FAST);
             RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), recorder.itl())) {
            SessionLoop user = new SessionLoop(AGENT, client, recorder, 9, 4, Duration.ofSeconds(1), Duration.ofSeconds(30));
            recorder.beginWindow(false);
            for (int i = 0; i < 7; i++) {
                CallResult r = user.step();
                assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
                assertTrue(r.lagNanos() < 50 * MS, "lag " + r.lagNanos() / 1e6 + " ms");
            }
            recorder.endWindow();
        }
        List<JsonNode> calls = lines(RunRecorder.CALLS);
        assertEquals(List.of(0, 1, 2, 0, 1, 2, 0), calls.stream().map(c -> c.get("step").asInt()).toList());
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 2), calls.stream().map(c -> c.get("session").asInt()).toList());
        assertTrue(calls.stream().allMatch(c -> c.get("user").asInt() == 4));
        for (int i = 1; i < calls.size(); i++) {
            JsonNode prev = calls.get(i - 1);
            JsonNode cur = calls.get(i);
            long prevEnd = prev.get("intended_us").asLong() + prev.get("e2e_us").asLong();
            long pause = cur.get("intended_us").asLong() - prevEnd;
            long expected = cur.get("step").asInt() == 0 ? 0 : 20_000;
            assertEquals(expected, pause, 2, "call " + i + " intended start after the previous end");
            if (cur.get("step").asInt() > 0) {
                assertTrue(cur.get("prompt_tokens").asLong() > prev.get("prompt_tokens").asLong(), "context grows");
            }
        }
        List<JsonNode> sessions = lines(RunRecorder.SESSIONS);
        assertEquals(2, sessions.size(), "the third session is still open");
        assertTrue(sessions.get(0).get("ok").asBoolean());
        assertEquals(3, sessions.get(0).get("steps").asInt());
        long sum = calls.subList(0, 3).stream().mapToLong(c -> c.get("prompt_tokens").asLong()).sum();
        assertEquals(sum, sessions.get(0).get("prompt_tokens").asLong());
    }

    @Test
    void aStalledGeneratorShowsAsScheduleLagAndInLatencyFromTheIntendedStart() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(FAST);
             RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), recorder.itl())) {
            SessionLoop user = new SessionLoop(AGENT, client, recorder, 9, 0, Duration.ofSeconds(1), Duration.ofSeconds(30));
            CallResult first = user.step();
            Thread.sleep(300); // the generator's thread is late (a GC pause, a busy machine)
            CallResult second = user.step();
            assertTrue(first.lagNanos() < 50 * MS);
            long lag = second.lagNanos();
            assertTrue(lag >= 279 * MS && lag < 1000 * MS, "lag " + lag / 1e6 + " ms: at least the 300 ms stall minus the 20 ms tool time");
            assertTrue(second.firstTokenNanos() >= lag + 5 * MS, "TTFT counts from the intended start");
            assertTrue(second.ttftSentNanos() < lag - 100 * MS, "the uncorrected figure hides the stall: " + second.ttftSentNanos() / 1e6);
        }
    }

    @Test
    void aFailedCallEndsTheSessionAndBacksOff() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(SimConfig.builder().apiKey("right").build());
             RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).apiKey("wrong").build(), recorder.itl())) {
            SessionLoop user = new SessionLoop(AGENT, client, recorder, 9, 0, Duration.ofMillis(200), Duration.ofSeconds(30));
            recorder.beginWindow(false);
            assertEquals(ErrorClass.HTTP_4XX, user.step().error());
            assertEquals(ErrorClass.HTTP_4XX, user.step().error());
            recorder.endWindow();
        }
        List<JsonNode> calls = lines(RunRecorder.CALLS);
        long gap = calls.get(1).get("intended_us").asLong() - (calls.get(0).get("intended_us").asLong() + calls.get(0).get("e2e_us").asLong());
        assertEquals(200_000, gap, 2);
        assertEquals(List.of(0, 1), calls.stream().map(c -> c.get("session").asInt()).toList());
        List<JsonNode> sessions = lines(RunRecorder.SESSIONS);
        assertEquals(2, sessions.size());
        assertFalse(sessions.get(0).get("ok").asBoolean());
        assertEquals(401, calls.get(0).get("status").asInt());
    }

    @Test
    void usageIsEstimatedWhenTheServerReportsNone() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(FAST);
             RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
             ModelClient real = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), recorder.itl())) {
            ModelClient noUsage = new ModelClient() {
                @Override
                public java.util.concurrent.CompletableFuture<CallResult> send(io.soaklab.protocol.ChatRequest request, long intended) {
                    return real.send(request, intended).thenApply(r -> r.withUsage(io.soaklab.protocol.Usage.NONE));
                }

                @Override
                public void close() {
                }
            };
            CallResult truth = new SessionLoop(AGENT, real, recorder, 9, 0, Duration.ZERO, Duration.ZERO).step();
            CallResult estimated = new SessionLoop(AGENT, noUsage, recorder, 9, 0, Duration.ZERO, Duration.ZERO).step();
            assertEquals(io.soaklab.protocol.Usage.Source.ESTIMATED, estimated.usage().source());
            assertEquals(truth.usage().promptTokens(), estimated.usage().promptTokens(), "synthetic text: exact");
            assertEquals(truth.usage().completionTokens(), estimated.usage().completionTokens());
        }
    }
}
