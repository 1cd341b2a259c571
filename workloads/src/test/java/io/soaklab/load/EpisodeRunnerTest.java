package io.soaklab.load;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An episode's calls, at their intended starts, with their lanes, events and outcome on record. */
class EpisodeRunnerTest {

    private static final long MS = 1_000_000;

    @TempDir
    Path dir;

    /** Three tool steps, each tool taking exactly 20 ms, then an answer; small prompts. */
    static final String AGENT = """
            name: three-steps
            description: three tool steps and an answer
            kind: agent
            system_prompt_tokens: 100
            task_tokens: 20
            steps: 4
            max_tokens: 64
            tools:
              - name: look
                parameters: {what: string}
                output_tokens: 50
                latency: 20ms
            """;

    private static Scenario code(String name, Lab.ScenarioBody body) {
        return Lab.code(name, body);
    }

    private static ChatRequest ask(int tokens) {
        return new ChatRequest(List.of(Message.user("tell me" + io.soaklab.internal.text.SyntheticText.words(new java.util.SplittableRandom(tokens), tokens))), 64);
    }

    @Test
    void eachCallStartsWhenThePreviousEndedPlusToolTimeAndTheContextGrows() throws Exception {
        List<JsonNode> calls;
        List<JsonNode> episodes;
        try (Lab lab = new Lab(dir, Lab.fast(5000, 20).build(), Lab.scenario(AGENT), Resilience.none())) {
            long start = System.nanoTime();
            EpisodeRunner.Outcome first = lab.runner.run(4, 0, start);
            EpisodeRunner.Outcome second = lab.runner.run(4, 1, first.endNanos());
            assertTrue(first.ok() && second.ok());
            calls = lab.lines(RunFile.CALLS.fileName());
            episodes = lab.lines(RunFile.EPISODES.fileName());
        }
        assertEquals(8, calls.size());
        assertEquals(List.of(0, 1, 2, 3, 0, 1, 2, 3), calls.stream().map(c -> c.get("step").asInt()).toList());
        assertEquals(List.of(0, 0, 0, 0, 1, 1, 1, 1), calls.stream().map(c -> c.get("episode").asInt()).toList());
        assertTrue(calls.stream().allMatch(c -> c.get("user").asInt() == 4 && c.get("role").asText().equals("agent")));
        for (int i = 1; i < calls.size(); i++) {
            JsonNode prev = calls.get(i - 1);
            JsonNode cur = calls.get(i);
            long pause = cur.get("intended_us").asLong() - (prev.get("intended_us").asLong() + prev.get("e2e_us").asLong());
            long expected = cur.get("step").asInt() == 0 ? 0 : 20_000; // the tool's 20 ms, nothing else
            assertEquals(expected, pause, 2, "call " + i + " intended start after the previous end");
            assertTrue(cur.get("lag_us").asLong() < 200_000, "the generator kept up: " + cur);
            if (cur.get("step").asInt() > 0) {
                assertTrue(cur.get("prompt_tokens").asLong() > prev.get("prompt_tokens").asLong() + 50, "context grows by the tool output");
            }
        }
        assertEquals("tool_calls", calls.get(0).get("finish").asText(), "tools are required on working steps");
        assertEquals("stop", calls.get(3).get("finish").asText(), "and the last step answers");
        assertEquals(2, episodes.size());
        JsonNode e = episodes.get(0);
        assertTrue(e.get("ok").asBoolean());
        assertEquals(4, e.get("calls").asInt());
        assertEquals(3, e.get("metrics").get("tool_calls").asInt());
        long sum = calls.subList(0, 4).stream().mapToLong(c -> c.get("prompt_tokens").asLong()).sum();
        assertEquals(sum, e.get("tokens").get("prompt").asLong());
        assertEquals(sum, e.get("roles").get("agent").get("prompt").asLong());
        JsonNode last = calls.get(3);
        assertEquals(last.get("intended_us").asLong() + last.get("e2e_us").asLong() - e.get("intended_us").asLong(),
                e.get("duration_us").asLong(), 2);
    }

    @Test
    void aStalledGeneratorShowsAsScheduleLagAndInLatencyFromTheIntendedStart() throws Exception {
        CallResult[] seen = new CallResult[2];
        Scenario stalling = code("stall", episode -> {
            seen[0] = episode.call(ask(10));
            episode.pause(Duration.ofMillis(20));
            Thread.sleep(300); // the generator's thread is late (a GC pause, a busy machine)
            seen[1] = episode.call(ask(11));
        });
        try (Lab lab = new Lab(dir, Lab.fast(5000, 20).baseLatency(Duration.ofMillis(5)).build(), stalling, Resilience.none())) {
            lab.runner.run(0, 0, System.nanoTime());
        }
        assertTrue(seen[0].lagNanos() < 50 * MS);
        long lag = seen[1].lagNanos();
        assertTrue(lag >= 279 * MS && lag < 1000 * MS, "lag " + lag / 1e6 + " ms: at least the 300 ms stall minus the 20 ms pause");
        assertTrue(seen[1].firstTokenNanos() >= lag + 5 * MS, "TTFT counts from the intended start");
        assertTrue(seen[1].ttftSentNanos() < lag - 100 * MS, "the uncorrected figure hides the stall: " + seen[1].ttftSentNanos() / 1e6);
    }

