package io.soaklab.internal.resilience;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.load.Lab;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.scenario.Episode;
import io.soaklab.scenario.Scenario;
import io.soaklab.sim.SimConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's recovery policy against the embedded endpoint's refusals and faults, over real HTTP. */
class ResilienceTest {

    @TempDir
    Path dir;

    private static final Resilience.Backoff TINY = new Resilience.Backoff(Duration.ofMillis(1), Duration.ofMillis(2), 2, false);

    private static Resilience policy(int attempts, Resilience.Budget budget, Resilience.Breaker breaker) {
        return new Resilience(attempts, TINY, true, Duration.ofSeconds(60), Resilience.TRANSIENT, budget, breaker);
    }

    /** An episode of {@code calls} calls, each asking for up to {@code maxTokens[i]} tokens. */
    private static Scenario calls(int... maxTokens) {
        return new Scenario() {
            @Override
            public String name() {
                return "calls";
            }

            @Override
            public String description() {
                return "a few plain calls";
            }

            @Override
            public void run(Episode episode) throws InterruptedException {
                for (int i = 0; i < maxTokens.length; i++) {
                    CallResult r = episode.call(new ChatRequest(List.of(Message.user(" the data " + i)), maxTokens[i]));
                    if (!r.ok()) {
                        episode.fail("model_" + r.error().wireName());
                    }
                }
            }
        };
    }

    @Test
    void aRateLimitedCallIsRetriedNoSoonerThanTheServerAskedAndCountsFromItsFirstAttempt() throws Exception {
        // 6,000 tokens a minute refill at 100 a second. The first call takes nearly all (cap 5,980); the second (cap 50)
        // finds about 20 left and is told to come back in about 0.4 s.
        SimConfig sim = Lab.fast(5000, 2).limits(new SimConfig.Limits(0, 6000, 0, 0)).build();
        List<JsonNode> lines;
        try (Lab lab = new Lab(dir, sim, calls(5980, 50), policy(3, null, null))) {
            assertTrue(lab.runner.run(0, 0, System.nanoTime()).ok());
            lines = lab.lines(RunFile.CALLS.fileName());
        }
        assertEquals(3, lines.size());
        JsonNode refused = lines.get(1);
        JsonNode retried = lines.get(2);
        assertEquals("http_429", refused.get("error").asText());
        assertFalse(refused.get("last").asBoolean());
        assertEquals(2, retried.get("attempt").asInt());
        assertEquals("ok", retried.get("error").asText());
        long waited = retried.get("intended_us").asLong() - (refused.get("intended_us").asLong() + refused.get("e2e_us").asLong());
        assertTrue(waited > 250_000 && waited < 700_000, "waited " + waited / 1000 + " ms: the retry-after, not the 1-2 ms backoff");
        assertEquals(retried.get("intended_us").asLong() + retried.get("e2e_us").asLong() - refused.get("intended_us").asLong(),
                retried.get("call_e2e_us").asLong(), 2, "what the agent waited, from the first attempt");
    }

    @Test
    void whatIsNotWorthRetryingIsNotRetried() throws Exception {
        SimConfig sim = Lab.fast(5000, 2).contextWindow(1000).build();
        List<JsonNode> lines;
        try (Lab lab = new Lab(dir, sim, calls(5000), policy(5, null, null))) {
            assertFalse(lab.runner.run(0, 0, System.nanoTime()).ok());
            lines = lab.lines(RunFile.CALLS.fileName());
        }
        assertEquals(1, lines.size(), "a 400 (context too long) fails the same way every time");
        assertEquals("context_length", lines.get(0).get("error").asText());
    }

