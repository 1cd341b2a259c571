package io.soaklab.protocol;

import java.util.List;
import java.util.Objects;

/**
 * What a workload asks of the model in one call: the whole conversation so far, an output cap,
 * and the tools it may call. The model name and the protocol's framing come from the client.
 *
 * @param messages      the conversation, oldest first
 * @param maxTokens     the most output tokens the reply may have
 * @param tools         tools the model may call, empty for none
 * @param toolChoice    whether the model must, may or must not call one
 * @param promptCaching ask the provider to cache the conversation's prefix where it must be asked
 *                      (Anthropic's {@code cache_control} breakpoints); OpenAI caches by itself
 */
public record ChatRequest(List<Message> messages, int maxTokens, List<ToolSpec> tools, ToolChoice toolChoice, boolean promptCaching) {

    /** Whether the model must, may or must not call a tool. */
    public enum ToolChoice {
        AUTO, REQUIRED, NONE
    }

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
    }

    /** A request without tools or caching hints. */
    public ChatRequest(List<Message> messages, int maxTokens) {
        this(messages, maxTokens, List.of(), ToolChoice.AUTO, false);
    }
}
