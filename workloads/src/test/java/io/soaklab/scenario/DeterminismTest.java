package io.soaklab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.load.Lab;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.resilience.Resilience;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same seed and scenario make the same requests: sizes, tool outputs, failures, sub-agents, probe keys. */
class DeterminismTest {

    @TempDir
    Path dir;

    /** A team whose specialists use tools that fail and fall back, and compact: most of what is drawn, drawn. */
    private static final String TEAM = """
            name: det-team
            description: a team with failing tools and compaction
            kind: team
            system_prompt_tokens: 100
            task_tokens: {min: 20, max: 200}
            max_tokens: 100
            team: {specialists: {min: 2, max: 3}, specialist_steps: {min: 2, max: 4}, plan_tokens: 50, merge_tokens: 50, specialist_prompt_tokens: 80}
            tools:
              - name: a
                output_tokens: {median: 300, sigma: 1.0, max: 2000}
                latency: {min: 1ms, max: 3ms}
                failure_rate: 0.3
                fallback: b
              - name: b
                output_tokens: {min: 10, max: 500}
                latency: 1ms
            on_tool_failure: {retries: 1, then: fallback}
            context: {budget: 1500, compact_to: 300, compaction: truncate}
            """;

    private static final String PROBE = """
            name: det-probe
            description: probes
            kind: probe
            system_prompt_tokens: 20
            probe: {context_lengths: [500, 1000], facts: 4, questions: 2}
            """;

    /** Every request the episodes made, as text, in a stable order (parallel lanes interleave differently each time). */
    private List<String> requests(String name, String yaml, long firstEpisode) throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (Lab lab = new Lab(dir.resolve(name), Lab.fast(5000, 20).build(), Lab.scenario(yaml), Resilience.none(), real -> new ModelClient() {
            @Override
            public CompletableFuture<CallResult> send(ChatRequest request, long intended) {
                StringBuilder s = new StringBuilder().append(request.maxTokens()).append('|').append(request.toolChoice());
                request.tools().forEach(t -> s.append('|').append(t.name()));
                for (Message m : request.messages()) {
                    s.append("\n").append(m.role()).append(':').append(m.toolCallId()).append(':').append(m.content());
                    m.toolCalls().forEach(c -> s.append(" call ").append(c.id()).append(c.name()).append(c.arguments()));
                }
                seen.add(s.toString());
                return real.send(request, intended);
            }

            @Override
            public void close() {
                real.close();
            }
        }, Api.OPENAI)) {
            for (long e = firstEpisode; e < firstEpisode + 3; e++) {
                lab.runner.run(0, e, System.nanoTime());
            }
        }
        List<String> sorted = new ArrayList<>(seen);
        Collections.sort(sorted);
        return sorted;
    }

    @Test
    void theSameSeedMakesTheSameRequestsAndAnotherSeedOthers() throws Exception {
        List<String> first = requests("a", TEAM, 0);
        List<String> again = requests("b", TEAM, 0);
        List<String> other = requests("c", TEAM, 3);
        assertTrue(first.size() >= 3 * 4, "three team episodes: plan, specialists, merge: " + first.size());
        assertEquals(first, again);
        assertNotEquals(first, other);
        assertEquals(requests("d", PROBE, 0), requests("e", PROBE, 0), "the same documents, keys and questions");
    }
}
