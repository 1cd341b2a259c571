package io.soaklab.scenario;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.ChatRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a scenario asks of the provider besides its conversation, and what it may not ask: a cache
 * lifetime ({@code cache_ttl}), extended thinking ({@code thinking_budget}) and a reasoning effort
 * ({@code reasoning_effort}). Each message is one line naming the field, for {@link Scenarios#parse}.
 */
final class SpecAsks {

    private SpecAsks() {
    }

    /** {@code cache_ttl}: {@code 5m} (the default) or {@code 1h}. */
    static ChatRequest.CacheTtl cacheTtl(String text) {
        if (text == null) {
            return ChatRequest.CacheTtl.FIVE_MINUTES;
        }
        for (ChatRequest.CacheTtl ttl : ChatRequest.CacheTtl.values()) {
            if (ttl.wireName().equals(text.strip())) {
                return ttl;
            }
        }
        throw new IllegalArgumentException("cache_ttl must be 5m or 1h, was '" + text + "'");
    }

    /** {@code thinking_budget} and {@code reasoning_effort}, each optional, at most one of them. */
    static ChatRequest.Reasoning reasoning(Integer thinkingBudget, String effort) {
        if (thinkingBudget != null && effort != null) {
            throw new IllegalArgumentException("thinking_budget (Anthropic's extended thinking) and reasoning_effort (OpenAI's) are each one"
                    + " protocol's: set one of them");
        }
        if (thinkingBudget != null) {
            if (thinkingBudget < ChatRequest.Reasoning.MIN_THINKING_BUDGET) {
                throw new IllegalArgumentException("thinking_budget must be at least " + ChatRequest.Reasoning.MIN_THINKING_BUDGET
                        + " tokens (Anthropic's least budget_tokens), was " + thinkingBudget);
            }
            return ChatRequest.Reasoning.thinking(thinkingBudget);
        }
        if (effort != null) {
            for (ChatRequest.Effort e : ChatRequest.Effort.values()) {
                if (e.wireName().equals(effort.strip().toLowerCase(Locale.ROOT))) {
                    return ChatRequest.Reasoning.effort(e);
                }
            }
            throw new IllegalArgumentException("reasoning_effort must be low, medium or high, was '" + effort + "'");
        }
        return ChatRequest.Reasoning.NONE;
    }

    /** Refuses asks the scenario's own settings contradict (from {@link ScenarioSpec}'s constructor: its fields as given). */
    static void check(ScenarioSpec.Kind kind, boolean promptCaching, ChatRequest.CacheTtl cacheTtl, ChatRequest.Reasoning reasoning,
                      int maxTokens, boolean tools, ScenarioSpec.Context context, ScenarioSpec.Team team, ScenarioSpec.Probe probe,
                      ScenarioSpec.Resume resume) {
        if (cacheTtl == ChatRequest.CacheTtl.ONE_HOUR && !promptCaching) {
            throw new IllegalArgumentException("cache_ttl 1h is the lifetime of the cache prompt caching asks for: it needs prompt_caching: true");
        }
        int budget = reasoning.thinkingBudget();
        if (budget == 0) {
            return;
        }
        boolean agentLoop = kind == ScenarioSpec.Kind.AGENT || kind == ScenarioSpec.Kind.TEAM || kind == ScenarioSpec.Kind.RESUME;
        Map<String, Integer> caps = new LinkedHashMap<>(); // the output caps of the calls the kind makes, by field
        if (kind != ScenarioSpec.Kind.PROBE) {
            caps.put("max_tokens", maxTokens);
        }
        if (agentLoop && context.enabled() && context.compaction() == ScenarioSpec.Context.Compaction.SUMMARIZE) {
            caps.put("context.compact_to", context.compactTo());
        }
        switch (kind) {
            case TEAM -> {
                caps.put("team.plan_tokens", team.planTokens());
                caps.put("team.merge_tokens", team.mergeTokens());
            }
            case RESUME -> {
                if (resume.arms().contains("memory")) {
                    caps.put("resume.memory_tokens", resume.memoryTokens());
                }
            }
            case PROBE -> caps.put("probe.answer_tokens", probe.answerTokens());
            default -> {
            }
        }
        for (Map.Entry<String, Integer> cap : caps.entrySet()) {
            if (budget >= cap.getValue()) {
                throw new IllegalArgumentException("thinking_budget (" + budget + ") must be below " + cap.getKey() + " (" + cap.getValue()
                        + "): Anthropic counts thinking inside each call's max_tokens");
            }
        }
        if (agentLoop && tools) {
            throw new IllegalArgumentException("thinking_budget cannot be used with tools: Anthropic needs each tool call's thinking block sent"
                    + " back with its result, which soaklab does not keep");
        }
    }

    /** Why the scenario cannot run on {@code api}, or null: an ask of the other protocol is refused, never dropped. */
    static String problemOn(ScenarioSpec spec, Api api) {
        if (api == Api.OPENAI && spec.reasoning().thinkingBudget() > 0) {
            return "scenario " + spec.name() + " asks for thinking_budget, Anthropic's extended thinking: an OpenAI endpoint takes"
                    + " reasoning_effort instead";
        }
        if (api == Api.OPENAI && spec.cacheTtl() == ChatRequest.CacheTtl.ONE_HOUR) {
            return "scenario " + spec.name() + " asks for cache_ttl 1h, the lifetime of Anthropic's cache breakpoints: OpenAI caches by"
                    + " itself, with no lifetime to ask for";
        }
        if (api == Api.ANTHROPIC && spec.kind() == ScenarioSpec.Kind.REPLAY && spec.replay().exactOutput()
                && Trace.read(java.nio.file.Path.of(spec.replay().file())).format == TraceFormat.MOONCAKE) {
            return "scenario " + spec.name() + " replays a Mooncake trace with exact output lengths (ignore_eos, min_tokens), which only"
                    + " an OpenAI-compatible server takes: replay it on an OpenAI endpoint, or with exact=false";
        }
        if (api == Api.ANTHROPIC && spec.reasoning().effort() != null) {
            return "scenario " + spec.name() + " asks for reasoning_effort, OpenAI's: an Anthropic endpoint takes thinking_budget instead";
        }
        return null;
    }
}
