package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import io.soaklab.internal.text.TokenEstimator;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/** The two protocols on the wire: event order, tool calls, thinking, authentication. */
class ProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SimConfig.Builder quick() {
        return SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(2000).outputTokensMedian(8).outputTokensSigma(0);
    }

    /** The {@code data:} payloads of an SSE body, parsed; for Anthropic also checks that {@code event:} names the type. */
    private static List<JsonNode> events(String sse) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String eventName = null;
        for (String line : sse.split("\n")) {
            if (line.startsWith("event: ")) {
                eventName = line.substring(7);
            } else if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                JsonNode data = JSON.readTree(line.substring(6));
                if (eventName != null) {
                    assertEquals(eventName, data.get("type").asText());
                }
                out.add(data);
            }
        }
        return out;
    }

    private static final String TOOLS_OPENAI = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"parameters\":"
            + "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\"}},\"required\":[\"path\"]}}}]";
    private static final String TOOLS_ANTHROPIC = "\"tools\":[{\"name\":\"read_file\",\"description\":\"Read a file\",\"input_schema\":"
            + "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\"}}}}]";

    @Test
    void anthropicStreamsEventsInTheApisOrder() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().build())) {
            HttpResponse<String> r = Http.anthropic(endpoint.baseUrl(),
                    "{\"model\":\"claude-x\",\"max_tokens\":50,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\" the data\"}]}");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("request-id").orElseThrow().startsWith("req_"));
            List<String> types = events(r.body()).stream().map(e -> e.get("type").asText()).toList();
            List<String> expected = new ArrayList<>(List.of("message_start", "ping", "content_block_start"));
            for (int i = 0; i < 8; i++) {
                expected.add("content_block_delta");
            }
            expected.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
            assertEquals(expected, types);
            JsonNode start = events(r.body()).get(0).get("message");
            assertEquals("claude-x", start.get("model").asText());
            assertEquals(9, start.get("usage").get("input_tokens").asInt(), "3 + 4 + 2");
            JsonNode delta = events(r.body()).get(expected.size() - 2);
            assertEquals("end_turn", delta.get("delta").get("stop_reason").asText());
            assertEquals(8, delta.get("usage").get("output_tokens").asInt(), "cumulative");
        }
    }

    @Test
    void aStreamOptionOfAnotherShapeIsSkippedAndTheRestOfTheBodyStillRead() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().build())) {
            HttpResponse<String> r = Http.post(endpoint.baseUrl(), "/chat/completions", "{\"stream\":true,\"stream_options\":{\"include_usage\":{\"a\":[1,2]}},"
                    + "\"model\":\"after-the-option\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            List<JsonNode> chunks = events(r.body());
            assertEquals("after-the-option", chunks.get(0).get("model").asText(), "the field after the odd option was read");
            assertTrue(chunks.stream().noneMatch(c -> c.hasNonNull("usage")), "no usage chunk: include_usage was not true");
        }
    }

    @Test
    void toolCallsStreamAsEachProtocolDoes() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().toolCallProbability(1).build())) {
            HttpResponse<String> openAi = Http.post(endpoint.baseUrl(), "/chat/completions", "{\"model\":\"m\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"read it\"}]," + TOOLS_OPENAI + "}");
            StringBuilder args = new StringBuilder();
            String name = null;
            String finish = null;
            for (JsonNode e : events(openAi.body())) {
                JsonNode choice = e.get("choices").path(0);
                JsonNode call = choice.path("delta").path("tool_calls").path(0);
                if (call.has("id")) {
                    name = call.get("function").get("name").asText();
                }
                if (call.path("function").has("arguments")) {
                    args.append(call.get("function").get("arguments").asText());
                }
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
            }
            assertEquals("read_file", name);
            assertEquals("tool_calls", finish);
            JsonNode parsed = JSON.readTree(args.toString());
            assertTrue(parsed.get("path").isTextual() && parsed.get("line").isInt(), args.toString());

            HttpResponse<String> anthropic = Http.anthropic(endpoint.baseUrl(), "{\"model\":\"c\",\"max_tokens\":100,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"read it\"}]," + TOOLS_ANTHROPIC + "}");
            StringBuilder input = new StringBuilder();
            String blockType = null;
            String stop = null;
            for (JsonNode e : events(anthropic.body())) {
                switch (e.get("type").asText()) {
                    case "content_block_start" -> blockType = e.get("content_block").get("type").asText();
                    case "content_block_delta" -> {
                        assertEquals("input_json_delta", e.get("delta").get("type").asText());
                        input.append(e.get("delta").get("partial_json").asText());
                    }
                    case "message_delta" -> stop = e.get("delta").get("stop_reason").asText();
                    default -> {
                    }
                }
            }
            assertEquals("tool_use", blockType);
            assertEquals("tool_use", stop);
            assertTrue(JSON.readTree(input.toString()).has("path"), input.toString());
        }
    }

    @Test
    void bothClientsAssembleToolCallsAndCountTheirFragmentsAsTokens() throws Exception {
        ToolSpec readFile = new ToolSpec("read_file", "Read a file", "{\"type\":\"object\",\"properties\":"
                + "{\"path\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\"}},\"required\":[\"path\"]}");
        ChatRequest request = new ChatRequest(Http.conversation(5, 5, 200).messages(), 200, List.of(readFile),
                ChatRequest.ToolChoice.REQUIRED, false);
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().build())) {
            for (Api api : Api.values()) {
                try (ModelClient client = Http.client(api, endpoint, new Recorder(3))) {
                    CallResult r = client.send(request, System.nanoTime()).join();
                    assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
                    assertEquals(api == Api.OPENAI ? "tool_calls" : "tool_use", r.finishReason(), api.toString());
                    assertEquals(1, r.toolCalls().size(), api.toString());
                    ToolCall call = r.toolCalls().get(0);
                    assertEquals("read_file", call.name());
                    assertTrue(call.id().startsWith(api == Api.OPENAI ? "call_" : "toolu_"), call.id());
                    JsonNode args = JSON.readTree(call.arguments());
                    assertTrue(args.get("path").isTextual() && args.get("line").isInt(), call.arguments());
                    // one chunk opens the call, each further chunk is a fragment of its arguments: each is a token
                    assertEquals(r.usage().completionTokens(), r.contentChunks(), api.toString());
                    assertTrue(r.contentChunks() > 3, "arguments arrive in fragments: " + r.contentChunks());
                }
            }
        }
    }

    @Test
    void anthropicThinkingStreamsBeforeTheText() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().reasoningTokensMedian(10, false).build())) {
            HttpResponse<String> r = Http.anthropic(endpoint.baseUrl(), "{\"model\":\"c\",\"max_tokens\":2000,\"stream\":true,"
                    + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"messages\":[{\"role\":\"user\",\"content\":\"think\"}]}");
            List<String> blocks = new ArrayList<>();
            List<String> deltas = new ArrayList<>();
            for (JsonNode e : events(r.body())) {
                if (e.get("type").asText().equals("content_block_start")) {
                    blocks.add(e.get("content_block").get("type").asText());
                } else if (e.get("type").asText().equals("content_block_delta")) {
                    deltas.add(e.get("delta").get("type").asText());
                }
            }
            assertEquals(List.of("thinking", "text"), blocks);
            assertEquals("thinking_delta", deltas.get(0));
            assertTrue(deltas.contains("signature_delta"), "a thinking block ends with its signature");
            assertEquals("text_delta", deltas.get(deltas.size() - 1));
        }
    }

    @Test
    void eachProtocolChecksItsOwnAuthentication() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().apiKey("sk-local").build())) {
            String body = "{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            HttpResponse<String> noKey = Http.anthropic(endpoint.baseUrl(), body);
            assertEquals(401, noKey.statusCode());
            assertTrue(noKey.body().contains("\"type\":\"authentication_error\""), noKey.body());
            HttpResponse<String> withKey = Http.post(endpoint.baseUrl(), "/messages", body, "anthropic-version", "2023-06-01",
                    "x-api-key", "sk-local");
            assertEquals(200, withKey.statusCode(), withKey.body());
            HttpResponse<String> noVersion = Http.post(endpoint.baseUrl(), "/messages", body, "x-api-key", "sk-local");
            assertEquals(400, noVersion.statusCode());
            assertTrue(noVersion.body().contains("anthropic-version: header is required"), noVersion.body());
            HttpResponse<String> noMax = Http.post(endpoint.baseUrl(), "/messages", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "anthropic-version", "2023-06-01", "x-api-key", "sk-local");
            assertEquals(400, noMax.statusCode());
            assertTrue(noMax.body().contains("max_tokens: Field required"), noMax.body());
            HttpResponse<String> openAiWithAnthropicKey = Http.post(endpoint.baseUrl(), "/chat/completions", body, "x-api-key", "sk-local");
            assertEquals(401, openAiWithAnthropicKey.statusCode(), "OpenAI wants a bearer token");
        }
    }

    @Test
    void theAnthropicClientRunsAgainstTheEndpointEndToEnd() {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().apiKey("sk-ant-local").decodeTokensPerSecond(200).build());
             ModelClient client = Http.client(Api.ANTHROPIC, endpoint, new Recorder(3))) {
            CallResult r = client.send(Http.conversation(300, 20, 100), System.nanoTime()).join();
            assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
            assertEquals(8, r.contentChunks());
            assertEquals(8, TokenEstimator.count(r.content()));
            assertEquals(3 + 4 + 300 + 4 + 20, r.usage().promptTokens());
            assertEquals(8, r.usage().completionTokens());
            assertEquals("end_turn", r.finishReason());
            assertTrue(r.requestId().startsWith("req_"));
            assertEquals(5.0, r.itlMeanNanos() / 1e6, 2.5, "200 tokens/s");
        }
    }
}