    @Test
    void aFailedCallFailsTheEpisodeWithItsReason() throws Exception {
        List<JsonNode> episodes;
        List<JsonNode> calls;
        try (Lab lab = new Lab(dir, Lab.fast(5000, 20).apiKey("right").build(), Lab.scenario(AGENT), Resilience.sdkDefaults())) {
            assertFalse(lab.runner.run(0, 0, System.nanoTime()).ok());
            calls = lab.lines(RunFile.CALLS.fileName());
            episodes = lab.lines(RunFile.EPISODES.fileName());
        }
        assertEquals(1, calls.size(), "a 401 is not worth another attempt");
        assertEquals(401, calls.get(0).get("status").asInt());
        assertFalse(episodes.get(0).get("ok").asBoolean());
        assertEquals("model_http_4xx", episodes.get(0).get("reason").asText());
    }

    @Test
    void subAgentsRunInParallelEachOnItsOwnTimelineAndTheMergeWaitsForTheSlowest() throws Exception {
        List<JsonNode> calls;
        try (Lab lab = new Lab(dir, Lab.fast(100, 10).build(), code("fan-out", episode -> {
            episode.as("coordinator").call(ask(5));
            List<Long> spans = episode.parallel(List.of("fast", "slow"), (agent, i) -> {
                long from = agent.elapsedNanos();
                agent.call(ask(6 + i));
                if (i == 1) {
                    agent.pause(Duration.ofMillis(300));
                    agent.call(ask(9));
                }
                return agent.elapsedNanos() - from;
            });
            assertTrue(spans.get(1) > spans.get(0) + 300 * MS);
            episode.as("coordinator").call(ask(10));
        }), Resilience.none())) {
            assertTrue(lab.runner.run(0, 0, System.nanoTime()).ok());
            calls = lab.lines(RunFile.CALLS.fileName());
        }
        assertEquals(java.util.Map.of("coordinator", 2L, "fast", 1L, "slow", 2L), calls.stream()
                .collect(java.util.stream.Collectors.groupingBy(c -> c.get("role").asText(), java.util.stream.Collectors.counting())));
        JsonNode plan = calls.stream().filter(c -> c.get("role").asText().equals("coordinator")).findFirst().orElseThrow();
        long fanOut = plan.get("intended_us").asLong() + plan.get("e2e_us").asLong();
        JsonNode fast = calls.stream().filter(c -> c.get("role").asText().equals("fast")).findFirst().orElseThrow();
        List<JsonNode> slow = calls.stream().filter(c -> c.get("role").asText().equals("slow")).toList();
        assertEquals(fanOut, fast.get("intended_us").asLong(), 2, "both start at the fan-out");
        assertEquals(fanOut, slow.get(0).get("intended_us").asLong(), 2);
        JsonNode merge = calls.stream().filter(c -> c.get("role").asText().equals("coordinator")).skip(1).findFirst().orElseThrow();
        long slowEnd = slow.get(1).get("intended_us").asLong() + slow.get(1).get("e2e_us").asLong();
        assertEquals(slowEnd, merge.get("intended_us").asLong(), 2, "the merge is intended when the slowest ended: the critical path");
        assertEquals(1, merge.get("step").asInt(), "the coordinator's lane counts its own steps");
    }

    @Test
    void usageIsEstimatedWhenTheServerReportsNone() throws Exception {
        CallResult[] seen = new CallResult[1];
        Scenario one = code("one", episode -> seen[0] = episode.call(ask(30)));
        CallResult truth;
        try (Lab lab = new Lab(dir.resolve("a"), Lab.fast(5000, 20).build(), one, Resilience.none())) {
            lab.runner.run(0, 0, System.nanoTime());
            truth = seen[0];
        }
        try (Lab lab = new Lab(dir.resolve("b"), Lab.fast(5000, 20).build(), one, Resilience.none(), real -> new ModelClient() {
            @Override
            public CompletableFuture<CallResult> send(ChatRequest request, long intended) {
                return real.send(request, intended).thenApply(r -> r.withUsage(Usage.NONE));
            }

            @Override
            public void close() {
                real.close();
            }
        }, Api.OPENAI)) {
            lab.runner.run(0, 0, System.nanoTime());
        }
        assertEquals(Usage.Source.ESTIMATED, seen[0].usage().source());
        assertEquals(truth.usage().promptTokens(), seen[0].usage().promptTokens(), "synthetic text: exact");
        assertEquals(truth.usage().completionTokens(), seen[0].usage().completionTokens());
        assertEquals(ErrorClass.OK, seen[0].error());
    }

    @Test
    void aSubAgentsCallLeftWhenASiblingFailsIsOnRecordAtOnceNotAtTheRunsEnd() throws Exception {
        io.soaklab.sim.SimConfig slow = Lab.fast(2, 60).build(); // a reply of 60 tokens at 2 a second: half a minute in flight
        List<JsonNode> calls;
        Lab[] running = new Lab[1];
        try (Lab lab = new Lab(dir, slow, code("fan-out", episode -> episode.parallel(List.of("fails", "waits"), (agent, i) -> {
            if (i == 1) {
                return agent.call(ask(5));
            }
            while (running[0].runner.openCalls(System.nanoTime()).isEmpty()) {
                Thread.sleep(2); // until the sibling's call is in flight
            }
            throw new IllegalStateException("the specialist's tool crashed");
        })), Resilience.none())) {
            running[0] = lab;
            try {
                lab.runner.run(0, 0, System.nanoTime());
            } catch (IllegalStateException expected) {
                // the scenario's failure is the load's to report
            }
            assertTrue(lab.runner.openCalls(System.nanoTime()).isEmpty(), "nothing left waiting for the run's end");
            calls = lab.lines(RunFile.CALLS.fileName());
        }
        assertEquals(1, calls.size(), calls.toString());
        assertEquals("waits", calls.get(0).get("role").asText());
        assertEquals("client_error", calls.get(0).get("error").asText(), calls.toString());
        assertTrue(calls.get(0).get("error_detail").asText().startsWith("the episode stopped before the call's end was recorded"), calls.toString());
    }
}
