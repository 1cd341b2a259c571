package io.soaklab.protocol;

import java.util.Objects;

/**
 * A tool call the model made.
 *
 * @param id        the call's id, to answer it with a result
 * @param name      the tool
 * @param arguments its arguments, JSON text as the model wrote it (not necessarily valid)
 */
public record ToolCall(String id, String name, String arguments) {

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
