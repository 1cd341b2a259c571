package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.text.SyntheticText;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/** vLLM's {@code ignore_eos} and {@code min_tokens}: a reply runs to its cap, or at least to its minimum, as asked. */
class ExactOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Replies of 20 tokens when nothing is asked; a 4096-token model maximum. */
    private static SimConfig short20() {
        return SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(100_000).outputTokensMedian(20).outputTokensSigma(0)
                .jitter(0).build();
    }

    private static JsonNode usage(EmbeddedEndpoint endpoint, String extra) throws Exception {
        HttpResponse<String> r = Http.post(endpoint.baseUrl(), "/chat/completions",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"say something\"}],\"max_tokens\":300" + extra + "}",
                "Authorization", "Bearer " + endpoint.config().apiKey(), "content-type", "application/json");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void ignoreEosRunsTheReplyToItsCapAndMinTokensHoldsItAtLeastThatLong() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(short20())) {
            JsonNode plain = usage(endpoint, "");
            assertEquals(20, plain.at("/usage/completion_tokens").asInt(), "the profile's length when nothing is asked");
            assertEquals("stop", plain.at("/choices/0/finish_reason").asText());

            JsonNode toCap = usage(endpoint, ",\"ignore_eos\":true");
            assertEquals(300, toCap.at("/usage/completion_tokens").asInt(), "no end of sequence: on to max_tokens");
            assertEquals("length", toCap.at("/choices/0/finish_reason").asText());

            JsonNode atLeast = usage(endpoint, ",\"min_tokens\":120");
            assertEquals(120, atLeast.at("/usage/completion_tokens").asInt(), "no end before min_tokens; the reply would have ended at 20");
            assertEquals("stop", atLeast.at("/choices/0/finish_reason").asText());

            JsonNode both = usage(endpoint, ",\"min_tokens\":300,\"ignore_eos\":true");
            assertEquals(300, both.at("/usage/completion_tokens").asInt());
        }
    }

    @Test
    void aBadMinTokensIsRefusedAsABadRequest() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(short20())) {
            HttpResponse<String> r = Http.post(endpoint.baseUrl(), "/chat/completions",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"min_tokens\":-1}",
                    "Authorization", "Bearer " + endpoint.config().apiKey(), "content-type", "application/json");
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("min_tokens", JSON.readTree(r.body()).at("/error/param").asText());
        }
    }

    @Test
    void theOpenAiClientAsksForAnExactLengthAndGetsIt() {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(short20());
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            ChatRequest exact = new ChatRequest(List.of(Message.user(SyntheticText.words(new SplittableRandom(4), 50))), 777, List.of(),
                    ChatRequest.ToolChoice.AUTO, false, ChatRequest.CacheTtl.FIVE_MINUTES, ChatRequest.Reasoning.NONE, true);
            CallResult r = client.send(exact, System.nanoTime()).join();
            assertEquals(true, r.ok(), r.errorDetail());
            assertEquals(777, r.usage().completionTokens());
            assertEquals(3 + 4 + 50, r.usage().promptTokens());
        }
    }
}
