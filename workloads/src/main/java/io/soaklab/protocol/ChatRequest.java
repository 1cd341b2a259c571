package io.soaklab.protocol;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a workload asks of the model in one call: the whole conversation so far, an output cap,
 * and the tools it may call. The model name and the protocol's framing come from the client.
 *
 * <p>Two asks are one protocol's only, and a client of the other refuses a request carrying them
 * (the call fails as {@code client_error}) rather than drop what would be billed: a one-hour cache
 * lifetime and a thinking budget are Anthropic's, a reasoning effort is OpenAI's.
 *
 * @param messages      the conversation, oldest first
 * @param maxTokens     the most output tokens the reply may have (with thinking, thinking included, as Anthropic counts it)
 * @param tools         tools the model may call, empty for none
 * @param toolChoice    whether the model must, may or must not call one
 * @param promptCaching ask the provider to cache the conversation's prefix where it must be asked
 *                      (Anthropic's {@code cache_control} breakpoints on the system text and the last turn); OpenAI caches by itself
 * @param cacheTtl      the lifetime of the system text's breakpoint (Anthropic); the last turn's, which moves every call, is always
 *                      five minutes. A one-hour lifetime needs {@code promptCaching}
 * @param reasoning     the reasoning asked for: a thinking budget (Anthropic) or an effort (OpenAI), or {@link Reasoning#NONE}
 * @param exactOutput   ask for exactly {@code maxTokens} output tokens, the end of sequence ignored: vLLM's and SGLang's
 *                      {@code ignore_eos} and {@code min_tokens} (a replayed trace's output lengths); an OpenAI-compatible
 *                      server's extension, which an Anthropic client refuses
 */
public record ChatRequest(List<Message> messages, int maxTokens, List<ToolSpec> tools, ToolChoice toolChoice, boolean promptCaching,
                          CacheTtl cacheTtl, Reasoning reasoning, boolean exactOutput) {

    /** Whether the model must, may or must not call a tool. */
    public enum ToolChoice {
        AUTO, REQUIRED, NONE
    }

    /** How long a prompt-cache breakpoint keeps its prefix: Anthropic's {@code cache_control.ttl}. */
    public enum CacheTtl {
        FIVE_MINUTES("5m"), ONE_HOUR("1h");

        private final String wireName;

        CacheTtl(String wireName) {
            this.wireName = wireName;
        }

        /** {@code 5m} or {@code 1h}, as the API and scenario files write it. */
        public String wireName() {
            return wireName;
        }
    }

    /** OpenAI's {@code reasoning_effort} levels soaklab asks for. */
    public enum Effort {
        LOW, MEDIUM, HIGH;

        /** {@code low}, {@code medium} or {@code high}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Reasoning asked for: at most one of a thinking budget (Anthropic's extended thinking,
     * {@code thinking: {type: enabled, budget_tokens: N}}, N at least {@value #MIN_THINKING_BUDGET}) and an effort
     * (OpenAI's {@code reasoning_effort}).
     *
     * @param thinkingBudget the thinking budget in tokens, 0 for none
     * @param effort         the reasoning effort, or null for the model's default
     */
    public record Reasoning(int thinkingBudget, Effort effort) {

        /** The least thinking budget Anthropic takes. */
        public static final int MIN_THINKING_BUDGET = 1024;

        /** Nothing asked: the model's default. */
        public static final Reasoning NONE = new Reasoning(0, null);

        public Reasoning {
            if (thinkingBudget != 0 && thinkingBudget < MIN_THINKING_BUDGET) {
                throw new IllegalArgumentException("a thinking budget must be at least " + MIN_THINKING_BUDGET + " tokens, was " + thinkingBudget);
            }
            if (thinkingBudget > 0 && effort != null) {
                throw new IllegalArgumentException("a thinking budget (Anthropic) and a reasoning effort (OpenAI) cannot be asked together");
            }
        }

        /** Extended thinking within {@code budget} tokens. */
        public static Reasoning thinking(int budget) {
            return new Reasoning(budget, null);
        }

        /** Reasoning at {@code effort}. */
        public static Reasoning effort(Effort effort) {
            return new Reasoning(0, Objects.requireNonNull(effort, "effort"));
        }
    }

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(reasoning, "reasoning");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
        if (cacheTtl == CacheTtl.ONE_HOUR && !promptCaching) {
            throw new IllegalArgumentException("a one-hour cache lifetime needs prompt caching");
        }
        if (reasoning.thinkingBudget() >= maxTokens) {
            throw new IllegalArgumentException("the thinking budget (" + reasoning.thinkingBudget() + ") must be below maxTokens (" + maxTokens
                    + "): Anthropic counts thinking inside max_tokens");
        }
        if (reasoning.thinkingBudget() > 0 && toolChoice == ToolChoice.REQUIRED && !tools.isEmpty()) {
            throw new IllegalArgumentException("thinking cannot be asked with a required tool call: Anthropic refuses forced tool use with thinking");
        }
    }

    /** A request of the output length the model chooses. */
    public ChatRequest(List<Message> messages, int maxTokens, List<ToolSpec> tools, ToolChoice toolChoice, boolean promptCaching,
                       CacheTtl cacheTtl, Reasoning reasoning) {
        this(messages, maxTokens, tools, toolChoice, promptCaching, cacheTtl, reasoning, false);
    }

    /** A request asking for neither a cache lifetime nor reasoning. */
    public ChatRequest(List<Message> messages, int maxTokens, List<ToolSpec> tools, ToolChoice toolChoice, boolean promptCaching) {
        this(messages, maxTokens, tools, toolChoice, promptCaching, CacheTtl.FIVE_MINUTES, Reasoning.NONE, false);
    }

    /** A request without tools or caching hints. */
    public ChatRequest(List<Message> messages, int maxTokens) {
        this(messages, maxTokens, List.of(), ToolChoice.AUTO, false);
    }
}
