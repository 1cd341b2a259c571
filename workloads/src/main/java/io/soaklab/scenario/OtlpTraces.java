package io.soaklab.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenTelemetry GenAI traces in OTLP JSON (an {@code ExportTraceServiceRequest} a line, as soaklab's
 * {@code --trace-file} writes them, or one whole document) as a trace to replay. Each {@code chat}
 * span (attribute {@code gen_ai.operation.name}) is a request at its start; the chat spans under one
 * agent span ({@code invoke_agent}, or the span they share as parent) are a session, in order, so that
 * an agent's calls follow one another as recorded (tool time is the gap between them) while sub-agents
 * run in parallel as they did. A request's text is its {@code gen_ai.input.messages} when the trace
 * recorded them; without them, its {@code gen_ai.usage.input_tokens} and {@code output_tokens} become a
 * prompt of that length and an exact output cap, as a Mooncake record with blocks of its own.
 */
final class OtlpTraces {

    /** Fails on a second document after the first: a file of one export request a line is read line by line, not as its first. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private OtlpTraces() {
    }

    /** Whether {@code file}'s start reads as OTLP JSON. */
    static boolean looksLike(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            char[] head = new char[4096];
            int n = in.read(head);
            return n > 0 && new String(head, 0, n).contains("\"resourceSpans\"");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A chat span, read. */
    private record Chat(String parent, long startMicros, Trace.Request request) {
    }

    static Trace read(Path file) {
        List<String> skipped = new ArrayList<>();
        List<Chat> chats = new ArrayList<>();
        int[] lines = {0};
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            JsonNode whole = null;
            try {
                whole = JSON.readTree(text);
            } catch (IOException notOne) {
                // one request a line
            }
            if (whole != null && whole.has("resourceSpans")) {
                lines[0] = 1;
                spans(whole, 1, chats, skipped);
            } else {
                int number = 0;
                for (String line : text.split("\n", -1)) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    lines[0]++;
                    try {
                        spans(JSON.readTree(line), number, chats, skipped);
                    } catch (IOException e) {
                        skipped.add("line " + number + ": not JSON");
                    }
                }
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("replay file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read replay file " + file + ": " + e.getMessage());
        }
        if (chats.isEmpty()) {
            throw new IllegalArgumentException("replay file " + file + ": no chat span (gen_ai.operation.name chat) with its token counts or messages"
                    + (skipped.isEmpty() ? "" : " (" + skipped.get(0) + ")"));
        }
        long base = chats.stream().mapToLong(Chat::startMicros).min().orElse(0);
        Map<String, List<Trace.Request>> byAgent = new LinkedHashMap<>();
        chats.sort(Comparator.comparingLong(Chat::startMicros));
        for (Chat c : chats) {
            Trace.Request r = c.request();
            byAgent.computeIfAbsent(c.parent(), k -> new ArrayList<>())
                    .add(new Trace.Request(r.line(), c.startMicros() - base, r.mooncake(), r.body()));
        }
        List<Trace.Session> sessions = new ArrayList<>();
        byAgent.forEach((agent, requests) -> sessions.add(new Trace.Session(agent, List.copyOf(requests))));
        sessions.sort(Comparator.comparingLong(Trace.Session::startMicros));
        return new Trace(file, TraceFormat.OTLP, List.copyOf(sessions), List.copyOf(skipped), lines[0]);
    }

    private static void spans(JsonNode request, int line, List<Chat> chats, List<String> skipped) {
        for (JsonNode rs : request.path("resourceSpans")) {
            for (JsonNode ss : rs.path("scopeSpans")) {
                for (JsonNode span : ss.path("spans")) {
                    Map<String, JsonNode> attributes = attributes(span);
                    JsonNode op = attributes.get("gen_ai.operation.name");
                    if (op == null || !"chat".equals(op.asText())) {
                        continue;
                    }
                    String name = span.path("name").asText("chat");
                    try {
                        long start = Long.parseLong(span.path("startTimeUnixNano").asText()) / 1000;
                        String parent = span.path("traceId").asText() + "/" + span.path("parentSpanId").asText("");
                        chats.add(new Chat(parent, start, new Trace.Request(line, start, mooncake(attributes, span), request(attributes))));
                    } catch (RuntimeException e) {
                        skipped.add("line " + line + ": span '" + name + "' " + span.path("spanId").asText() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /** An attribute list as a map of its values ({@code stringValue}, {@code intValue}...). */
    private static Map<String, JsonNode> attributes(JsonNode span) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode a : span.path("attributes")) {
            JsonNode v = a.path("value");
            JsonNode value = v.has("stringValue") ? v.get("stringValue") : v.has("intValue") ? v.get("intValue")
                    : v.has("doubleValue") ? v.get("doubleValue") : v.has("boolValue") ? v.get("boolValue") : v;
            out.put(a.path("key").asText(), value);
        }
        return out;
    }

    /** The request from recorded messages, or null when the span has none. */
    private static ChatRequest request(Map<String, JsonNode> attributes) {
        JsonNode recorded = attributes.get("gen_ai.input.messages");
        if (recorded == null) {
            return null;
        }
        JsonNode messages;
        try {
            messages = JSON.readTree(recorded.asText());
        } catch (IOException e) {
            throw new IllegalArgumentException("gen_ai.input.messages is not JSON");
        }
        List<Message> out = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.path("role").asText("user");
            StringBuilder text = new StringBuilder();
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode part : m.path("parts")) {
                switch (part.path("type").asText()) {
                    case "text" -> text.append(part.path("content").asText());
                    case "tool_call" -> calls.add(new ToolCall(part.path("id").asText(), part.path("name").asText(),
                            part.path("arguments").isTextual() ? part.path("arguments").asText() : part.path("arguments").toString()));
                    case "tool_call_response" -> out.add(Message.toolResult(part.path("id").asText(),
                            part.path("response").isTextual() ? part.path("response").asText() : part.path("response").toString(), false));
                    default -> {
                        // another kind of part (an image, a blob): not replayed
                    }
                }
            }
            if (text.length() > 0 || !calls.isEmpty()) {
                out.add(new Message(role.equals("tool") ? "user" : role, text.toString(), List.copyOf(calls), null, false));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("gen_ai.input.messages holds no text");
        }
        JsonNode max = attributes.get("gen_ai.request.max_tokens");
        JsonNode output = attributes.get("gen_ai.usage.output_tokens");
        int cap = max != null ? max.asInt() : output != null ? Math.max(1, output.asInt()) : 1024;
        return new ChatRequest(List.copyOf(out), cap);
    }

    /** The request from its token counts, when the span has no messages. */
    private static Trace.Mooncake mooncake(Map<String, JsonNode> attributes, JsonNode span) {
        if (attributes.containsKey("gen_ai.input.messages")) {
            return null;
        }
        JsonNode input = attributes.get("gen_ai.usage.input_tokens");
        JsonNode output = attributes.get("gen_ai.usage.output_tokens");
        if (input == null || output == null) {
            throw new IllegalArgumentException("no gen_ai.input.messages, and no gen_ai.usage.input_tokens and output_tokens to size one");
        }
        int in = input.asInt();
        int out = Math.max(1, output.asInt());
        long own = span.path("spanId").asText().hashCode() & 0xffffffffL;
        long[] blocks = new long[(in + MooncakePrompt.BLOCK_TOKENS - 1) / MooncakePrompt.BLOCK_TOKENS + 1];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = (own << 8) + i; // blocks of its own: the trace says nothing of shared prefixes
        }
        return new Trace.Mooncake(in, out, blocks, null);
    }
}
