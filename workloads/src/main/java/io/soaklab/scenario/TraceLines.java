package io.soaklab.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one line of a trace: a Mooncake record, or a chat-completions request with its time and
 * session. A line that cannot be used is a {@link BadLine} saying why, in a few words.
 */
final class TraceLines {

    /** The time of a request whose line has none. */
    static final long NO_TIME = Long.MIN_VALUE;
    /** The output cap of a recorded request that asked for none. */
    static final int DEFAULT_MAX_TOKENS = 1024;
    /** Numbers from here on are milliseconds since the epoch; from {@link #EPOCH_SECONDS} on, seconds since it; below, milliseconds. */
    private static final double EPOCH_MILLIS = 1e11;
    private static final double EPOCH_SECONDS = 1e8;

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Why a line is skipped. */
    static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String why) {
            super(why, null, false, false);
        }
    }

    private TraceLines() {
    }

    /** The line as a JSON object. */
    static JsonNode object(String text) throws BadLine {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            int nl = why == null ? -1 : why.indexOf('\n');
            throw new BadLine("not JSON (" + (why == null ? "cannot be read" : nl < 0 ? why : why.substring(0, nl)) + ")");
        }
        if (node == null || !node.isObject()) {
            throw new BadLine("not a JSON object");
        }
        return node;
    }

    /** The format a line is in. */
    static TraceFormat detect(JsonNode line) throws BadLine {
        if (line.has("hash_ids") || line.has("input_length")) {
            return TraceFormat.MOONCAKE;
        }
        if (line.has("messages") || line.path("body").has("messages") || line.path("request").has("messages")) {
            return TraceFormat.OPENAI;
        }
        throw new BadLine("neither a Mooncake record (hash_ids, input_length) nor a chat-completions request (messages)");
    }

    /** A Mooncake record: {@code timestamp} in ms, {@code input_length}, {@code output_length}, {@code hash_ids}, or {@code text_input}. */
    static Trace.Request mooncake(JsonNode line, int number) throws BadLine {
        long at = line.has("timestamp") ? micros(line.get("timestamp"), false) : NO_TIME;
        int output = count(line, "output_length", true);
        String text = line.hasNonNull("text_input") ? text(line.get("text_input"), "text_input") : null;
        if (text != null) {
            return new Trace.Request(number, at, new Trace.Mooncake(line.has("input_length") ? count(line, "input_length", true) : -1, output,
                    new long[0], text), null);
        }
        int input = count(line, "input_length", true);
        JsonNode ids = line.get("hash_ids");
        if (ids == null || !ids.isArray()) {
            throw new BadLine("hash_ids is " + (ids == null ? "missing" : "not a list"));
        }
        long[] hashIds = new long[ids.size()];
        for (int i = 0; i < hashIds.length; i++) {
            if (!ids.get(i).canConvertToLong() || !ids.get(i).isIntegralNumber()) {
                throw new BadLine("hash_ids[" + i + "] is not a whole number");
            }
            hashIds[i] = ids.get(i).asLong();
        }
        long needed = (input + MooncakePrompt.BLOCK_TOKENS - 1) / MooncakePrompt.BLOCK_TOKENS;
        if (hashIds.length < needed) {
            throw new BadLine("input_length " + input + " needs " + needed + " hash_ids of " + MooncakePrompt.BLOCK_TOKENS + " tokens, there are "
                    + hashIds.length);
        }
        if (input < MooncakePrompt.FRAMING + 1) {
            throw new BadLine("input_length " + input + " is shorter than a chat request's framing and one token (" + (MooncakePrompt.FRAMING + 1) + ")");
        }
        return new Trace.Request(number, at, new Trace.Mooncake(input, output, hashIds, null), null);
    }

    /** A recorded chat-completions request: the line itself, or its {@code body} or {@code request}; its {@code timestamp}. */
    static Trace.Request openAi(JsonNode line, int number) throws BadLine {
        JsonNode body = line.has("messages") ? line : line.path("body").has("messages") ? line.get("body") : line.path("request");
        if (!body.has("messages")) {
            throw new BadLine("no chat-completions request: messages is missing (in the line, its body or its request)");
        }
        long at = line.has("timestamp") ? micros(line.get("timestamp"), true) : NO_TIME;
        return new Trace.Request(number, at, null, request(body));
    }

    /** The session a recorded request belongs to, or null: a session of its own. */
    static String sessionId(JsonNode line) {
        JsonNode id = line.get("session_id");
        return id == null || id.isNull() ? null : id.asText();
    }

    private static ChatRequest request(JsonNode body) throws BadLine {
        JsonNode list = body.get("messages");
        if (!list.isArray() || list.isEmpty()) {
            throw new BadLine("messages is " + (list.isArray() ? "empty" : "not a list"));
        }
        List<Message> messages = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            messages.add(message(list.get(i), "messages[" + i + "]"));
        }
        List<ToolSpec> tools = new ArrayList<>();
        JsonNode offered = body.path("tools");
        for (int i = 0; i < offered.size(); i++) {
            JsonNode f = offered.get(i).path("function");
            if (!f.path("name").isTextual()) {
                throw new BadLine("tools[" + i + "] has no function name");
            }
            tools.add(new ToolSpec(f.get("name").asText(), f.path("description").asText(""),
                    f.has("parameters") ? f.get("parameters").toString() : "{\"type\":\"object\",\"properties\":{}}"));
        }
        JsonNode cap = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        int maxTokens = DEFAULT_MAX_TOKENS;
        if (cap != null && !cap.isNull()) {
            if (!cap.isIntegralNumber() || cap.asLong() < 1 || cap.asLong() > Integer.MAX_VALUE) {
                throw new BadLine("max_tokens must be a whole number of 1 or more, was " + cap);
            }
            maxTokens = cap.asInt();
        }
        JsonNode choice = body.path("tool_choice");
        ChatRequest.ToolChoice toolChoice = choice.isObject() || choice.asText().equals("required") ? ChatRequest.ToolChoice.REQUIRED
                : choice.asText().equals("none") ? ChatRequest.ToolChoice.NONE : ChatRequest.ToolChoice.AUTO;
        ChatRequest.Reasoning reasoning = ChatRequest.Reasoning.NONE;
        for (ChatRequest.Effort e : ChatRequest.Effort.values()) {
            if (e.wireName().equals(body.path("reasoning_effort").asText())) {
                reasoning = ChatRequest.Reasoning.effort(e);
            }
        }
        return new ChatRequest(messages, maxTokens, tools, toolChoice, false, ChatRequest.CacheTtl.FIVE_MINUTES, reasoning);
    }

    private static Message message(JsonNode m, String where) throws BadLine {
        if (!m.path("role").isTextual()) {
            throw new BadLine(where + " has no role");
        }
        String role = m.get("role").asText();
        JsonNode content = m.path("content");
        String text;
        if (content.isTextual()) {
            text = content.asText();
        } else if (content.isArray()) { // parts: their text, in order; images and audio are not replayed
            StringBuilder joined = new StringBuilder();
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    joined.append(part.get("text").asText());
                }
            }
            text = joined.toString();
        } else if (content.isMissingNode() || content.isNull()) {
            text = "";
        } else {
            throw new BadLine(where + ".content is neither text nor a list of parts");
        }
        List<ToolCall> calls = new ArrayList<>();
        JsonNode toolCalls = m.path("tool_calls");
        for (int i = 0; i < toolCalls.size(); i++) {
            JsonNode c = toolCalls.get(i);
            if (!c.path("function").path("name").isTextual()) {
                throw new BadLine(where + ".tool_calls[" + i + "] has no function name");
            }
            JsonNode args = c.path("function").path("arguments");
            calls.add(new ToolCall(c.path("id").asText("call_" + i), c.get("function").get("name").asText(), args.isTextual() ? args.asText()
                    : args.isMissingNode() ? "{}" : args.toString()));
        }
        if (role.equals("tool")) {
            if (!m.path("tool_call_id").isTextual()) {
                throw new BadLine(where + " is a tool result without tool_call_id");
            }
            return Message.toolResult(m.get("tool_call_id").asText(), text, false);
        }
        return new Message(role, text, calls, null, false);
    }

    /**
     * A time in microseconds: an ISO-8601 instant (where {@code iso}), or a number: for Mooncake milliseconds; for a request log,
     * from 1e11 on milliseconds since the epoch, from 1e8 on seconds since it, below that milliseconds from the trace's start.
     */
    private static long micros(JsonNode t, boolean iso) throws BadLine {
        if (t.isTextual() && iso) {
            try {
                Instant at = Instant.parse(t.asText());
                return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new BadLine("timestamp '" + t.asText() + "' is not an ISO-8601 instant (2026-12-03T00:40:00Z) or a number");
            }
        }
        if (!t.isNumber() || !Double.isFinite(t.asDouble()) || t.asDouble() < 0) {
            throw new BadLine("timestamp is not a number of 0 or more" + (iso ? " or an ISO-8601 instant" : " (milliseconds)") + ", was " + t);
        }
        double value = t.asDouble();
        boolean seconds = iso && value >= EPOCH_SECONDS && value < EPOCH_MILLIS;
        return Math.round(value * (seconds ? 1e6 : 1e3));
    }

    private static int count(JsonNode line, String field, boolean required) throws BadLine {
        JsonNode n = line.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new BadLine(field + " is missing");
            }
            return -1;
        }
        if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > Integer.MAX_VALUE) {
            throw new BadLine(field + " must be a whole number of 1 or more, was " + n);
        }
        return n.asInt();
    }

    private static String text(JsonNode n, String field) throws BadLine {
        if (!n.isTextual()) {
            throw new BadLine(field + " is not text");
        }
        return n.asText();
    }
}
