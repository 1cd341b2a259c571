package io.soaklab.protocol;

import static io.soaklab.protocol.JsonFields.eachField;
import static io.soaklab.protocol.JsonFields.longOr;
import static io.soaklab.protocol.JsonFields.numberIn;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.JsonFields.ContentReader;
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
            outcome.serverError("error event: ", event.data(), 0, event.dataLength());
        }
    }

    /** {@code message_start}'s message: its usage is the input side. */
    private final FieldReader messageField = (p, field, v) -> {
        if (field.equals("usage")) {
            readUsage(p, v);
        } else {
            p.skipChildren();
        }
    };

    /** The event or whole reply being read: its type, and whether it carried content. */
    private String eventType;
    private boolean eventToken;

    private final FieldReader eventField = (p, field, value) -> {
        switch (field) {
            case "type" -> eventType = value == JsonToken.VALUE_STRING ? p.getText() : null;
            case "index" -> block = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : block;
            case "message" -> eachField(p, value, messageField);
            case "content_block" -> eventToken |= value == JsonToken.START_OBJECT && readBlock(p);
            case "delta" -> eventToken |= value == JsonToken.START_OBJECT && readDelta(p);
            case "usage" -> readUsage(p, value);
            case "error" -> outcome.errorMember(p, value, "stream");
            default -> p.skipChildren();
        }
    };

    @Override
    protected void wholeReply(JsonParser p) throws IOException {
        eventToken = false;
        eachField(p, JsonToken.START_OBJECT, replyField);
        if (eventToken) {
            reply.token(); // the whole reply is one chunk, arriving at the end
        }
    }

    private final FieldReader replyField = (p, field, value) -> {
        switch (field) {
            case "content" -> {
                if (value == JsonToken.START_ARRAY) {
                    for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
                        block = wholeBlocks++;
                        eventToken |= element == JsonToken.START_OBJECT ? readBlock(p) : skip(p);
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
            case "error" -> outcome.errorMember(p, value, "reply");
            default -> p.skipChildren();
        }
    };

    private static boolean skip(JsonParser p) throws IOException {
        p.skipChildren();
        return false;
    }

    /** The content block being read: its type, id and name. */
    private String blockType;
    private String blockId;
    private String blockName;

    /** A content block as it starts (or whole, in a non-streamed reply), the parser on its start; true if it carries content. */
    private boolean readBlock(JsonParser p) throws IOException {
        blockType = null;
        blockId = null;
        blockName = null;
        boolean content = blockStart.read(p, JsonToken.START_OBJECT);
        if ("tool_use".equals(blockType)) {
            reply.toolCall(block, blockId, blockName);
            return true; // the start of a tool call is its first fragment: the model has begun generating it
        }
        return content;
    }

    private final ContentReader blockStart = new ContentReader() {
        @Override
        public void field(JsonParser p, String field, JsonToken v) throws IOException {
            if (field.equals("type") && v == JsonToken.VALUE_STRING) {
                blockType = p.getText();
            } else if (field.equals("text") && v == JsonToken.VALUE_STRING) {
                content |= reply.text(p);
            } else if (field.equals("thinking") && v == JsonToken.VALUE_STRING) {
                content |= reply.reasoning(p);
            } else if (field.equals("id") && v == JsonToken.VALUE_STRING) {
                blockId = p.getText();
            } else if (field.equals("name") && v == JsonToken.VALUE_STRING) {
                blockName = p.getText();
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
    };

    /** A delta, the parser on its start; true if it carries content. */
    private boolean readDelta(JsonParser p) throws IOException {
        return delta.read(p, JsonToken.START_OBJECT);
    }

    private final ContentReader delta = new ContentReader() {
        @Override
        public void field(JsonParser p, String field, JsonToken v) throws IOException {
            if (v != JsonToken.VALUE_STRING) {
                p.skipChildren();
                return;
            }
            switch (field) {
                case "text" -> content |= reply.text(p);
                case "partial_json" -> {
                    if (p.getTextLength() > 0) {
                        reply.toolArguments(block, p);
                        content = true;
                    }
                }
                case "thinking" -> content |= reply.reasoning(p);
                case "stop_reason" -> reply.finishReason(p.getText());
                default -> {
                    // "type", "signature", "stop_sequence": not content
                }
            }
        }
    };

    private void readUsage(JsonParser p, JsonToken value) throws IOException {
        if (eachField(p, value, usageField)) {
            reply.usage(input + cacheRead + cacheWrite, output, cacheRead, 0, cacheWrite, cacheWrite1h);
        }
    }

    private final FieldReader usageField = (p, field, v) -> {
        switch (field) {
            case "input_tokens" -> input = longOr(p, v, input);
            case "cache_read_input_tokens" -> cacheRead = longOr(p, v, cacheRead);
            case "cache_creation_input_tokens" -> cacheWrite = longOr(p, v, cacheWrite);
            case "cache_creation" -> cacheWrite1h = numberIn(p, v, "ephemeral_1h_input_tokens", cacheWrite1h);
            case "output_tokens" -> output = longOr(p, v, output);
            default -> p.skipChildren();
        }
    };
}
