package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.soaklab.protocol.Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** OpenAI Chat Completions, as OpenAI and compatible servers write it. */
final class OpenAiWire implements Wire {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_OPEN = "{\"index\":0,\"delta\":{\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REASONING_OPEN = "{\"index\":0,\"delta\":{\"reasoning_content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DELTA_CLOSE = "\"},\"finish_reason\":null}]}\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public Api api() {
        return Api.OPENAI;
    }

    @Override
    public String requestIdHeader() {
        return "x-request-id";
    }

    @Override
    public SimRequest parse(byte[] body, int offset, int length, int defaultMaxTokens) throws SimRequest.Invalid {
        return new Request().read(body, offset, length);
    }

    /** One request: messages read as they come, each message's end a cacheable boundary. */
    private static final class Request extends RequestReader {

        Request() {
            super(Api.OPENAI, false, false);
        }

        @Override
        void field(JsonParser p, String field, JsonToken value) throws IOException, SimRequest.Invalid {
            switch (field) {
                case "messages" -> readMessages(p, value);
                case "tools" -> readTools(p, value);
                case "tool_choice" -> toolChoice = SimRequest.openAiToolChoice(p, value);
                case "max_completion_tokens" -> maxTokens = SimRequest.intOrInvalid(p, value, field);
                case "stream_options" -> includeUsage = includeUsage(p, value);
                case "reasoning_effort" -> checkEffort(p, value);
                case "min_tokens" -> minTokens = SimRequest.countOrInvalid(p, value, field); // vLLM's and SGLang's extensions
                case "ignore_eos" -> ignoreEos = value == JsonToken.VALUE_TRUE;
                default -> p.skipChildren();
            }
        }

        /**
         * {@code reasoning_effort}: a level OpenAI knows for some model, else refused as OpenAI refuses it. It does not change
         * the reply: the endpoint reasons as its profile says ({@code replies.reasoning_tokens_median}).
         */
        private static void checkEffort(JsonParser p, JsonToken value) throws IOException, SimRequest.Invalid {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            String text = p.getText();
            p.skipChildren();
            if (value != JsonToken.VALUE_STRING || !java.util.Set.of("none", "minimal", "low", "medium", "high", "xhigh").contains(text)) {
                throw new SimRequest.Invalid("Invalid value: '" + text + "'. Supported values are:"
                        + " 'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'.", "reasoning_effort", "invalid_value");
            }
        }

        @Override
        String notAnObject() {
            return "We could not parse the JSON body of your request: expected a JSON object.";
        }

        @Override
        String notJson(String why) {
            return "We could not parse the JSON body of your request. (" + why + ")";
        }

        @Override
        String missing(String field) {
            return "Missing required parameter: '" + field + "'.";
        }

        @Override
        String noMessages() {
            return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
        }

        private void readMessages(JsonParser p, JsonToken value) throws IOException, SimRequest.Invalid {
            if (value != JsonToken.START_ARRAY) {
                throw new SimRequest.Invalid("Invalid type for 'messages': expected an array.", "messages");
            }
            messages = 0;
            for (JsonToken m = p.nextToken(); m != JsonToken.END_ARRAY; m = p.nextToken()) {
                if (m != JsonToken.START_OBJECT) {
                    throw new SimRequest.Invalid("Invalid type for 'messages[" + messages + "]': expected an object.", "messages");
                }
                readMessage(p);
                prefixes.add(counter.hash, counter.tokens, false, false); // every message boundary can be cached
            }
        }

        @Override
        void messageField(JsonParser p, String field, JsonToken value) throws IOException {
            if (field.equals("content") && value == JsonToken.VALUE_STRING) {
                counter.text(p.getText());
            } else if (field.equals("content") && value == JsonToken.START_ARRAY) {
                while (nextObject(p)) {
                    readPart(p);
                }
            } else if (field.equals("content") || field.equals("tool_calls") || field.equals("name") || field.equals("tool_call_id")) {
                counter.value(p, value);
            } else {
                p.skipChildren();
            }
        }

        /** A part of a message's content: the text of text parts counts; other parts (images, audio) only identify the request. */
        private void readPart(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (f.equals("text") && v == JsonToken.VALUE_STRING) {
                    counter.text(p.getText());
                } else if (v == JsonToken.VALUE_STRING) {
                    counter.mix(p.getText().hashCode());
                } else {
                    p.skipChildren();
                }
            }
        }

