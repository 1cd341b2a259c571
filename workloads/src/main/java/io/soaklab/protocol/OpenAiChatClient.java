package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import org.HdrHistogram.ValueRecorder;
import org.asynchttpclient.RequestBuilder;

/** OpenAI Chat Completions, always streamed with usage requested. */
final class OpenAiChatClient extends StreamingClient {

    private final String authorization;

    OpenAiChatClient(ClientConfig config, ValueRecorder itlMicros) {
        super(config, itlMicros, "/chat/completions");
        this.authorization = config.apiKey() == null || config.apiKey().isEmpty() ? null : "Bearer " + config.apiKey();
    }

    @Override
    void addHeaders(RequestBuilder request) {
        if (authorization != null) {
            request.setHeader("Authorization", authorization);
        }
    }

    @Override
    StreamCall newCall(long intended, long sent) {
        return new OpenAiStream(this, intended, sent);
    }

    /** The conversation, the cap, and a request for streamed usage. */
    @Override
    byte[] encode(ChatRequest request) throws IOException {
        ByteArrayBuilder out = buffer(request);
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("model", config().model());
            g.writeArrayFieldStart("messages");
            for (Message m : request.messages()) {
                g.writeStartObject();
                g.writeStringField("role", m.role());
                g.writeStringField("content", m.content());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField(config().maxTokensField(), request.maxTokens());
            g.writeBooleanField("stream", true);
            g.writeObjectFieldStart("stream_options");
            g.writeBooleanField("include_usage", true);
            g.writeEndObject();
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
