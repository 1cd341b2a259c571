package io.soaklab.protocol;

import java.util.List;

/**
 * What a workload asks of the model in one call: the whole conversation so far and an output cap.
 * The model name and the protocol's framing come from the client.
 *
 * @param messages  the conversation, oldest first
 * @param maxTokens the most output tokens the reply may have
 */
public record ChatRequest(List<Message> messages, int maxTokens) {

    public ChatRequest {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
    }
}
