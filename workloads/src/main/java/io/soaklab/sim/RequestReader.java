package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.ChatRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one request body into a {@link SimRequest}, the same way for both protocols: the top-level
 * object field by field ({@code model}, {@code stream} and {@code max_tokens} here, the others by
 * the protocol), then the checks both make, in the protocol's words. One reader per request.
 */
abstract class RequestReader {

    final SimRequest.Counter counter = new SimRequest.Counter();
    final SimRequest.Prefixes prefixes = new SimRequest.Prefixes();
    final List<SimRequest.Tool> tools = new ArrayList<>();
    /** Messages read; -1 until the request has a {@code messages} array. */
    int messages = -1;
    int maxTokens = -1;
    boolean includeUsage;
    /** The thinking budget of a request that enables thinking (Anthropic), else 0. */
    int thinkingBudget;
    ChatRequest.ToolChoice toolChoice = ChatRequest.ToolChoice.AUTO;
    /** vLLM's sampling extensions, read by the protocols that take them (OpenAI-compatible): the fewest output tokens, and run to the cap. */
    int minTokens;
    boolean ignoreEos;
    /** The body being read; the request's JSON starts at {@code offset}. */
    byte[] body;
    int offset;
    private String model;
    private boolean stream;

    private final Api api;
    private final boolean explicitCache;
    private final boolean maxTokensRequired;

    /**
     * @param explicitCache     whether cacheable boundaries are the client's breakpoints (else every message's end)
     * @param maxTokensRequired whether a request without {@code max_tokens} is refused
     */
    RequestReader(Api api, boolean explicitCache, boolean maxTokensRequired) {
        this.api = api;
        this.explicitCache = explicitCache;
        this.maxTokensRequired = maxTokensRequired;
    }

    /** Reads a field of the request object other than those every protocol has; skips what it does not know. */
    abstract void field(JsonParser p, String field, JsonToken value) throws IOException, SimRequest.Invalid;

    /** Reads a message's field other than its role (see {@link #readMessage}). */
    abstract void messageField(JsonParser p, String field, JsonToken value) throws IOException;

    /** Reads what the protocol keeps until it has seen every field. */
    void afterFields() throws IOException {
    }

    /** Refuses what the protocol refuses once every field is read and the checks both make have passed. */
    void check() throws SimRequest.Invalid {
    }

    /** The message when the body is JSON but not an object. */
    abstract String notAnObject();

    /** The message when the body is not JSON; {@code why} is the parser's. */
    abstract String notJson(String why);

    /** The message when a required field is missing. */
    abstract String missing(String field);

    /** The message when {@code messages} is empty. */
    abstract String noMessages();

    final SimRequest read(byte[] body, int offset, int length) throws SimRequest.Invalid {
        this.body = body;
        this.offset = offset;
        try {
            try (JsonParser p = SimRequest.JSON.createParser(body, offset, length)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new SimRequest.Invalid(notAnObject(), null);
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : null;
                        case "max_tokens" -> maxTokens = SimRequest.intOrInvalid(p, value, field);
                        case "stream" -> stream = value == JsonToken.VALUE_TRUE;
                        default -> field(p, field, value);
                    }
                }
            }
            afterFields();
        } catch (IOException e) {
            throw new SimRequest.Invalid(notJson(SimRequest.jsonError(e)), null);
        }
        if (maxTokensRequired && maxTokens < 0) {
            throw new SimRequest.Invalid(missing("max_tokens"), "max_tokens");
        }
        if (messages < 0) {
            throw new SimRequest.Invalid(missing("messages"), "messages");
        }
        if (messages == 0) {
            throw new SimRequest.Invalid(noMessages(), "messages");
        }
        check();
        counter.mix(maxTokens);
        return new SimRequest(api, model, counter.tokens, maxTokens, stream, includeUsage, counter.hash, prefixes, explicitCache,
                List.copyOf(tools), thinkingBudget, toolChoice, counter.probe(), minTokens, ignoreEos);
    }

    /** Reads one field of an object, the parser at its value ({@code value} its first token). */
    @FunctionalInterface
    interface FieldReader {
        void read(JsonParser p, String field, JsonToken value) throws IOException;
    }

    /**
     * Whether the value at the parser ({@code value} its first token) is an array, whose objects
     * {@link #nextObject} then visits; any other value only counts.
     */
    final boolean array(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.START_ARRAY) {
            return true;
        }
        counter.value(p, value);
        return false;
    }

    /** Moves the parser to the start of the array's next object, counting the elements that are no object; false at its end. */
    final boolean nextObject(JsonParser p) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.START_OBJECT) {
                return true;
            }
            counter.value(p, t);
        }
        return false;
    }

    /** Reads one message object, the parser at its start: it counts, its role identifies it, {@link #messageField} reads the rest. */
    final void readMessage(JsonParser p) throws IOException {
        messages++;
        counter.message();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("role") && v == JsonToken.VALUE_STRING) {
                counter.mix(p.getText().hashCode());
            } else {
                messageField(p, f, v);
            }
        }
    }

    /** One tool object being read: its name and its schema's parameters, in whichever order they come; its other fields only count. */
    final class ToolFields implements FieldReader {
        private final String schemaField;
        private String name = "tool";
        private SimRequest.Tool schema;

        /** @param schemaField the field holding the tool's JSON schema */
        ToolFields(String schemaField) {
            this.schemaField = schemaField;
        }

        @Override
        public void read(JsonParser p, String field, JsonToken value) throws IOException {
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getText();
                counter.text(name);
            } else if (field.equals(schemaField)) {
                schema = SimRequest.readToolSchema(name, p, value, counter);
            } else {
                counter.value(p, value);
            }
        }

        /** The tool is read: the request offers it. */
        void offer() {
            tools.add(schema == null ? new SimRequest.Tool(name, List.of(), List.of()) : new SimRequest.Tool(name, schema.params(), schema.types()));
        }
    }
}
