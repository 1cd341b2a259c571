package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import org.HdrHistogram.ValueRecorder;
import java.util.Map;

/**
 * Anthropic Messages, always streamed. System messages of the conversation become the top-level
 * {@code system} text, tool results become {@code tool_result} blocks of a user turn, and with
 * prompt caching asked for, the system text and the last turn carry {@code cache_control}
 * breakpoints, as agent harnesses set them: the system text's for the request's lifetime (an hour
 * when asked, which Anthropic requires to come before shorter ones), the last turn's for five
 * minutes. A thinking budget is {@code thinking: {type: enabled, budget_tokens: N}}.
 */
final class AnthropicClient extends StreamingClient {

    /** The API version soaklab speaks. */
    static final String VERSION = "2023-06-01";

    AnthropicClient(ClientConfig config, ValueRecorder itlMicros) {
        super(config, itlMicros, "/messages", config.apiKey() == null || config.apiKey().isEmpty() ? Map.of("anthropic-version", VERSION)
                : Map.of("anthropic-version", VERSION, "x-api-key", config.apiKey()), AnthropicStream::new);
    }

    @Override
    byte[] encode(ChatRequest request) throws IOException {
        ByteArrayBuilder out = buffer(request);
        StringBuilder system = new StringBuilder();
        for (Message m : request.messages()) {
            if (m.role().equals("system")) {
                system.append(system.length() == 0 ? "" : "\n\n").append(m.content());
            }
        }
        java.util.List<Turn> turns = turns(request.messages());
        boolean cache = request.promptCaching();
        if (request.reasoning().effort() != null) {
            throw new IllegalArgumentException("a reasoning effort is OpenAI's: an Anthropic request asks for a thinking budget");
        }
        if (request.exactOutput()) {
            throw new IllegalArgumentException("an exact output length (ignore_eos, min_tokens) is an OpenAI-compatible server's: the Messages API"
                    + " has no way to ask for it");
        }
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", config().model());
            g.writeNumberField("max_tokens", request.maxTokens());
            if (request.reasoning().thinkingBudget() > 0) {
                g.writeObjectFieldStart("thinking");
                g.writeStringField("type", "enabled");
                g.writeNumberField("budget_tokens", request.reasoning().thinkingBudget());
                g.writeEndObject();
            }
            if (system.length() > 0) {
                if (cache) {
                    g.writeArrayFieldStart("system");
                    g.writeStartObject();
                    g.writeStringField("type", "text");
                    g.writeStringField("text", system.toString());
                    cacheControl(g, request.cacheTtl()); // the stable prefix: it may live an hour, and comes before the moving one
                    g.writeEndObject();
                    g.writeEndArray();
                } else {
                    g.writeStringField("system", system.toString());
                }
            }
            g.writeArrayFieldStart("messages");
            for (int t = 0; t < turns.size(); t++) {
                Turn turn = turns.get(t);
                g.writeStartObject();
                g.writeStringField("role", turn.role);
                boolean markLast = cache && t == turns.size() - 1;
                if (turn.parts.size() == 1 && turn.parts.get(0).role().matches("user|assistant")
                        && turn.parts.get(0).toolCalls().isEmpty() && !markLast) {
                    g.writeStringField("content", turn.parts.get(0).content());
                } else {
                    g.writeArrayFieldStart("content");
                    int blocks = 0;
                    int total = countBlocks(turn);
                    for (Message m : turn.parts) {
                        if (m.role().equals("tool")) {
                            g.writeStartObject();
                            g.writeStringField("type", "tool_result");
                            g.writeStringField("tool_use_id", m.toolCallId());
                            g.writeStringField("content", m.content());
                            if (m.error()) {
                                g.writeBooleanField("is_error", true);
                            }
                            if (markLast && ++blocks == total) {
                                cacheControl(g, ChatRequest.CacheTtl.FIVE_MINUTES);
                            }
                            g.writeEndObject();
                            continue;
                        }
                        if (!m.content().isEmpty()) {
                            g.writeStartObject();
                            g.writeStringField("type", "text");
                            g.writeStringField("text", m.content());
                            if (markLast && ++blocks == total) {
                                cacheControl(g, ChatRequest.CacheTtl.FIVE_MINUTES);
                            }
                            g.writeEndObject();
                        }
                        for (ToolCall call : m.toolCalls()) {
                            g.writeStartObject();
                            g.writeStringField("type", "tool_use");
                            g.writeStringField("id", call.id());
                            g.writeStringField("name", call.name());
                            g.writeFieldName("input");
                            g.writeRawValue(jsonObjectOrEmpty(call.arguments()));
                            if (markLast && ++blocks == total) {
                                cacheControl(g, ChatRequest.CacheTtl.FIVE_MINUTES);
                            }
                            g.writeEndObject();
                        }
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            writeTools(g, request);
            g.writeBooleanField("stream", true);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Override
    void writeTool(JsonGenerator g, ToolSpec tool) throws IOException {
        g.writeStartObject();
        toolFields(g, tool, "input_schema");
        g.writeEndObject();
    }

    @Override
    void writeToolChoice(JsonGenerator g, ChatRequest.ToolChoice choice) throws IOException {
        g.writeObjectFieldStart("tool_choice");
        g.writeStringField("type", switch (choice) {
            case REQUIRED -> "any";
            case NONE -> "none";
            case AUTO -> "auto";
        });
        g.writeEndObject();
    }

    /** One Anthropic message: consecutive tool results and the user text after them share a user turn. */
    private static final class Turn {
        final String role;
        final java.util.List<Message> parts = new java.util.ArrayList<>();

        Turn(String role) {
            this.role = role;
        }
    }

    private static java.util.List<Turn> turns(java.util.List<Message> messages) {
        java.util.List<Turn> turns = new java.util.ArrayList<>();
        for (Message m : messages) {
            if (m.role().equals("system")) {
                continue;
            }
            String role = m.role().equals("tool") ? "user" : m.role();
            if (turns.isEmpty() || !turns.get(turns.size() - 1).role.equals(role)) {
                turns.add(new Turn(role));
            }
            turns.get(turns.size() - 1).parts.add(m);
        }
        return turns;
    }

    private static int countBlocks(Turn turn) {
        int n = 0;
        for (Message m : turn.parts) {
            n += m.role().equals("tool") ? 1 : (m.content().isEmpty() ? 0 : 1) + m.toolCalls().size();
        }
        return n;
    }

    /** A breakpoint: five minutes is the API's default and is not written out; an hour is {@code "ttl":"1h"}. */
    private static void cacheControl(JsonGenerator g, ChatRequest.CacheTtl ttl) throws IOException {
        g.writeObjectFieldStart("cache_control");
        g.writeStringField("type", "ephemeral");
        if (ttl == ChatRequest.CacheTtl.ONE_HOUR) {
            g.writeStringField("ttl", ttl.wireName());
        }
        g.writeEndObject();
    }

    /** The model's arguments when they are a JSON object; {@code {}} when they are not. */
    private static String jsonObjectOrEmpty(String arguments) {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(arguments)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return "{}";
            }
            p.skipChildren();
            return p.nextToken() == null ? arguments : "{}";
        } catch (IOException e) {
            return "{}";
        }
    }
}
