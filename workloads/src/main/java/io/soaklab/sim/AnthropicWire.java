package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.ChatRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic Messages, as the API writes it: named SSE events, content blocks, usage with cache reads
 * and writes in {@code message_start} and cumulative output in {@code message_delta}. Prompt caching
 * follows the request's {@code cache_control} breakpoints (tools, then system, then messages).
 */
final class AnthropicWire implements Wire {

    private static final byte[] TEXT_DELTA_OPEN = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT_DELTA_MID = ",\"delta\":{\"type\":\"text_delta\",\"text\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] THINKING_DELTA_MID = ",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DELTA_CLOSE = "\"}}\n\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public Api api() {
        return Api.ANTHROPIC;
    }

    @Override
    public String requestIdHeader() {
        return "request-id";
    }

    @Override
    public String headerProblem(HttpHeaders headers) {
        return headers.contains("anthropic-version") ? null : "anthropic-version: header is required";
    }

    @Override
    public SimRequest parse(byte[] body, int offset, int length, int defaultMaxTokens) throws SimRequest.Invalid {
        String model = null;
        SimRequest.Counter counter = new SimRequest.Counter();
        SimRequest.Prefixes prefixes = new SimRequest.Prefixes();
        List<SimRequest.Tool> tools = new ArrayList<>();
        int messages = -1;
        int maxTokens = -1;
        boolean stream = false;
        boolean thinking = false;
        ChatRequest.ToolChoice toolChoice = ChatRequest.ToolChoice.AUTO;
        // The cache covers tools, then system, then messages, whatever order the JSON has them in.
        byte[][] parts = new byte[3][];
        try (JsonParser p = SimRequest.JSON.createParser(body, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SimRequest.Invalid("Invalid JSON body: expected an object", null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "max_tokens" -> maxTokens = SimRequest.intOrInvalid(p, value, field);
                    case "stream" -> stream = value == JsonToken.VALUE_TRUE;
                    case "thinking" -> thinking = "enabled".equals(SimRequest.textField(p, value, "type"));
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
        } catch (IOException e) {
            throw new SimRequest.Invalid("Invalid JSON body: " + SimRequest.jsonError(e), null);
        }
        try {
            if (parts[0] != null) {
                readTools(parts[0], counter, prefixes, tools);
            }
            if (parts[1] != null) {
                readSystem(parts[1], counter, prefixes);
            }
            if (parts[2] != null) {
                messages = readMessages(parts[2], counter, prefixes);
            }
        } catch (IOException e) {
            throw new SimRequest.Invalid("Invalid JSON body: " + SimRequest.jsonError(e), null);
        }
        if (maxTokens < 0) {
            throw new SimRequest.Invalid("max_tokens: Field required", "max_tokens");
        }
        if (messages < 0) {
            throw new SimRequest.Invalid("messages: Field required", "messages");
        }
        if (messages == 0) {
            throw new SimRequest.Invalid("messages: at least one message is required", "messages");
        }
        counter.mix(maxTokens);
        return new SimRequest(Api.ANTHROPIC, model, counter.tokens, maxTokens, stream, true, counter.hash, prefixes,
                true, List.copyOf(tools), thinking, toolChoice, counter.probe());
    }

    private static void readTools(byte[] json, SimRequest.Counter counter, SimRequest.Prefixes prefixes,
                                  List<SimRequest.Tool> tools) throws IOException {
        try (JsonParser p = SimRequest.JSON.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                counter.value(p, first);
                return;
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.START_OBJECT) {
                    counter.value(p, t);
                    continue;
                }
                String name = "tool";
                SimRequest.Tool schema = null;
                Breakpoint cache = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken v = p.nextToken();
                    if (f.equals("name") && v == JsonToken.VALUE_STRING) {
                        name = p.getText();
                        counter.text(name);
                    } else if (f.equals("input_schema")) {
                        schema = SimRequest.readToolSchema(name, p, v, counter);
                    } else if (f.equals("cache_control")) {
                        cache = breakpoint(p, v);
                    } else {
                        counter.value(p, v);
                    }
                }
                tools.add(schema == null ? new SimRequest.Tool(name, List.of(), List.of()) : new SimRequest.Tool(name, schema.params(), schema.types()));
                mark(cache, counter, prefixes);
            }
        }
    }

    private static void readSystem(byte[] json, SimRequest.Counter counter, SimRequest.Prefixes prefixes) throws IOException {
        try (JsonParser p = SimRequest.JSON.createParser(json)) {
            counter.message();
            readContent(p, p.nextToken(), counter, prefixes);
        }
    }

    private static int readMessages(byte[] json, SimRequest.Counter counter, SimRequest.Prefixes prefixes) throws IOException {
        int count = 0;
        try (JsonParser p = SimRequest.JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return -1;
            }
            for (JsonToken m = p.nextToken(); m != JsonToken.END_ARRAY; m = p.nextToken()) {
                if (m != JsonToken.START_OBJECT) {
                    counter.value(p, m);
                    continue;
                }
                count++;
                counter.message();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken v = p.nextToken();
                    if (f.equals("role") && v == JsonToken.VALUE_STRING) {
                        counter.mix(p.getText().hashCode());
                    } else if (f.equals("content")) {
                        readContent(p, v, counter, prefixes);
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }
        return count;
    }

    /** A string, or an array of blocks any of which may end with a cache breakpoint. */
    private static void readContent(JsonParser p, JsonToken value, SimRequest.Counter counter, SimRequest.Prefixes prefixes)
            throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            counter.text(p.getText());
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            counter.value(p, value);
            return;
        }
        for (JsonToken b = p.nextToken(); b != JsonToken.END_ARRAY; b = p.nextToken()) {
            if (b != JsonToken.START_OBJECT) {
                counter.value(p, b);
                continue;
            }
            Breakpoint cache = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (f.equals("cache_control")) {
                    cache = breakpoint(p, v);
                } else if (f.equals("type")) {
                    counter.mix(p.getText().hashCode());
                } else if (v == JsonToken.VALUE_STRING) {
                    counter.text(p.getText());
                } else {
                    counter.value(p, v);
                }
            }
            mark(cache, counter, prefixes);
        }
    }

    private record Breakpoint(boolean oneHour) {
    }

    private static Breakpoint breakpoint(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        return new Breakpoint("1h".equals(SimRequest.textField(p, value, "ttl")));
    }

    private static void mark(Breakpoint cache, SimRequest.Counter counter, SimRequest.Prefixes prefixes) {
        if (cache != null) {
            prefixes.add(counter.hash, counter.tokens, cache.oneHour());
        }
    }

    @Override
    public String unauthorized(HttpHeaders headers, String key) {
        if (key == null) {
            return null;
        }
        String header = headers.get("x-api-key");
        String bearer = headers.get(HttpHeaderNames.AUTHORIZATION);
        return key.equals(header) || ("Bearer " + key).equals(bearer) ? null : "invalid x-api-key";
    }

    @Override
    public String error(Failure kind, String message, String param, String code) {
        String type = switch (kind) {
            case BAD_REQUEST, NOT_ALLOWED -> "invalid_request_error";
            case UNAUTHORIZED -> "authentication_error";
            case NOT_FOUND -> "not_found_error";
            case RATE_LIMITED -> "rate_limit_error";
            case OVERLOADED -> "overloaded_error";
            default -> "api_error";
        };
        return Wire.json(256, g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeObjectFieldStart("error");
            g.writeStringField("type", type);
            g.writeStringField("message", message);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    @Override
    public void rateLimitHeaders(HttpHeaders headers, RateLimiter.Decision d) {
        if (d == null) {
            return;
        }
        set(headers, "requests", d.requests());
        set(headers, "tokens", d.tokens());
        set(headers, "input-tokens", d.input());
        set(headers, "output-tokens", d.output());
    }

    private static void set(HttpHeaders headers, String name, RateLimiter.Bucket.View view) {
        if (view != null) {
            headers.set("anthropic-ratelimit-" + name + "-limit", view.limit())
                    .set("anthropic-ratelimit-" + name + "-remaining", view.remaining())
                    .set("anthropic-ratelimit-" + name + "-reset", RateLimiter.rfc3339(view.resetNanos()));
        }
    }

    @Override
    public Emitter emitter(Reply reply) {
        return new Stream(reply);
    }

    @Override
    public String whole(Reply reply, String text, String thinking, String toolId, String toolName, String toolArgs, Reply.Stop stop,
                        long outputTokens) {
        return Wire.json(text.length() + 512, g -> {
            g.writeStartObject();
            g.writeStringField("id", reply.messageId());
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", reply.model());
            g.writeArrayFieldStart("content");
            if (thinking != null) {
                g.writeStartObject();
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", thinking);
                g.writeStringField("signature", "c29ha2xhYi1zaW0=");
                g.writeEndObject();
            }
            if (!text.isEmpty()) {
                g.writeStartObject();
                g.writeStringField("type", "text");
                g.writeStringField("text", text);
                g.writeEndObject();
            }
            if (toolName != null) {
                g.writeStartObject();
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", toolId);
                g.writeStringField("name", toolName);
                g.writeFieldName("input");
                g.writeRawValue(toolArgs);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", stop.anthropic);
            g.writeNullField("stop_sequence");
            g.writeFieldName("usage");
            usage(g, reply, outputTokens);
            g.writeEndObject();
        });
    }

    private static void usage(JsonGenerator g, Reply r, long outputTokens) throws IOException {
        long written = r.cacheWriteTokens();
        g.writeStartObject();
        g.writeNumberField("input_tokens", r.promptTokens() - r.cachedTokens() - written);
        g.writeNumberField("cache_creation_input_tokens", written);
        g.writeNumberField("cache_read_input_tokens", r.cachedTokens());
        g.writeObjectFieldStart("cache_creation");
        g.writeNumberField("ephemeral_5m_input_tokens", written - r.cacheWrite1hTokens());
        g.writeNumberField("ephemeral_1h_input_tokens", r.cacheWrite1hTokens());
        g.writeEndObject();
        g.writeNumberField("output_tokens", outputTokens);
        g.writeEndObject();
    }

    private static String usage(Reply r, long outputTokens) {
        return Wire.json(256, g -> usage(g, r, outputTokens));
    }

    /** One streamed reply: content blocks opened and closed as the reply moves from thinking to text to a tool call. */
    private static final class Stream implements Emitter {
        private final Reply reply;
        private int block = -1;
        private byte[] blockBytes = {'0'};
        private String open;

        Stream(Reply reply) {
            this.reply = reply;
        }

        private static void event(ByteBuf out, String type, String json) {
            out.writeBytes(("event: " + type + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        }

        private void openBlock(ByteBuf out, String type, String startJson) {
            closeBlock(out);
            block++;
            blockBytes = Integer.toString(block).getBytes(StandardCharsets.US_ASCII);
            open = type;
            event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":" + block + ",\"content_block\":" + startJson + "}");
        }

        private void closeBlock(ByteBuf out) {
            if (open == null) {
                return;
            }
            if (open.equals("thinking")) {
                event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + block
                        + ",\"delta\":{\"type\":\"signature_delta\",\"signature\":\"c29ha2xhYi1zaW0=\"}}");
            }
            event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + block + "}");
            open = null;
        }

        @Override
        public void start(ByteBuf out) {
            event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + reply.messageId()
                    + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + OpenAiWire.quote(reply.model())
                    + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" + usage(reply, 1) + "}}");
            ping(out);
        }

        @Override
        public void reasoning(ByteBuf out, byte[] word) {
            if (!"thinking".equals(open)) {
                openBlock(out, "thinking", "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}");
            }
            out.writeBytes(TEXT_DELTA_OPEN).writeBytes(blockBytes).writeBytes(THINKING_DELTA_MID).writeBytes(word).writeBytes(DELTA_CLOSE);
        }

        @Override
        public void text(ByteBuf out, byte[] word) {
            if (!"text".equals(open)) {
                openBlock(out, "text", "{\"type\":\"text\",\"text\":\"\"}");
            }
            out.writeBytes(TEXT_DELTA_OPEN).writeBytes(blockBytes).writeBytes(TEXT_DELTA_MID).writeBytes(word).writeBytes(DELTA_CLOSE);
        }

        @Override
        public void toolStart(ByteBuf out, String id, String name) {
            openBlock(out, "tool_use", "{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":" + OpenAiWire.quote(name) + ",\"input\":{}}");
        }

        @Override
        public void toolArgs(ByteBuf out, String fragment) {
            event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + block
                    + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + OpenAiWire.quote(fragment) + "}}");
        }

        @Override
        public void finish(ByteBuf out, Reply.Stop stop, long outputTokens) {
            closeBlock(out);
            event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stop.anthropic
                    + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + outputTokens + "}}");
            event(out, "message_stop", "{\"type\":\"message_stop\"}");
        }

        @Override
        public void error(ByteBuf out, boolean overloaded) {
            event(out, "error", overloaded ? "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"
                    : "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}");
        }

        @Override
        public void malformed(ByteBuf out) {
            out.writeBytes(TEXT_DELTA_OPEN).writeBytes("0,\"delta\":{\"type\":\"text_delta\",\"text\":\"trunc\n\n".getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void ping(ByteBuf out) {
            event(out, "ping", "{\"type\": \"ping\"}");
        }
    }
}