        /** Tools: each one's {@code function} names it and gives its parameters; the rest of it only counts. */
        private void readTools(JsonParser p, JsonToken value) throws IOException {
            if (!array(p, value)) {
                return;
            }
            while (nextObject(p)) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if (field.equals("function") && v == JsonToken.START_OBJECT) {
                        ToolFields tool = new ToolFields("parameters");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            tool.read(p, f, p.nextToken());
                        }
                        tool.offer();
                    } else {
                        counter.value(p, v);
                    }
                }
            }
        }
    }

    private static boolean includeUsage(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        boolean include = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            include |= f.equals("include_usage") && v == JsonToken.VALUE_TRUE;
            p.skipChildren(); // an include_usage of another shape too: the rest of the body is read as the body's
        }
        return include;
    }

    @Override
    public String unauthorized(HttpHeaders headers, String key) {
        if (key == null) {
            return null;
        }
        String header = headers.get(HttpHeaderNames.AUTHORIZATION);
        return header != null && header.equals("Bearer " + key) ? null : "Incorrect API key provided.";
    }

    @Override
    public String error(Failure kind, String message, String param, String code) {
        String type = switch (kind) {
            case RATE_LIMITED -> message.contains(" on requests per min") ? "requests" : "tokens";
            case SERVER, BAD_GATEWAY, UNAVAILABLE, OVERLOADED -> "server_error";
            default -> "invalid_request_error";
        };
        return Wire.json(256, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            g.writeStringField("param", param);
            g.writeStringField("code", code);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    @Override
    public void rateLimitHeaders(HttpHeaders headers, RateLimiter.Decision d) {
        if (d == null) {
            return;
        }
        if (d.requests() != null) {
            headers.set("x-ratelimit-limit-requests", d.requests().limit())
                    .set("x-ratelimit-remaining-requests", d.requests().remaining())
                    .set("x-ratelimit-reset-requests", RateLimiter.goDuration(d.requests().resetNanos()));
        }
        if (d.tokens() != null) {
            headers.set("x-ratelimit-limit-tokens", d.tokens().limit())
                    .set("x-ratelimit-remaining-tokens", d.tokens().remaining())
                    .set("x-ratelimit-reset-tokens", RateLimiter.goDuration(d.tokens().resetNanos()));
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
            g.writeStringField("id", reply.id());
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", reply.created());
            g.writeStringField("model", reply.model());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            if (thinking != null) {
                g.writeStringField("reasoning_content", thinking);
            }
            if (toolName != null) {
                g.writeNullField("content");
                g.writeArrayFieldStart("tool_calls");
                g.writeStartObject();
                g.writeStringField("id", toolId);
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", toolName);
                g.writeStringField("arguments", toolArgs);
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndArray();
            } else {
                g.writeStringField("content", text);
            }
            g.writeEndObject();
            g.writeStringField("finish_reason", stop.openAi);
            g.writeEndObject();
            g.writeEndArray();
            g.writeFieldName("usage");
            usage(g, reply, outputTokens);
            g.writeEndObject();
        });
    }

    private static void usage(JsonGenerator g, Reply r, long outputTokens) throws IOException {
        g.writeStartObject();
        g.writeNumberField("prompt_tokens", r.promptTokens());
        g.writeNumberField("completion_tokens", outputTokens);
        g.writeNumberField("total_tokens", r.promptTokens() + outputTokens);
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", r.cachedTokens());
        g.writeEndObject();
        g.writeObjectFieldStart("completion_tokens_details");
        g.writeNumberField("reasoning_tokens", r.reasoningTokens());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static String usage(Reply r, long outputTokens) {
        return Wire.json(192, g -> usage(g, r, outputTokens));
    }

    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    /** One streamed reply: chunks share a prefix (id, created, model) built once. */
    private static final class Stream implements Emitter {
        private final Reply reply;
        private final byte[] head;

        Stream(Reply reply) {
            this.reply = reply;
            this.head = ("{\"id\":\"" + reply.id() + "\",\"object\":\"chat.completion.chunk\",\"created\":" + reply.created()
                    + ",\"model\":" + quote(reply.model()) + ",\"choices\":[").getBytes(StandardCharsets.UTF_8);
        }

        private void chunk(ByteBuf out, String choice) {
            out.writeBytes(DATA).writeBytes(head).writeBytes(choice.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void start(ByteBuf out) {
            chunk(out, "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
        }

        @Override
        public void reasoning(ByteBuf out, byte[] word) {
            out.writeBytes(DATA).writeBytes(head).writeBytes(REASONING_OPEN).writeBytes(word).writeBytes(DELTA_CLOSE);
        }

        @Override
        public void text(ByteBuf out, byte[] word) {
            out.writeBytes(DATA).writeBytes(head).writeBytes(CONTENT_OPEN).writeBytes(word).writeBytes(DELTA_CLOSE);
        }

        @Override
        public void toolStart(ByteBuf out, String id, String name) {
            chunk(out, "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"" + id + "\",\"type\":\"function\",\"function\":"
                    + "{\"name\":" + quote(name) + ",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n");
        }

        @Override
        public void toolArgs(ByteBuf out, String fragment) {
            chunk(out, "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + quote(fragment)
                    + "}}]},\"finish_reason\":null}]}\n\n");
        }

        @Override
        public void finish(ByteBuf out, Reply.Stop stop, long outputTokens) {
            chunk(out, "{\"index\":0,\"delta\":{},\"finish_reason\":\"" + stop.openAi + "\"}]}\n\n");
            if (reply.request().includeUsage()) {
                chunk(out, "],\"usage\":" + usage(reply, outputTokens) + "}\n\n");
            }
            out.writeBytes(DONE);
        }

        @Override
        public void error(ByteBuf out, boolean overloaded) {
            String message = overloaded ? "The server is overloaded. Please try again later."
                    : "The server had an error while processing your request. Sorry about that!";
            out.writeBytes(("data: {\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void malformed(ByteBuf out) {
            out.writeBytes(DATA).writeBytes(head).writeBytes("{\"index\":0,\"delta\":{\"content\":\"trunc\n\n".getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void ping(ByteBuf out) {
            out.writeBytes(": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
        }
    }
}
