package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One Anthropic Messages request, read: the cache covers tools, then system, then messages, whatever order the JSON has
 * them in; thinking and cache lifetimes are checked as the API checks them.
 */
final class AnthropicRequest extends RequestReader {

    /** How a block's {@code "type": "text"} enters the hash ({@link #blockField}). */
    private static final int TEXT_TYPE = "text".hashCode();
    /** The least {@code budget_tokens} the API takes. */
    static final int MIN_THINKING_BUDGET = 1024;

    /** Whether {@code thinking} is enabled; its budget is {@link #thinkingBudget} (-1 when it has none). */
    private boolean thinkingAsked;
    /** A {@code cache_control.ttl} the API does not know, or null. */
    private String badTtl;
    /** The raw tools, system and messages, read once every field is seen. */
    private final byte[][] parts = new byte[3][];
    /** Reads a content block's field other than its breakpoint (one reader a request, not one a block). */
    private final FieldReader blockField = (p, f, v) -> {
        if (f.equals("type")) {
            counter.mix(p.getText().hashCode());
        } else if (v == JsonToken.VALUE_STRING) {
            counter.text(p.getText());
        } else {
            counter.value(p, v);
        }
    };

    AnthropicRequest() {
        super(Api.ANTHROPIC, true, true);
        includeUsage = true; // a stream always says its usage
    }

    @Override
    void field(JsonParser p, String field, JsonToken value) throws IOException {
        switch (field) {
            case "thinking" -> readThinking(p, value);
            case "tool_choice" -> toolChoice = SimRequest.anthropicToolChoice(p, value);
            case "tools", "system", "messages" -> {
                byte[] raw;
                if (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT) {
                    int start = (int) p.currentTokenLocation().getByteOffset(); // relative to `offset`
                    p.skipChildren();
                    int end = (int) p.currentLocation().getByteOffset();
                    raw = java.util.Arrays.copyOfRange(body, offset + start, offset + end);
                } else {
                    raw = (value == JsonToken.VALUE_STRING ? OpenAiWire.quote(p.getText()) : p.getText())
                            .getBytes(StandardCharsets.UTF_8);
                }
                parts[field.equals("tools") ? 0 : field.equals("system") ? 1 : 2] = raw;
            }
            default -> p.skipChildren();
        }
    }

    @Override
    void afterFields() throws IOException {
        if (parts[0] != null) {
            try (JsonParser p = SimRequest.JSON.createParser(parts[0])) {
                if (array(p, p.nextToken())) {
                    while (nextObject(p)) {
                        ToolFields tool = new ToolFields("input_schema");
                        readCacheable(p, tool);
                        tool.offer();
                    }
                }
            }
        }
        if (parts[1] != null) {
            try (JsonParser p = SimRequest.JSON.createParser(parts[1])) {
                counter.message();
                readContent(p, p.nextToken());
            }
        }
        if (parts[2] != null) {
            try (JsonParser p = SimRequest.JSON.createParser(parts[2])) {
                if (p.nextToken() == JsonToken.START_ARRAY) {
                    messages = 0;
                    while (nextObject(p)) {
                        readMessage(p);
                    }
                }
            }
        }
    }

    /** {@code {"type": "enabled", "budget_tokens": N}}; any other type thinks not. */
    private void readThinking(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        String type = null;
        long budget = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("type") && v == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if (f.equals("budget_tokens") && v == JsonToken.VALUE_NUMBER_INT) {
                budget = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
        thinkingAsked = "enabled".equals(type);
        thinkingBudget = thinkingAsked ? (int) Math.max(-1, Math.min(Integer.MAX_VALUE, budget)) : 0;
    }

    /**
     * What the API refuses of thinking and cache lifetimes, worded after its messages: a budget under 1,024 tokens or not
     * below {@code max_tokens}; thinking with a forced tool call ({@code tool_choice} any or tool); a {@code ttl} other
     * than 5m and 1h; a one-hour breakpoint after a five-minute one (the prompt-caching docs: longer lifetimes must come
     * first, in the order tools, system, messages).
     */
    @Override
    void check() throws SimRequest.Invalid {
        if (thinkingAsked && thinkingBudget < 0) {
            throw new SimRequest.Invalid("thinking.enabled.budget_tokens: Field required", "thinking");
        }
        if (thinkingAsked && thinkingBudget < MIN_THINKING_BUDGET) {
            throw new SimRequest.Invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to " + MIN_THINKING_BUDGET,
                    "thinking");
        }
        if (thinkingAsked && maxTokens <= thinkingBudget) {
            throw new SimRequest.Invalid("`max_tokens` must be greater than `thinking.budget_tokens`", "max_tokens");
        }
        if (thinkingAsked && toolChoice == io.soaklab.protocol.ChatRequest.ToolChoice.REQUIRED) {
            throw new SimRequest.Invalid("Thinking may not be enabled when tool_choice forces tool use.", "tool_choice");
        }
        if (badTtl != null) {
            throw new SimRequest.Invalid("cache_control.ttl: Input should be '5m' or '1h', was '" + badTtl + "'", "cache_control");
        }
        boolean fiveMinutesSeen = false;
        for (int i = 0; i < prefixes.count; i++) {
            if (prefixes.breakpoint[i] && prefixes.hour[i] && fiveMinutesSeen) {
                throw new SimRequest.Invalid("a cache_control block with ttl='1h' cannot come after one with ttl='5m'"
                        + " (tools, then system, then messages): longer lifetimes must come first", "cache_control");
            }
            fiveMinutesSeen |= prefixes.breakpoint[i] && !prefixes.hour[i];
        }
    }

    @Override
    String notAnObject() {
        return notJson("expected an object");
    }

    @Override
    String notJson(String why) {
        return "Invalid JSON body: " + why;
    }

    @Override
    String missing(String field) {
        return field + ": Field required";
    }

    @Override
    String noMessages() {
        return "messages: at least one message is required";
    }

    @Override
    void messageField(JsonParser p, String field, JsonToken value) throws IOException {
        if (field.equals("content")) {
            readContent(p, value);
        } else {
            p.skipChildren();
        }
    }

    /** A string (one text block), or an array of blocks any of which may end with a cache breakpoint. */
    private void readContent(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            // a string is one text block, and hashes as [{"type": "text", "text": ...}] does: a turn the client marked with a
            // breakpoint as a block and sends as a string on the next call is the prefix written before
            counter.mix(TEXT_TYPE);
            counter.text(p.getText());
            prefixes.add(counter.hash, counter.tokens, false, false);
        } else if (array(p, value)) {
            while (nextObject(p)) {
                readCacheable(p, blockField);
            }
        }
    }

    /** The fields of an object that may end with a cache breakpoint ({@code cache_control}); {@code others} reads the rest. */
    private void readCacheable(JsonParser p, FieldReader others) throws IOException {
        boolean breakpoint = false;
        boolean oneHour = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("cache_control")) {
                breakpoint = v == JsonToken.START_OBJECT;
                String ttl = SimRequest.textField(p, v, "ttl");
                oneHour = "1h".equals(ttl);
                if (ttl != null && !oneHour && !ttl.equals("5m") && badTtl == null) {
                    badTtl = ttl;
                }
            } else {
                others.read(p, f, v);
            }
        }
        prefixes.add(counter.hash, counter.tokens, breakpoint, oneHour); // every block's end is a boundary the cache may hold
    }
}
