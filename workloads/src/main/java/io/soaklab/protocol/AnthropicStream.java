package io.soaklab.protocol;

import static io.soaklab.protocol.JsonFields.eachField;
import static io.soaklab.protocol.JsonFields.longOr;
import static io.soaklab.protocol.JsonFields.numberIn;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.JsonFields.FieldReader;
import java.io.IOException;

/**
 * The events of an Anthropic Messages stream: {@code message_start} (input usage, cache reads and
 * writes), {@code content_block_start/delta/stop} ({@code text_delta}, {@code thinking_delta},
 * {@code input_json_delta} of a {@code tool_use}), {@code message_delta} (cumulative output
 * usage, stop reason), {@code message_stop}, {@code ping} and {@code error}. Usage is mapped to
 * OpenAI's accounting: prompt = input + cache writes + cache reads.
 */
final class AnthropicStream extends StreamCall {

    private long input;
    private long cacheRead;
    private long cacheWrite;
    private long cacheWrite1h;
    private long output;
    /** The index of the content block the current event is about. */
    private int block;
    private int wholeBlocks;

    AnthropicStream(StreamingClient client, long intended, long sent, int maxTokens) {
        super(client, intended, sent, maxTokens);
    }

    @Override
    protected void event(SseParser.Event event) throws IOException {
        eventType = null;
        eventToken = false;
        if (!eachField(event, "event", eventField, outcome)) {
            return;
        }
        if (eventToken) {
            reply.token();
        }
        if ("message_stop".equals(eventType)) {
            done();
        } else if ("error".equals(eventType) || event.typeEquals("error")) {
            outcome.streamError("error event: " + ServerErrors.describe(event.data(), 0, event.dataLength()));
        }
    }

    /** The event being read: its type, and whether it carried content. */
    private String eventType;
    private boolean eventToken;

    private final FieldReader eventField = (p, field, value) -> {
        switch (field) {
            case "type" -> eventType = value == JsonToken.VALUE_STRING ? p.getText() : null;
            case "index" -> block = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : block;
            case "message" -> readMessage(p, value);
            case "content_block" -> eventToken |= value == JsonToken.START_OBJECT && readBlockStart(p);
            case "delta" -> eventToken |= value == JsonToken.START_OBJECT && readDelta(p);
            case "usage" -> readUsage(p, value);
            case "error" -> {
                if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_FALSE) {
                    outcome.streamError("error in stream: " + ServerErrors.errorValue(p, value));
                }
            }
            default -> p.skipChildren();
        }
    };

    @Override
    protected void wholeReply(JsonParser p) throws IOException {
        boolean token = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "content" -> {
                    if (value == JsonToken.START_ARRAY) {
                        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
                            block = wholeBlocks++;
                            token |= element == JsonToken.START_OBJECT ? readBlockStart(p) : skip(p);
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "stop_reason" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        reply.finishReason(p.getText());
                    }
                }
                case "usage" -> readUsage(p, value);
                case "error" -> {
                    if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_FALSE) {
                        outcome.streamError("error in reply: " + ServerErrors.errorValue(p, value));
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (token) {
            reply.token(); // the whole reply is one chunk, arriving at the end
        }
    }

    private static boolean skip(JsonParser p) throws IOException {
        p.skipChildren();
        return false;
    }

    /** {@code message_start}'s message: its usage is the input side. */
    private void readMessage(JsonParser p, JsonToken value) throws IOException {
        eachField(p, value, messageField);
    }

    private final FieldReader messageField = (p, field, v) -> {
        if (field.equals("usage")) {
            readUsage(p, v);
        } else {
            p.skipChildren();
        }
    };

    /** A content block as it starts (or whole, in a non-streamed reply); true if it carries content. */
    private boolean readBlockStart(JsonParser p) throws IOException {
        String type = null;
        String id = null;
        String name = null;
        boolean content = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals("type") && v == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if (field.equals("text") && v == JsonToken.VALUE_STRING) {
                content |= p.getTextLength() > 0;
                reply.text(p);
            } else if (field.equals("thinking") && v == JsonToken.VALUE_STRING) {
                content |= p.getTextLength() > 0;
                reply.reasoning(p);
            } else if (field.equals("id") && v == JsonToken.VALUE_STRING) {
                id = p.getText();
            } else if (field.equals("name") && v == JsonToken.VALUE_STRING) {
                name = p.getText();
            } else if (field.equals("input") && v == JsonToken.START_OBJECT && wholeBody() != null) {
                int from = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                String input = new String(wholeBody(), from, (int) p.currentLocation().getByteOffset() - from, java.nio.charset.StandardCharsets.UTF_8);
                if (!input.equals("{}")) {
                    reply.toolArguments(block, input); // streamed, the input comes as fragments instead
                }
            } else {
                p.skipChildren();
            }
        }
        if ("tool_use".equals(type)) {
            reply.toolCall(block, id, name);
            return true; // the start of a tool call is its first fragment: the model has begun generating it
        }
        return content;
    }

    private boolean readDelta(JsonParser p) throws IOException {
        boolean token = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                p.skipChildren();
                continue;
            }
            switch (field) {
                case "text" -> {
                    token |= p.getTextLength() > 0;
                    reply.text(p);
                }
                case "partial_json" -> {
                    token |= p.getTextLength() > 0;
                    if (p.getTextLength() > 0) {
                        reply.toolArguments(block, p);
                    }
                }
                case "thinking" -> {
                    token |= p.getTextLength() > 0;
                    reply.reasoning(p);
                }
                case "stop_reason" -> reply.finishReason(p.getText());
                default -> {
                    // "type", "signature", "stop_sequence": not content
                }
            }
        }
        return token;
    }

    private void readUsage(JsonParser p, JsonToken value) throws IOException {
        if (eachField(p, value, usageField)) {
            reply.usage(input + cacheRead + cacheWrite, output, cacheRead, 0, cacheWrite, cacheWrite1h);
        }
    }

    private final FieldReader usageField = this::usageField;

    private void usageField(JsonParser p, String field, JsonToken v) throws IOException {
        switch (field) {
            case "input_tokens" -> input = longOr(p, v, input);
            case "cache_read_input_tokens" -> cacheRead = longOr(p, v, cacheRead);
            case "cache_creation_input_tokens" -> cacheWrite = longOr(p, v, cacheWrite);
            case "cache_creation" -> cacheWrite1h = numberIn(p, v, "ephemeral_1h_input_tokens", cacheWrite1h);
            case "output_tokens" -> output = longOr(p, v, output);
            default -> p.skipChildren();
        }
    }
}
