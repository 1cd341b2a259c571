package io.soaklab.scenario;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.load.Lab;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.resilience.Resilience;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent's work against the embedded endpoint: tool calls and their failures, and compaction. */
class AgentLoopTest {

    @TempDir
    Path dir;

    private static final String HEAD = """
            name: t
            description: an agent under test
            kind: agent
            system_prompt_tokens: 200
            task_tokens: 50
            max_tokens: 200
            """;

    /** Runs one episode of {@code yaml}; returns its calls, its episode line and its events. */
    private Run run(String yaml) throws Exception {
        try (Lab lab = new Lab(dir, Lab.fast(5000, 20).build(), Lab.scenario(HEAD + yaml), Resilience.none())) {
            lab.runner.run(0, 0, System.nanoTime());
            return new Run(lab.lines(RunFile.CALLS.fileName()), lab.lines(RunFile.EPISODES.fileName()).get(0), lab.lines(RunFile.EVENTS.fileName()));
        }
    }

    private record Run(List<JsonNode> calls, JsonNode episode, List<JsonNode> events) {
        double metric(String name) {
            return episode.path("metrics").path(name).asDouble(0);
        }

        List<JsonNode> events(String type) {
            return events.stream().filter(e -> e.get("type").asText().equals(type)).toList();
        }
    }

    private static final String BIG_TOOL = """
            tools:
              - name: read
                output_tokens: 800
                latency: 1ms
            """;

    @Test
    void pastItsBudgetTheConversationIsSummarizedAndTheNextPromptIsSmall() throws Exception {
        Run r = run("steps: 8\n" + BIG_TOOL + "context: {budget: 3000, compact_to: 500, compaction: summarize}\n");
        assertTrue(r.episode().get("ok").asBoolean(), r.episode().toString());
        List<JsonNode> compactions = r.events("compaction");
        assertTrue(compactions.size() >= 1, "8 steps of 800-token outputs pass 3,000 tokens");
        JsonNode c = compactions.get(0);
        assertEquals("summarize", c.get("mode").asText());
        assertTrue(c.get("before_tokens").asLong() >= 3000);
        assertTrue(c.get("after_tokens").asLong() < 800, "system, task and a summary of at most 500 tokens: " + c);
        assertEquals(c.get("before_tokens").asLong() - c.get("after_tokens").asLong(), c.get("saved_tokens").asLong());
        assertEquals(compactions.size(), r.metric("compactions"));
        assertEquals(compactions.size(), r.metric("compaction_calls"), "a summary is a model call");
        assertEquals(8 + compactions.size(), r.calls().size());
        // the call after the summary sends the compacted conversation
        int summaryCall = -1;
        for (int i = 1; i < r.calls().size(); i++) {
            if (r.calls().get(i).get("prompt_tokens").asLong() < r.calls().get(i - 1).get("prompt_tokens").asLong() / 2) {
                summaryCall = i;
                break;
            }
        }
        assertTrue(summaryCall > 0, "a prompt shrank after compaction");
        assertTrue(r.calls().get(summaryCall).get("prompt_tokens").asLong() < 900);
    }

    @Test
    void truncationDropsTheOldestTurns() throws Exception {
        Run r = run("steps: 8\n" + BIG_TOOL + "context: {budget: 3000, compact_to: 1500, compaction: truncate}\n");
        assertTrue(r.episode().get("ok").asBoolean());
        JsonNode c = r.events("compaction").get(0);
        assertEquals("truncate", c.get("mode").asText());
        assertTrue(c.get("after_tokens").asLong() <= 1500, c.toString());
        assertEquals(0, r.metric("compaction_calls"), "truncation costs no call");
        assertEquals(8, r.calls().size());
    }

    @Test
    void aFailingToolIsRetriedThenReplacedByItsFallback() throws Exception {
        Run r = run("""
                steps: 4
                tools:
                  - name: flaky
                    failure_rate: 1.0
                    latency: 1ms
                    fallback: steady
                  - name: steady
                    latency: 1ms
                on_tool_failure: {retries: 1, then: fallback}
                """);
        // the model picks either tool; each call of 'flaky' fails twice, then 'steady' serves it
        assertTrue(r.episode().get("ok").asBoolean(), r.episode().toString());
        double fallbacks = r.metric("fallbacks");
        assertTrue(fallbacks >= 1, "seed 7: the model picks the flaky tool at least once in 3 tool steps");
        assertEquals(2 * fallbacks, r.metric("tool_failures"));
        assertEquals(fallbacks, r.metric("tool_retries"));
        assertEquals(4, r.calls().size(), "the fallback saved every step: no extra calls");
        assertEquals(3 * fallbacks, r.events("tool_failure").size() + fallbacks, "retry, then fallback, per failing call");
    }

    @Test
    void givingUpOnAToolFailsTheEpisode() throws Exception {
        Run r = run("""
                steps: 4
                tools:
                  - name: broken
                    failure_rate: 1.0
                on_tool_failure: {retries: 2, then: give_up}
                """);
        assertFalse(r.episode().get("ok").asBoolean());
        assertEquals("tool_failure:broken", r.episode().get("reason").asText());
        assertEquals(1, r.calls().size());
        assertEquals(3, r.metric("tool_failures"), "the first try and two retries");
        assertEquals(List.of("retry", "retry", "give_up"), r.events("tool_failure").stream().map(e -> e.get("action").asText()).toList());
    }

    @Test
    void aFailureToldToTheModelCostsAnExtraCallAndAToolTimeoutCostsItsTimeout() throws Exception {
        Run r = run("""
                steps: 6
                tools:
                  - name: slow
                    timeout_rate: 0.5
                    timeout: 150ms
                    latency: 1ms
                on_tool_failure: {then: tell_model}
                """);
        assertTrue(r.episode().get("ok").asBoolean(), r.episode().toString());
        double timeouts = r.metric("tool_timeouts");
        assertTrue(timeouts >= 1, "seed 7 draws at least one timeout in 5 tool steps");
        assertEquals(timeouts, r.metric("extra_calls"), "each failure the model is told about costs a call");
        assertEquals(6 + timeouts, r.calls().size());
        assertTrue(r.metric("extra_tokens") > 0);
        long slowGaps = 0;
        for (int i = 1; i < r.calls().size(); i++) {
            JsonNode prev = r.calls().get(i - 1);
            long gap = r.calls().get(i).get("intended_us").asLong() - prev.get("intended_us").asLong() - prev.get("e2e_us").asLong();
            if (gap >= 150_000) {
                slowGaps++;
            }
        }
        assertEquals(timeouts, slowGaps, "a timed-out tool holds the agent for its timeout");
    }
}
