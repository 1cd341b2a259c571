package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import org.HdrHistogram.ValueRecorder;
import org.asynchttpclient.RequestBuilder;

/**
 * Anthropic Messages, always streamed. System messages of the conversation become the top-level
 * {@code system} text, as the API wants.
 */
final class AnthropicClient extends StreamingClient {

    /** The API version soaklab speaks. */
    static final String VERSION = "2023-06-01";

    private final String key;

    AnthropicClient(ClientConfig config, ValueRecorder itlMicros) {
        super(config, itlMicros, "/messages");
        this.key = config.apiKey() == null || config.apiKey().isEmpty() ? null : config.apiKey();
    }

    @Override
    void addHeaders(RequestBuilder request) {
        request.setHeader("anthropic-version", VERSION);
        if (key != null) {
            request.setHeader("x-api-key", key);
        }
    }

    @Override
    StreamCall newCall(long intended, long sent) {
        return new AnthropicStream(this, intended, sent);
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
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", config().model());
            g.writeNumberField("max_tokens", request.maxTokens());
            if (system.length() > 0) {
                g.writeStringField("system", system.toString());
            }
            g.writeArrayFieldStart("messages");
            for (Message m : request.messages()) {
                if (m.role().equals("system")) {
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("role", m.role());
                g.writeStringField("content", m.content());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("stream", true);
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
