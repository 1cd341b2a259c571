package io.soaklab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.ErrorClass;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Scenario files: the schema's defaults, and one clear line with the place for every mistake. */
class ScenariosTest {

    private static String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> Scenarios.parse(yaml, "f.yaml")).getMessage();
    }

    private static final String HEAD = "name: x\ndescription: d\n";

    @Test
    void everyBuiltInReadsAndSaysWhatItIs() {
        assertEquals(List.of("coding-agent", "agent-team", "tool-failure-recovery", "long-context-probe", "session-resume", "chat-support"),
                Scenarios.names());
        for (String name : Scenarios.names()) {
            ScenarioSpec spec = Scenarios.spec(name);
            assertEquals(name, spec.name());
            assertEquals(name, Scenarios.builtIn(name).name());
            assertTrue(spec.description().length() > 20, name);
        }
        ScenarioSpec team = Scenarios.spec("agent-team");
        assertEquals(ScenarioSpec.Kind.TEAM, team.kind());
        assertEquals(List.of("researcher", "coder", "reviewer"), team.team().roles());
        ScenarioSpec tools = Scenarios.spec("tool-failure-recovery");
        assertEquals("cached_fetch", tools.tool("http_get").fallback());
        assertEquals(ScenarioSpec.OnToolFailure.Then.FALLBACK, tools.onToolFailure().then());
        assertTrue(tools.resilience().breaker() != null);
        assertTrue(tools.wireTools().get(0).schema().contains("\"url\":{\"type\":\"string\"}"), tools.wireTools().get(0).schema());
    }

    @Test
    void omittedFieldsTakeTheirDefaultsAndAScenarioWithoutAPolicyRetriesNothing() {
        ScenarioSpec s = Scenarios.parse(HEAD + "kind: agent\n", "f.yaml");
        assertEquals(1200, s.systemPromptTokens());
        assertEquals(800, s.maxTokens());
        assertTrue(s.tools().isEmpty());
        assertTrue(!s.context().enabled());
        assertEquals(1, s.resilience().maxAttempts(), "no POST is replayed unless the policy says so");
        ScenarioSpec withPolicy = Scenarios.parse(HEAD + "kind: agent\nresilience: {}\n", "f.yaml");
        assertEquals(3, withPolicy.resilience().maxAttempts(), "a policy block without figures is the SDKs' defaults");
        assertEquals(Resilience_TRANSIENT, withPolicy.resilience().retryOn());
    }

    private static final java.util.Set<ErrorClass> Resilience_TRANSIENT = io.soaklab.internal.resilience.Resilience.TRANSIENT;

    @Test
    void distributionsAndSpansReadAsWritten() {
        ScenarioSpec s = Scenarios.parse(HEAD + """
                kind: agent
                task_tokens: 300
                steps: {min: 2, max: 5}
                think_time: {min: 10ms, max: 20ms}
                tools:
                  - name: big
                    output_tokens: {median: 600, sigma: 0.8, max: 6000}
                """, "f.yaml");
        SplittableRandom r = new SplittableRandom(1);
        assertEquals(300, s.taskTokens().draw(r));
        for (int i = 0; i < 200; i++) {
            int steps = s.steps().draw(r);
            assertTrue(steps >= 2 && steps <= 5);
            Duration think = s.thinkTime().draw(r);
            assertTrue(think.toMillis() >= 10 && think.toMillis() <= 20);
            int out = s.tools().get(0).outputTokens().draw(r);
            assertTrue(out >= 1 && out <= 6000);
        }
        double median = java.util.stream.IntStream.range(0, 2001).map(i -> s.tools().get(0).outputTokens().draw(r)).sorted()
                .skip(1000).findFirst().orElseThrow();
        assertEquals(600, median, 60, "log-normal around its median");
    }

    @Test
    void everyMistakeIsOneLineWithItsPlace() {
        assertEquals("f.yaml: line 4, column 1: stesp: unknown field 'stesp' (known: chat, context, description, kind, max_tokens, name, "
                + "on_tool_failure, probe, prompt_caching, resilience, resume, steps, system_prompt_tokens, task_tokens, team, think_time, tools)",
                error(HEAD + "kind: agent\nstesp: 3\n"));
        assertEquals("f.yaml: line 3, column 7: kind: unknown kind 'agnet' (known: agent, team, probe, resume, chat)", error(HEAD + "kind: agnet\n"));
        assertEquals("f.yaml: line 4, column 23: steps: needs 0 <= min <= max, was min 5, max 2", error(HEAD + "kind: agent\nsteps: {min: 5, max: 2}\n"));
        assertEquals("f.yaml: line 4, column 13: max_tokens: expected a whole number, was 'lots'", error(HEAD + "kind: agent\nmax_tokens: lots\n"));
        assertEquals("f.yaml: line 6, column 14: tools[0].latency: invalid duration 'fast': use e.g. 500ms, 20s, 30m, 8h or 1h30m",
                error(HEAD + "kind: agent\ntools:\n  - name: a\n    latency: fast\n"));
        assertEquals("f.yaml: tool 'a': fallback 'b' is not another tool of this scenario",
                error(HEAD + "kind: agent\ntools:\n  - name: a\n    fallback: b\n"));
        assertTrue(error(HEAD + "kind: agent\nresilience: {retry_on: [http_418]}\n")
                .startsWith("f.yaml: line 4, column 25: resilience.retry_on[0]: unknown error class 'http_418' (known: ok, http_429"));
        assertEquals("f.yaml: missing required field 'kind'", error("name: x\ndescription: d\n"));
        assertEquals("f.yaml: missing required field 'name' in tools[0]", error(HEAD + "kind: agent\ntools:\n  - latency: 1s\n"));
        assertEquals("f.yaml is empty", error("  \n"));
        assertTrue(error("name: x\n  description: [d\n").startsWith("f.yaml: line 2, column 14: "), error("name: x\n  description: [d\n"));
        assertEquals("f.yaml: line 4, column 7: probe: probe.questions must be within 1..facts",
                error(HEAD + "kind: probe\nprobe: {facts: 2, questions: 3}\n").replaceFirst("column \\d+", "column 7"));
    }
}
