package io.soaklab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.ChatRequest;
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
    void aCacheLifetimeAndReasoningAreAskedAsWritten() {
        ScenarioSpec none = Scenarios.parse(HEAD + "kind: chat\n", "f.yaml");
        assertEquals(ChatRequest.CacheTtl.FIVE_MINUTES, none.cacheTtl());
        assertEquals(ChatRequest.Reasoning.NONE, none.reasoning());
        ScenarioSpec anHour = Scenarios.parse(HEAD + "kind: chat\nmax_tokens: 3000\ncache_ttl: 1h\nthinking_budget: 2048\n", "f.yaml");
        assertEquals(ChatRequest.CacheTtl.ONE_HOUR, anHour.cacheTtl());
        assertEquals(ChatRequest.Reasoning.thinking(2048), anHour.reasoning());
        assertEquals(ChatRequest.Reasoning.effort(ChatRequest.Effort.HIGH),
                Scenarios.parse(HEAD + "kind: agent\nreasoning_effort: high\n", "f.yaml").reasoning());
        // every call of the scenario carries them
        ChatRequest call = anHour.request(List.of(io.soaklab.protocol.Message.user("hi")), 3000, List.of(), ChatRequest.ToolChoice.AUTO);
        assertEquals(ChatRequest.CacheTtl.ONE_HOUR, call.cacheTtl());
        assertEquals(2048, call.reasoning().thinkingBudget());
        assertTrue(call.promptCaching());
        assertEquals(null, anHour.problemOn(Api.ANTHROPIC));
        assertEquals("scenario x asks for thinking_budget, Anthropic's extended thinking: an OpenAI endpoint takes reasoning_effort instead",
                anHour.problemOn(Api.OPENAI));
        assertEquals("scenario x asks for cache_ttl 1h, the lifetime of Anthropic's cache breakpoints: OpenAI caches by itself, with no"
                + " lifetime to ask for", Scenarios.parse(HEAD + "kind: chat\ncache_ttl: 1h\n", "f.yaml").problemOn(Api.OPENAI));
        assertEquals("scenario x asks for reasoning_effort, OpenAI's: an Anthropic endpoint takes thinking_budget instead",
                Scenarios.parse(HEAD + "kind: chat\nreasoning_effort: low\n", "f.yaml").problemOn(Api.ANTHROPIC));
    }

    @Test
    void aBadCacheLifetimeOrReasoningIsOneLine() {
        assertEquals("f.yaml: cache_ttl must be 5m or 1h, was '30m'", error(HEAD + "kind: chat\ncache_ttl: 30m\n"));
        assertEquals("f.yaml: cache_ttl 1h is the lifetime of the cache prompt caching asks for: it needs prompt_caching: true",
                error(HEAD + "kind: chat\ncache_ttl: 1h\nprompt_caching: false\n"));
        assertEquals("f.yaml: thinking_budget must be at least 1024 tokens (Anthropic's least budget_tokens), was 500",
                error(HEAD + "kind: chat\nthinking_budget: 500\n"));
        assertEquals("f.yaml: thinking_budget (1024) must be below max_tokens (800): Anthropic counts thinking inside each call's max_tokens",
                error(HEAD + "kind: chat\nthinking_budget: 1024\n"));
        assertEquals("f.yaml: thinking_budget (1024) must be below team.plan_tokens (400): Anthropic counts thinking inside each call's"
                + " max_tokens", error(HEAD + "kind: team\nmax_tokens: 4000\nthinking_budget: 1024\n"));
        assertEquals("f.yaml: thinking_budget (1024) must be below probe.answer_tokens (30): Anthropic counts thinking inside each call's"
                + " max_tokens", error(HEAD + "kind: probe\nthinking_budget: 1024\n"));
        assertEquals("f.yaml: thinking_budget (2000) must be below context.compact_to (1500): Anthropic counts thinking inside each call's"
                + " max_tokens", error(HEAD + "kind: agent\nmax_tokens: 4000\nthinking_budget: 2000\ncontext: {budget: 6000, compact_to: 1500}\n"));
        assertEquals("f.yaml: thinking_budget cannot be used with tools: Anthropic needs each tool call's thinking block sent back with its"
                + " result, which soaklab does not keep", error(HEAD + "kind: agent\nmax_tokens: 4000\nthinking_budget: 2000\ntools:\n  - name: a\n"));
        assertEquals("f.yaml: reasoning_effort must be low, medium or high, was 'extreme'", error(HEAD + "kind: chat\nreasoning_effort: extreme\n"));
        assertEquals("f.yaml: thinking_budget (Anthropic's extended thinking) and reasoning_effort (OpenAI's) are each one protocol's: set one"
                + " of them", error(HEAD + "kind: chat\nmax_tokens: 4000\nthinking_budget: 2000\nreasoning_effort: low\n"));
        assertEquals("f.yaml: line 4, column 18: thinking_budget: expected a whole number, was 'lots'", error(HEAD + "kind: chat\nthinking_budget: lots\n"));
    }

    @Test
    void everyMistakeIsOneLineWithItsPlace() {
        assertEquals("f.yaml: line 4, column 1: stesp: unknown field 'stesp' (known: cache_ttl, chat, context, description, kind, max_tokens, "
                + "name, on_tool_failure, probe, prompt_caching, reasoning_effort, replay, resilience, resume, steps, system_prompt_tokens, task_tokens, "
                + "team, think_time, thinking_budget, tools)",
                error(HEAD + "kind: agent\nstesp: 3\n"));
        assertEquals("f.yaml: line 3, column 7: kind: unknown kind 'agnet' (known: agent, team, probe, resume, chat, replay)", error(HEAD + "kind: agnet\n"));
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
