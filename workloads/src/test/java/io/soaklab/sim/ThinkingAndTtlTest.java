package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the endpoint does with what the billing rules price: extended thinking within its budget, the API's refusals of a bad
 * budget or cache lifetime, and OpenAI's {@code reasoning_effort}.
 */
class ThinkingAndTtlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SimConfig.Builder quick() {
        return SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(100_000).outputTokensMedian(8).outputTokensSigma(0);
    }

    private static String thinking(int maxTokens, String thinking) {
        return "{\"model\":\"c\",\"max_tokens\":" + maxTokens + ",\"thinking\":" + thinking
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"think\"}]}";
    }

    /** Thinking tokens of a whole (non-streamed) reply: one synthetic word is one token. */
    private static int thinkingTokens(JsonNode reply) {
        for (JsonNode block : reply.get("content")) {
            if (block.get("type").asText().equals("thinking")) {
                return block.get("thinking").asText().strip().split(" +").length;
            }
        }
        return 0;
    }

    @Test
    void thinkingNeverRunsPastItsBudgetAndIsCountedInsideOutputTokens() throws Exception {
        // a profile that would think about 5,000 tokens, held to a budget of 1,024
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().reasoningTokensMedian(5000, false).build())) {
            HttpResponse<String> r = Http.anthropic(endpoint.baseUrl(), thinking(4000, "{\"type\":\"enabled\",\"budget_tokens\":1024}"));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode reply = JSON.readTree(r.body());
            assertEquals(1024, thinkingTokens(reply), "thinking stops at its budget");
            assertEquals(1024 + 8, reply.get("usage").get("output_tokens").asLong(), "thinking is inside output_tokens, as the API counts it");
        }
    }

    @Test
    void aRequestThatEnablesThinkingThinksEvenOnAProfileWithoutReasoning() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().build())) {
            JsonNode reply = JSON.readTree(Http.anthropic(endpoint.baseUrl(), thinking(4000, "{\"type\":\"enabled\",\"budget_tokens\":2000}")).body());
            int thought = thinkingTokens(reply);
            // around a quarter of the budget (500), log-normal with sigma 0.5, never past the budget
            assertTrue(thought >= 1 && thought <= 2000, "thinking tokens: " + thought);
            assertEquals(thought + 8, reply.get("usage").get("output_tokens").asLong());
            JsonNode disabled = JSON.readTree(Http.anthropic(endpoint.baseUrl(), thinking(4000, "{\"type\":\"disabled\"}")).body());
            assertEquals(0, thinkingTokens(disabled));
            assertEquals(8, disabled.get("usage").get("output_tokens").asLong());
        }
    }

    @Test
    void aBudgetTheApiRefusesIsA400InItsWords() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().build())) {
            assertRefused(Http.anthropic(endpoint.baseUrl(), thinking(4000, "{\"type\":\"enabled\",\"budget_tokens\":1023}")),
                    "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
            assertRefused(Http.anthropic(endpoint.baseUrl(), thinking(1024, "{\"type\":\"enabled\",\"budget_tokens\":1024}")),
                    "`max_tokens` must be greater than `thinking.budget_tokens`");
            assertRefused(Http.anthropic(endpoint.baseUrl(), thinking(4000, "{\"type\":\"enabled\"}")),
                    "thinking.enabled.budget_tokens: Field required");
            assertEquals(200, Http.anthropic(endpoint.baseUrl(), thinking(1025, "{\"type\":\"enabled\",\"budget_tokens\":1024}")).statusCode());
            String tools = "{\"model\":\"c\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
                    + "\"tools\":[{\"name\":\"grep\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"%s\"},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"think\"}]}";
            assertRefused(Http.anthropic(endpoint.baseUrl(), String.format(tools, "any")), "Thinking may not be enabled when tool_choice forces tool use.");
            assertEquals(200, Http.anthropic(endpoint.baseUrl(), String.format(tools, "auto")).statusCode());
        }
    }

    @Test
    void anUnknownLifetimeAndAnHourLongBreakpointAfterAFiveMinuteOneAreRefused() throws Exception {
        String system = "{\"model\":\"c\",\"max_tokens\":5,\"system\":[{\"type\":\"text\",\"text\":\"rules\",\"cache_control\":%s}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\",\"cache_control\":%s}]}]}";
        String fiveMinutes = "{\"type\":\"ephemeral\"}";
        String anHour = "{\"type\":\"ephemeral\",\"ttl\":\"1h\"}";
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().build())) {
            assertRefused(Http.anthropic(endpoint.baseUrl(), String.format(system, "{\"type\":\"ephemeral\",\"ttl\":\"30m\"}", fiveMinutes)),
                    "cache_control.ttl: Input should be '5m' or '1h', was '30m'");
            assertRefused(Http.anthropic(endpoint.baseUrl(), String.format(system, fiveMinutes, anHour)),
                    "a cache_control block with ttl='1h' cannot come after one with ttl='5m' (tools, then system, then messages):"
                            + " longer lifetimes must come first");
            assertEquals(200, Http.anthropic(endpoint.baseUrl(), String.format(system, anHour, fiveMinutes)).statusCode(), "1h, then 5m");
            assertEquals(200, Http.anthropic(endpoint.baseUrl(), String.format(system, anHour, "{\"type\":\"ephemeral\",\"ttl\":\"5m\"}"))
                    .statusCode(), "5m written out");
        }
    }

    @Test
    void openAiTakesTheReasoningEffortsItKnowsAndReasonsAsItsProfileSays() throws Exception {
        String body = "{\"model\":\"m\",\"max_completion_tokens\":100,\"reasoning_effort\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(quick().reasoningTokensMedian(30, false).build())) {
            long[] reasoning = new long[2];
            int i = 0;
            for (String effort : new String[] {"\"low\"", "\"high\""}) {
                HttpResponse<String> r = Http.post(endpoint.baseUrl(), "/chat/completions", String.format(body, effort), "content-type", "application/json");
                assertEquals(200, r.statusCode(), r.body());
                reasoning[i++] = JSON.readTree(r.body()).get("usage").get("completion_tokens_details").get("reasoning_tokens").asLong();
            }
            assertTrue(reasoning[0] > 0, "the profile reasons");
            assertEquals(reasoning[0], reasoning[1], "the same request reasons as long at any effort: effort is not modelled");
            HttpResponse<String> bad = Http.post(endpoint.baseUrl(), "/chat/completions", String.format(body, "\"extreme\""),
                    "content-type", "application/json");
            assertEquals(400, bad.statusCode());
            JsonNode error = JSON.readTree(bad.body()).get("error");
            assertEquals("Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'.",
                    error.get("message").asText());
            assertEquals("reasoning_effort", error.get("param").asText());
        }
    }

    private static void assertRefused(HttpResponse<String> r, String message) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertEquals("invalid_request_error", error.get("type").asText());
        assertEquals(message, error.get("message").asText());
    }
}
