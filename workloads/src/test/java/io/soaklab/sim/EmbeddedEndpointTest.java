package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.text.SyntheticText;
import io.soaklab.internal.text.TokenEstimator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/** The embedded endpoint is a real HTTP server that keeps the latency plan it is configured with. */
class EmbeddedEndpointTest {

    private static final long MS = 1_000_000;

    private static ChatRequest conversation(int systemTokens, int userTokens, int maxTokens) {
        return new ChatRequest(List.of(
                Message.system(SyntheticText.words(new SplittableRandom(1), systemTokens)),
                Message.user(SyntheticText.words(new SplittableRandom(2), userTokens))), maxTokens);
    }

    private static long expectedPromptTokens(int systemTokens, int userTokens) {
        return TokenEstimator.TOKENS_PER_REQUEST + 2L * TokenEstimator.TOKENS_PER_MESSAGE + systemTokens + userTokens;
    }

    @Test
    void streamsAReplyWithTrueUsageOnTheConfiguredSchedule() {
        SimConfig sim = SimConfig.builder().seed(7).baseLatency(Duration.ofMillis(100)).prefillTokensPerSecond(10_000)
                .decodeTokensPerSecond(100).outputTokensMedian(40).outputTokensSigma(0).jitter(0).build();
        Recorder itl = new Recorder(3);
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).model("m").build(), itl)) {
            client.send(conversation(10, 10, 100), System.nanoTime()).join(); // connect and warm up
            itl.reset();
            CallResult r = client.send(conversation(1500, 489, 100), System.nanoTime()).join();
            assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
            long prompt = expectedPromptTokens(1500, 489);
            assertEquals(2000, prompt);
            assertEquals(prompt, r.usage().promptTokens());
            assertEquals(40, r.usage().completionTokens());
            assertEquals(40, r.contentChunks());
            assertEquals(40, TokenEstimator.count(r.content()), "the reply is 40 real tokens");
            assertEquals("stop", r.finishReason());
            // planned: headers at 100 ms, first token at 100 + 2000/10000 s = 300 ms, then every 10 ms
            long ttft = r.ttftSentNanos();
            assertTrue(ttft >= 300 * MS && ttft < 400 * MS, "TTFT " + ttft / 1e6 + " ms, planned 300 ms");
            long headers = r.headersNanos() - r.lagNanos();
            assertTrue(headers >= 100 * MS && headers < 160 * MS, "headers after " + headers / 1e6 + " ms, planned 100 ms");
            Histogram gaps = itl.getIntervalHistogram();
            assertEquals(39, gaps.getTotalCount());
            double medianMs = gaps.getValueAtPercentile(50) / 1000.0;
            assertTrue(medianMs >= 9.5 && medianMs < 13, "median ITL " + medianMs + " ms, planned 10 ms");
            // the last token cannot arrive before it was written, 300 ms + 39 gaps of 10 ms after the request was sent; a busy
            // machine may see the first token late, so the client's decode time alone can be shorter than the endpoint's
            long fromSend = r.e2eNanos() - r.lagNanos();
            assertTrue(fromSend >= 690 * MS, "the whole reply took " + fromSend / 1e6 + " ms from the send, planned 690 ms");
            long decode = r.e2eNanos() - r.firstTokenNanos();
            assertTrue(decode < 500 * MS, "39 gaps of 10 ms took " + decode / 1e6 + " ms");
        }
    }

    @Test
    void theSameRequestGetsTheSameReplyAndAnotherSeedAnother() {
        ChatRequest request = conversation(50, 20, 200);
        SimConfig sim = SimConfig.builder().seed(11).baseLatency(Duration.ZERO).decodeTokensPerSecond(5000).build();
        String first;
        String again;
        String otherSeed;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), new Recorder(3))) {
            first = client.send(request, System.nanoTime()).join().content();
            again = client.send(request, System.nanoTime()).join().content();
        }
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim.withSeed(12));
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), new Recorder(3))) {
            otherSeed = client.send(request, System.nanoTime()).join().content();
        }
        assertTrue(first.length() > 0);
        assertEquals(first, again);
        assertNotEquals(first, otherSeed);
    }

    @Test
    void theOutputCapEndsTheReplyWithLength() {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(5000).outputTokensMedian(500)
                .outputTokensSigma(0).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), new Recorder(3))) {
            CallResult r = client.send(conversation(5, 5, 25), System.nanoTime()).join();
            assertEquals(25, r.usage().completionTokens());
            assertEquals("length", r.finishReason());
        }
    }

    @Test
    void servesHundredsOfConcurrentStreamsWithoutAThreadEach() {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(200)).decodeTokensPerSecond(100)
                .outputTokensMedian(30).outputTokensSigma(0).jitter(0).ioThreads(2).maxBatch(1000).build();
        int streams = 600;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).build(), new Recorder(3))) {
            int threadsBefore = Thread.activeCount();
            List<CompletableFuture<CallResult>> calls = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < streams; i++) {
                calls.add(client.send(conversation(20, i % 50 + 1, 100), System.nanoTime()));
            }
            double sendingSeconds = (System.nanoTime() - started) / 1e9;
            long ok = calls.stream().map(CompletableFuture::join).filter(CallResult::ok)
                    .filter(r -> r.contentChunks() == 30 && r.usage().completionTokens() == 30).count();
            assertEquals(streams, ok);
            assertEquals(streams, endpoint.completedStreams());
            assertEquals(30L * streams, endpoint.tokensSent());
            // a stream lasts 0.5 s (0.2 s to its first token, 30 tokens at 100/s): the streams sent within any 0.5 s overlap,
            // and on a busy machine sending 600 may itself take longer than that
            double overlapping = streams * Math.min(1, 0.5 / sendingSeconds);
            assertTrue(endpoint.peakActiveStreams() >= overlapping / 2, "peak " + endpoint.peakActiveStreams() + " with " + streams
                    + " sent in " + sendingSeconds + " s");
            assertTrue(Thread.activeCount() - threadsBefore < 20, "threads grew by " + (Thread.activeCount() - threadsBefore));
        }
    }

    @Test
    void answersLikeTheOpenAiApiOutsideTheHappyPath() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(SimConfig.builder().apiKey("sk-local").build())) {
            URI base = endpoint.baseUrl();
            HttpResponse<String> models = http.send(get(base + "/models", "sk-local"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode());
            assertTrue(models.body().contains("\"id\":\"soaklab-sim\""), models.body());

            HttpResponse<String> noKey = http.send(get(base + "/models", null), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noKey.statusCode());
            assertTrue(noKey.body().contains("\"code\":\"invalid_api_key\""), noKey.body());

            HttpResponse<String> unknown = http.send(get(base + "/nothing", "sk-local"), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unknown.statusCode());

            HttpResponse<String> badJson = http.send(post(base + "/chat/completions", "{\"messages\": [", "sk-local"), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, badJson.statusCode());
            assertTrue(badJson.body().startsWith("{\"error\":{\"message\":\"We could not parse the JSON body"), badJson.body());

            HttpResponse<String> noMessages = http.send(post(base + "/chat/completions", "{\"model\":\"x\"}", "sk-local"), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, noMessages.statusCode());
            assertTrue(noMessages.body().contains("Missing required parameter: 'messages'."), noMessages.body());

            HttpResponse<String> getChat = http.send(get(base + "/chat/completions", "sk-local"), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, getChat.statusCode());

            HttpResponse<String> whole = http.send(post(base + "/chat/completions",
                    "{\"model\":\"x\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\" the data\"}]}]}",
                    "sk-local"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, whole.statusCode());
            assertTrue(whole.body().contains("\"object\":\"chat.completion\""), whole.body());
            assertTrue(whole.body().contains("\"prompt_tokens\":9,"), "3 + 4 + 2 tokens: " + whole.body());
        }
    }

    @Test
    void aClientThatLeavesStopsItsStream() throws Exception {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(20).outputTokensMedian(200)
                .outputTokensSigma(0).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim)) {
            ModelClient client = ModelClient.openAi(ClientConfig.builder(endpoint.baseUrl()).totalTimeout(Duration.ofMillis(300)).build(), new Recorder(3));
            CallResult r = client.send(conversation(5, 5, 500), System.nanoTime()).join();
            client.close();
            assertEquals(ErrorClass.TIMEOUT_TOTAL, r.error());
            long deadline = System.nanoTime() + 3_000 * MS;
            while (endpoint.abandonedStreams() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, endpoint.abandonedStreams());
            assertEquals(0, endpoint.activeStreams());
        }
    }

    @Test
    void refusesAPortInUseWithOneClearLine() {
        try (EmbeddedEndpoint first = EmbeddedEndpoint.start(SimConfig.defaults())) {
            try (EmbeddedEndpoint second = EmbeddedEndpoint.start(SimConfig.defaults().withPort(first.port()))) {
                throw new AssertionError("bound twice to " + second.port());
            } catch (java.io.UncheckedIOException e) {
                assertEquals("cannot listen on 127.0.0.1:" + first.port() + ": address in use or not available", e.getCause().getMessage());
            }
        }
    }

    private static HttpRequest get(String url, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b.build();
    }

    private static HttpRequest post(String url, String body, String key) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @SuppressWarnings("unused")
    private static String join(byte[] b) throws IOException {
        return Arrays.toString(b);
    }
}
