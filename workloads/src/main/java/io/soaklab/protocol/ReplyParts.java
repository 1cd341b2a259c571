package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a reply said, assembled as it streams: its text, its reasoning text and its tool calls
 * (fragments joined by the index the protocol gives them). Everything kept counts against one
 * character budget; past it nothing more is kept, and {@link #full()} says so, so a reply that runs
 * away cannot take soaklab's memory with it. One thread at a time (the connection's event loop).
 */
final class ReplyParts {

    private final long maxChars;
    private final StringBuilder content = new StringBuilder();
    private StringBuilder reasoning;
    /** Tool calls by index: {id, name}; either may come later, or never. */
    private final TreeMap<Integer, String[]> toolCalls = new TreeMap<>();
    private final Map<Integer, StringBuilder> toolArguments = new HashMap<>();
    private long chars;

    ReplyParts(long maxChars) {
        this.maxChars = maxChars;
    }

    /** Appends the current string value of {@code p} to the text, without allocating. */
    void text(JsonParser p) throws IOException {
        int n = room(p.getTextLength());
        content.append(p.getTextCharacters(), p.getTextOffset(), n);
    }

    /** Appends the current string value of {@code p} to the reasoning text. */
    void reasoning(JsonParser p) throws IOException {
        if (reasoning == null) {
            reasoning = new StringBuilder();
        }
        int n = room(p.getTextLength());
        reasoning.append(p.getTextCharacters(), p.getTextOffset(), n);
    }

    /** A tool call begins, or says more of its id or name. */
    void toolCall(int index, String id, String name) {
        String[] call = toolCalls.computeIfAbsent(index, i -> new String[2]);
        if (id != null) {
            call[0] = id;
        }
        if (name != null) {
            call[1] = name;
            room(name.length());
        }
    }

    /** A fragment of a tool call's arguments: the current string value of {@code p}. */
    void toolArguments(int index, JsonParser p) throws IOException {
        toolCall(index, null, null);
        int n = room(p.getTextLength());
        toolArguments.computeIfAbsent(index, i -> new StringBuilder()).append(p.getTextCharacters(), p.getTextOffset(), n);
    }

    /** A tool call's whole arguments, in JSON text. */
    void toolArguments(int index, String json) {
        toolCall(index, null, null);
        int n = room(json.length());
        toolArguments.computeIfAbsent(index, i -> new StringBuilder()).append(json, 0, n);
    }

    /** True once the reply has offered more characters than it may keep. */
    boolean full() {
        return chars > maxChars;
    }

    /** Characters offered so far, kept or not. */
    long chars() {
        return chars;
    }

    boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    String content() {
        return content.toString();
    }

    String reasoning() {
        return reasoning == null ? "" : reasoning.toString();
    }

    List<ToolCall> calls() {
        if (toolCalls.isEmpty()) {
            return List.of();
        }
        List<ToolCall> out = new ArrayList<>(toolCalls.size());
        toolCalls.forEach((index, call) -> {
            StringBuilder args = toolArguments.get(index);
            out.add(new ToolCall(call[0] == null ? "call_" + index : call[0], call[1] == null ? "" : call[1],
                    args == null ? "" : args.toString()));
        });
        return out;
    }

    /** Counts {@code length} more characters; returns how many of them may still be kept. */
    private int room(int length) {
        long left = Math.max(0, maxChars - chars);
        chars += length;
        return (int) Math.min(length, left);
    }
}
