package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/** Rate limits as the providers apply and announce them. */
class RateLimitTest {

    private static final String OPENAI_BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\" the data\"}]}";

    private static SimConfig limited(SimConfig.Limits limits) {
        return SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(5000).outputTokensMedian(2)
                .outputTokensSigma(0).limits(limits).build();
    }

    @Test
    void overTheRequestLimitComes429WithRetryAfterAndTheLimitHeadersComeOnEveryResponse() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(limited(new SimConfig.Limits(3, 10_000, 0, 0)))) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> ok = Http.post(endpoint.baseUrl(), "/chat/completions", OPENAI_BODY);
                assertEquals(200, ok.statusCode(), ok.body());
                assertEquals("3", ok.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
                assertEquals(Integer.toString(2 - i), ok.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
                assertEquals("10000", ok.headers().firstValue("x-ratelimit-limit-tokens").orElseThrow());
                assertTrue(ok.headers().firstValue("x-ratelimit-reset-requests").orElseThrow().matches("\\d+(\\.\\d+)?m?s|\\d+m[\\d.]+s"),
                        ok.headers().firstValue("x-ratelimit-reset-requests").orElseThrow());
            }
            HttpResponse<String> limited = Http.post(endpoint.baseUrl(), "/chat/completions", OPENAI_BODY);
            assertEquals(429, limited.statusCode());
            long retryMs = Long.parseLong(limited.headers().firstValue("retry-after-ms").orElseThrow());
            long retryS = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
            assertTrue(retryMs > 15_000 && retryMs <= 20_000, "one request refills in 20 s at 3 per minute: " + retryMs);
            assertEquals((retryMs + 999) / 1000, retryS);
            assertEquals("0", limited.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
            assertTrue(limited.body().contains("\"code\":\"rate_limit_exceeded\""), limited.body());
            assertTrue(limited.body().contains("\"type\":\"requests\""), limited.body());
            assertTrue(limited.body().contains("Rate limit reached for m on requests per min"), limited.body());
            assertEquals(1, endpoint.count("rate_limited"));
        }
    }

    @Test
    void theTokenLimitCountsPromptAndOutputCapAndARequestLargerThanItNeverFits() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(limited(new SimConfig.Limits(0, 100, 0, 0)));
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            CallResult ok = client.send(Http.conversation(20, 20, 40), System.nanoTime()).join();  // 51 + 40 = 91 tokens
            assertEquals(ErrorClass.OK, ok.error(), ok.errorDetail());
            CallResult second = client.send(Http.conversation(20, 21, 40), System.nanoTime()).join();
            assertEquals(ErrorClass.HTTP_429, second.error(), "9 tokens left: " + second.errorDetail());
            CallResult huge = client.send(Http.conversation(200, 10, 40), System.nanoTime()).join();
            assertTrue(huge.errorDetail().contains("Request too large"), huge.errorDetail());
            HttpResponse<String> raw = Http.post(endpoint.baseUrl(), "/chat/completions",
                    "{\"model\":\"m\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\" the data\"}]}");
            assertEquals(429, raw.statusCode());
            assertTrue(raw.body().contains("\"type\":\"tokens\""), raw.body());
            assertTrue(raw.headers().firstValue("retry-after").isEmpty() && raw.headers().firstValue("retry-after-ms").isEmpty(),
                    "waiting never helps a request that can never fit, so no retry-after: " + raw.headers().map());
        }
    }

    @Test
    void anthropicSettlesOutputTokensAtTheActualCountSoUnusedCapIsGivenBack() throws Exception {
        // 1000 output tokens a minute; each request asks for up to 600 but gets 2
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(limited(new SimConfig.Limits(0, 0, 0, 1000)))) {
            String body = "{\"model\":\"claude\",\"max_tokens\":600,\"messages\":[{\"role\":\"user\",\"content\":\" the data\"}]}";
            HttpResponse<String> first = Http.anthropic(endpoint.baseUrl(), body);
            assertEquals(200, first.statusCode(), first.body());
            assertEquals("400", first.headers().firstValue("anthropic-ratelimit-output-tokens-remaining").orElseThrow(), "the cap is held");
            HttpResponse<String> second = Http.anthropic(endpoint.baseUrl(), body);
            assertEquals(200, second.statusCode(), "598 unused tokens came back: " + second.body());
            long remaining = Long.parseLong(second.headers().firstValue("anthropic-ratelimit-output-tokens-remaining").orElseThrow());
            assertTrue(remaining >= 398 && remaining <= 402, "1000 - 2 - 600 (+ a little refill): " + remaining);
        }
    }

    @Test
    void anthropicAnnouncesItsBucketsUnderItsOwnNames() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(limited(new SimConfig.Limits(2, 0, 5000, 1000)))) {
            String body = "{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\" the data\"}]}";
            HttpResponse<String> ok = Http.anthropic(endpoint.baseUrl(), body);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("1", ok.headers().firstValue("anthropic-ratelimit-requests-remaining").orElseThrow());
            assertEquals("4991", ok.headers().firstValue("anthropic-ratelimit-input-tokens-remaining").orElseThrow(), "5000 - 9 input tokens (3 + 4 framing + 2)");
            assertEquals("990", ok.headers().firstValue("anthropic-ratelimit-output-tokens-remaining").orElseThrow());
            assertTrue(ok.headers().firstValue("anthropic-ratelimit-requests-reset").orElseThrow().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
            Http.anthropic(endpoint.baseUrl(), body);
            HttpResponse<String> limited = Http.anthropic(endpoint.baseUrl(), body);
            assertEquals(429, limited.statusCode());
            assertTrue(limited.body().startsWith("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\""), limited.body());
            assertTrue(limited.headers().firstValue("retry-after").isPresent());
        }
    }
}
