package io.soaklab.internal.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A call's prompt and reply as the GenAI conventions' {@code gen_ai.input.messages} and
 * {@code gen_ai.output.messages} JSON ({@code --trace-content} only): messages of parts
 * ({@code text}, {@code tool_call}, {@code tool_call_response}). Each is kept under a cap and stays
 * valid JSON: the input loses its oldest messages first (how many is said beside it), a text too
 * long alone is cut and ends in "(truncated)".
 */
final class Content {

    /** The most characters one attribute holds. */
    static final int CAP = 16 * 1024;
    private static final String CUT = "... (truncated)";
    private static final JsonFactory JSON = new JsonFactory();

    /** One attribute's JSON, and how much was left out to fit it under the cap. */
    record Json(String text, int leftOut, boolean cut) {
    }

    private Content() {
    }

    /** The request's messages, the newest that fit under the cap. */
    static Json input(List<Message> messages) {
        int from = 0;
        String json = messages(messages, 0, Integer.MAX_VALUE);
        while (json.length() > CAP && from < messages.size() - 1) {
            from++;
            json = messages(messages, from, Integer.MAX_VALUE);
        }
        boolean cut = false;
        if (json.length() > CAP) { // the newest message alone is too long: its text is cut
            json = messages(messages, from, CAP / 2);
            cut = true;
        }
        return new Json(json, from, cut);
    }

    /** The reply: one assistant message with its text, its tool calls and why it stopped. */
    static Json output(CallResult r) {
        String json = reply(r, Integer.MAX_VALUE);
        if (json.length() <= CAP) {
            return new Json(json, 0, false);
        }
        return new Json(reply(r, CAP / 2), 0, true);
    }

    private static String messages(List<Message> messages, int from, int textCap) {
        return write(g -> {
            g.writeStartArray();
            for (int i = from; i < messages.size(); i++) {
                Message m = messages.get(i);
                g.writeStartObject();
                g.writeStringField("role", m.role());
                g.writeArrayFieldStart("parts");
                if (m.toolCallId() != null) {
                    g.writeStartObject();
                    g.writeStringField("type", "tool_call_response");
                    g.writeStringField("id", m.toolCallId());
                    g.writeStringField("response", capped(m.content(), textCap));
                    g.writeEndObject();
                } else if (!m.content().isEmpty()) {
                    text(g, m.content(), textCap);
                }
                toolCalls(g, m.toolCalls(), textCap);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static String reply(CallResult r, int textCap) {
        return write(g -> {
            g.writeStartArray();
            g.writeStartObject();
            g.writeStringField("role", "assistant");
            g.writeArrayFieldStart("parts");
            if (!r.content().isEmpty()) {
                text(g, r.content(), textCap);
            }
            toolCalls(g, r.toolCalls(), textCap);
            g.writeEndArray();
            if (r.finishReason() != null) {
                g.writeStringField("finish_reason", r.finishReason());
            }
            g.writeEndObject();
            g.writeEndArray();
        });
    }

    private static void text(JsonGenerator g, String text, int cap) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("content", capped(text, cap));
        g.writeEndObject();
    }

    private static void toolCalls(JsonGenerator g, List<ToolCall> calls, int cap) throws IOException {
        for (ToolCall c : calls) {
            g.writeStartObject();
            g.writeStringField("type", "tool_call");
            g.writeStringField("id", c.id());
            g.writeStringField("name", c.name());
            if (c.arguments() != null) {
                g.writeStringField("arguments", capped(c.arguments(), cap));
            }
            g.writeEndObject();
        }
    }

    private static String capped(String text, int cap) {
        return text.length() <= cap ? text : text.substring(0, cap) + CUT;
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory: cannot happen
        }
        return out.toString();
    }
}