    @Test
    void transientFailuresAreRetriedUpToTheAttemptsAndEachAttemptIsDrawnAfresh() throws Exception {
        // half the requests fail with 503; a retry of the same request is served afresh by the endpoint
        SimConfig sim = Lab.fast(5000, 2).faults(new SimConfig.Faults(0, 0, 0.5, 0, 0, 0, 0, Duration.ofSeconds(1), 0, 0,
                Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO)).build();
        int[] caps = new int[40];
        java.util.Arrays.fill(caps, 10);
        List<JsonNode> lines;
        List<JsonNode> episodes;
        try (Lab lab = new Lab(dir, sim, calls(caps), policy(4, null, null))) {
            lab.runner.run(0, 0, System.nanoTime());
            lines = lab.lines(RunFile.CALLS.fileName());
            episodes = lab.lines(RunFile.EPISODES.fileName());
        }
        long last = lines.stream().filter(l -> l.get("last").asBoolean()).count();
        long okCalls = lines.stream().filter(l -> l.get("last").asBoolean() && l.get("error").asText().equals("ok")).count();
        assertEquals(40, last, "every call has exactly one last attempt");
        assertTrue(lines.size() > 55, "about 40 x (1 + 1/2 + 1/4 + 1/8) attempts: " + lines.size());
        assertTrue(okCalls >= 35, "about 40 x 15/16 recovered: " + okCalls);
        assertTrue(lines.stream().allMatch(l -> l.get("attempt").asInt() <= 4));
        JsonNode e = episodes.get(0);
        assertEquals(lines.size(), e.get("attempts").asInt());
        assertEquals(40, e.get("calls").asInt());
    }

    @Test
    void anExhaustedRetryBudgetStopsRetries() throws Exception {
        SimConfig sim = Lab.fast(5000, 2).faults(new SimConfig.Faults(1, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(1), 0, 0,
                Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO)).build();
        List<JsonNode> lines;
        List<JsonNode> events;
        // every request fails; at most 1 retry a second (floor) plus nothing per request, over 10 s: one retry in all
        try (Lab lab = new Lab(dir, sim, calls(10, 10, 10, 10), policy(5, new Resilience.Budget(0, 0.1), null))) {
            lab.runner.run(0, 0, System.nanoTime());
            lines = lab.lines(RunFile.CALLS.fileName());
            events = lab.lines(RunFile.EVENTS.fileName());
        }
        assertEquals(5, lines.size(), "four calls, one retry between them");
        assertTrue(events.stream().anyMatch(e -> e.get("type").asText().equals("retries_ended")
                && e.get("reason").asText().equals("budget_exhausted")), events.toString());
    }

    @Test
    void anOpenBreakerFailsCallsFastWithoutSendingThem() throws Exception {
        SimConfig sim = Lab.fast(5000, 2).faults(new SimConfig.Faults(1, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(1), 0, 0,
                Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO)).build();
        int[] caps = new int[12];
        java.util.Arrays.fill(caps, 10);
        List<JsonNode> lines;
        long requests;
        try (Lab lab = new Lab(dir, sim, calls(caps), policy(1, null, new Resilience.Breaker(0.5, 5, Duration.ofSeconds(10),
                Duration.ofSeconds(30))))) {
            lab.runner.run(0, 0, System.nanoTime());
            requests = lab.endpoint.requests();
            assertEquals(1, lab.runner.guard().breakerOpenings());
            lines = lab.lines(RunFile.CALLS.fileName());
        }
        assertEquals(5, requests, "five failures opened the breaker; the endpoint saw nothing after");
        assertEquals(12, lines.size());
        assertEquals(Set.of("http_5xx"), Set.copyOf(lines.subList(0, 5).stream().map(l -> l.get("error").asText()).toList()));
        assertEquals(Set.of("circuit_open"), Set.copyOf(lines.subList(5, 12).stream().map(l -> l.get("error").asText()).toList()));
        assertTrue(lines.subList(5, 12).stream().allMatch(l -> l.get("e2e_us").asLong() == l.get("lag_us").asLong() && !l.has("headers_us")),
                "failed fast: no time but soaklab's own before the failure, no response");
        assertEquals(ErrorClass.CIRCUIT_OPEN.wireName(), lines.get(11).get("error").asText());
    }
}
