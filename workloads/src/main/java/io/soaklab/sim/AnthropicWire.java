package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.soaklab.protocol.Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

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
        return new AnthropicRequest().read(body, offset, length);
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
