package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import org.HdrHistogram.ValueRecorder;
import java.util.Map;

/** OpenAI Chat Completions, always streamed with usage requested. */
final class OpenAiChatClient extends StreamingClient {

    OpenAiChatClient(ClientConfig config, ValueRecorder itlMicros) {
        super(config, itlMicros, "/chat/completions",
                config.apiKey() == null || config.apiKey().isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + config.apiKey()),
                OpenAiStream::new);
    }

    /** The conversation, the cap (exact if asked), the tools, the reasoning effort if asked, and a request for streamed usage. */
    @Override
    byte[] encode(ChatRequest request) throws IOException {
        if (request.reasoning().thinkingBudget() > 0) {
            throw new IllegalArgumentException("a thinking budget is Anthropic's: an OpenAI request asks for a reasoning effort");
        }
        if (request.cacheTtl() == ChatRequest.CacheTtl.ONE_HOUR) {
            throw new IllegalArgumentException("a one-hour cache lifetime is Anthropic's: OpenAI caches by itself, for no lifetime asked");
        }
        ByteArrayBuilder out = buffer(request);
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", config().model());
            g.writeArrayFieldStart("messages");
            for (Message m : request.messages()) {
                g.writeStartObject();
                g.writeStringField("role", m.role());
                if (m.content().isEmpty() && !m.toolCalls().isEmpty()) {
                    g.writeNullField("content");
                } else {
                    g.writeStringField("content", m.content());
                }
                if (!m.toolCalls().isEmpty()) {
                    g.writeArrayFieldStart("tool_calls");
                    for (ToolCall call : m.toolCalls()) {
                        g.writeStartObject();
                        g.writeStringField("id", call.id());
                        g.writeStringField("type", "function");
                        g.writeObjectFieldStart("function");
                        g.writeStringField("name", call.name());
                        g.writeStringField("arguments", call.arguments());
                        g.writeEndObject();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                if (m.toolCallId() != null) {
                    g.writeStringField("tool_call_id", m.toolCallId());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            writeTools(g, request);
            g.writeNumberField(config().maxTokensField(), request.maxTokens());
            if (request.exactOutput()) { // vLLM's and SGLang's sampling extensions: the reply runs to the cap
                g.writeNumberField("min_tokens", request.maxTokens());
                g.writeBooleanField("ignore_eos", true);
            }
            if (request.reasoning().effort() != null) {
                g.writeStringField("reasoning_effort", request.reasoning().effort().wireName());
            }
            g.writeBooleanField("stream", true);
            g.writeObjectFieldStart("stream_options");
            g.writeBooleanField("include_usage", true);
            g.writeEndObject();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Override
    void writeTool(JsonGenerator g, ToolSpec tool) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        toolFields(g, tool, "parameters");
        g.writeEndObject();
        g.writeEndObject();
    }

    @Override
    void writeToolChoice(JsonGenerator g, ChatRequest.ToolChoice choice) throws IOException {
        g.writeStringField("tool_choice", choice.name().toLowerCase(java.util.Locale.ROOT));
    }
}
