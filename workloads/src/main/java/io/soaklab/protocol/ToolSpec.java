package io.soaklab.protocol;

import java.util.Objects;

/**
 * A tool the model may call.
 *
 * @param name        the tool's name
 * @param description what it does, for the model
 * @param schema      its parameters as a JSON Schema object, in JSON text
 */
public record ToolSpec(String name, String description, String schema) {

    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(schema, "schema");
    }
}
