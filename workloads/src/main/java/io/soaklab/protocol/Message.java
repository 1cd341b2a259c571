package io.soaklab.protocol;

import java.util.List;
import java.util.Objects;

/**
 * One chat message: text from the system, the user or the assistant; an assistant's tool calls;
 * or the result of one tool call.
 *
 * @param role       {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content    the text (a tool result's output)
 * @param toolCalls  the assistant's tool calls, empty otherwise
 * @param toolCallId for a tool result, the call it answers; {@code null} otherwise
 * @param error      for a tool result, true when the tool failed
 */
public record Message(String role, String content, List<ToolCall> toolCalls, String toolCallId, boolean error) {

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(toolCalls);
        if (role.equals("tool") && toolCallId == null) {
            throw new IllegalArgumentException("a tool result needs the id of the call it answers");
        }
    }

    public Message(String role, String content) {
        this(role, content, List.of(), null, false);
    }

    public static Message system(String content) {
        return new Message("system", content);
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }

    /** An assistant turn that called tools (with whatever text came with the calls). */
    public static Message assistant(String content, List<ToolCall> calls) {
        return new Message("assistant", content, calls, null, false);
    }

    /** The output of the tool call {@code callId}; {@code error} when the tool failed. */
    public static Message toolResult(String callId, String output, boolean error) {
        return new Message("tool", output, List.of(), callId, error);
    }
}
