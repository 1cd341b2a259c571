package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} publishes what the endpoint did in vLLM's metric names, and its numbers agree with what the
 * replies reported in their usage and with the endpoint's truth log.
 */
class SimMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration AWAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void countsEveryReplysTokensReasonAndTimesAsItsUsageAndTheTruthLogSayThem() throws Exception {
        Path truthFile = dir.resolve(EmbeddedEndpoint.TRUTH_FILE);
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(400).outputTokensMedian(30)
                .outputTokensSigma(0.3).build();
        int stops = 12;
        int lengths = 4;
        int n = stops + lengths;
        List<CallResult> results = new ArrayList<>();
        String exposition;
        long requestsBefore;
        long requestsAfter;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim, truthFile);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            // a 1,200-token system prompt, which the default caching keeps from the first reply on; 3 tokens cap the last few
            results.add(client.send(Http.conversation(1200, 1, 500), System.nanoTime()).join());
            List<CompletableFuture<CallResult>> calls = new ArrayList<>();
            for (int i = 1; i < n; i++) {
                calls.add(client.send(Http.conversation(1200, 1 + i, i < stops ? 500 : 3), System.nanoTime()));
            }
            calls.forEach(c -> results.add(c.join()));
            requestsBefore = endpoint.requests();
            exposition = scrape(endpoint, null).body();
            requestsAfter = endpoint.requests();
        }
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        long gaps = 0;
        for (CallResult r : results) {
            assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
            prompt += r.usage().promptTokens();
            completion += r.usage().completionTokens();
            cached += r.usage().cachedTokens();
            gaps += r.usage().completionTokens() - 1;
        }
        assertTrue(cached > 0, "the shared system prompt was read from the cache");
        String model = "model_name=\"" + sim.model() + "\"";

        assertEquals(n, sum(exposition, "vllm:request_success_total", s -> true));
        assertEquals(stops, value(exposition, "vllm:request_success_total", model, "finished_reason=\"stop\""));
        assertEquals(lengths, value(exposition, "vllm:request_success_total", model, "finished_reason=\"length\""));
        assertEquals(0, value(exposition, "vllm:request_success_total", model, "finished_reason=\"abort\""));
        assertEquals(prompt, value(exposition, "vllm:prompt_tokens_total", model));
        assertEquals(completion, value(exposition, "vllm:generation_tokens_total", model));
        assertEquals(prompt, value(exposition, "vllm:prefix_cache_queries_total", model));
        assertEquals(cached, value(exposition, "vllm:prefix_cache_hits_total", model));
        assertEquals(0, value(exposition, "vllm:num_preemptions_total", model), "the endpoint never preempts");

        assertEquals(n, value(exposition, "vllm:time_to_first_token_seconds_count", model));
        assertEquals(n, value(exposition, "vllm:e2e_request_latency_seconds_count", model));
        assertEquals(n, value(exposition, "vllm:request_queue_time_seconds_count", model));
        assertEquals(gaps, value(exposition, "vllm:inter_token_latency_seconds_count", model), "one gap between each two tokens");
        assertEquals(n, value(exposition, "vllm:time_to_first_token_seconds_bucket", model, "le=\"+Inf\""));

        // the times the endpoint observed are the ones its truth log wrote (in whole microseconds: up to 1 µs less each)
        double truthTtft = 0;
        double truthE2e = 0;
        double truthQueue = 0;
        List<String> lines = Files.readAllLines(truthFile);
        assertEquals(n, lines.size(), "scrapes are not model requests: not in the truth log");
        for (String line : lines) {
            JsonNode t = JSON.readTree(line);
            truthTtft += t.get("first_token_us").asLong() / 1e6;
            truthE2e += t.get("end_us").asLong() / 1e6;
            truthQueue += t.get("queue_us").asLong() / 1e6;
        }
        assertWithinAMicrosecondEach(truthTtft, value(exposition, "vllm:time_to_first_token_seconds_sum", model), n, "TTFT");
        assertWithinAMicrosecondEach(truthE2e, value(exposition, "vllm:e2e_request_latency_seconds_sum", model), n, "e2e");
        assertWithinAMicrosecondEach(truthQueue, value(exposition, "vllm:request_queue_time_seconds_sum", model), n, "queue time");

        assertEquals(0, value(exposition, "vllm:num_requests_running", model), "every reply has ended");
        assertEquals(0, value(exposition, "vllm:num_requests_waiting", model));
        assertEquals(0, value(exposition, "vllm:kv_cache_usage_perc", model), "a reply's tokens leave the cache with its slot");
        assertEquals(n, requestsBefore);
        assertEquals(requestsBefore, requestsAfter, "a scrape is not counted as a model request");
    }

    @Test
    void aStreamingReplyRunsAndHoldsKvCacheWhileTheNextWaitsForTheOnlySlot() throws Exception {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(20).outputTokensMedian(200)
                .outputTokensSigma(0).maxBatch(1).contextWindow(2000).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            String model = "model_name=\"" + sim.model() + "\"";
            client.send(Http.conversation(50, 50, 500), System.nanoTime());
            String running = await(endpoint, m -> value(m, "vllm:num_requests_running", model) == 1
                    && value(m, "vllm:generation_tokens_total", model) > 0);
            assertEquals(0, value(running, "vllm:num_requests_waiting", model));
            // the prompt and the tokens generated so far, of the 1 × 2,000 tokens one slot of this context can hold
            double kv = value(running, "vllm:kv_cache_usage_perc", model);
            double prompt = value(running, "vllm:prompt_tokens_total", model) / 2000;
            assertTrue(kv >= prompt && kv > 0 && kv < prompt + 500.0 / 2000, "KV-cache usage " + kv + ": the prompt's " + prompt + " and what followed");

            client.send(Http.conversation(50, 60, 500), System.nanoTime());
            String queued = await(endpoint, m -> value(m, "vllm:num_requests_waiting", model) == 1);
            assertEquals(1, value(queued, "vllm:num_requests_running", model), "one slot, one reply running");
            assertEquals(0, sum(queued, "vllm:request_success_total", s -> true), "neither has finished");
        }
    }

    @Test
    void servesPrometheusTextOrOpenMetricsWithoutAKeyAndEachEndpointItsOwn() throws Exception {
        SimConfig sim = SimConfig.builder().apiKey("sk-local").baseLatency(Duration.ZERO).decodeTokensPerSecond(2000)
                .outputTokensMedian(5).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             EmbeddedEndpoint other = EmbeddedEndpoint.start(sim);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            assertEquals(ErrorClass.OK, client.send(Http.conversation(5, 5, 50), System.nanoTime()).join().error());

            HttpResponse<String> text = scrape(endpoint, null);
            assertEquals(200, text.statusCode(), "no key needed, as vLLM serves it");
            assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("content-type").orElseThrow());
            assertTrue(text.body().contains("# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.\n"));
            assertTrue(text.body().contains("# TYPE vllm:time_to_first_token_seconds histogram\n"));
            assertTrue(text.body().contains("# TYPE vllm:num_requests_running gauge\n"));
            assertTrue(text.body().contains("# TYPE vllm:generation_tokens_total counter\n"));
            assertEquals(1, value(text.body(), "vllm:time_to_first_token_seconds_bucket", "le=\"2560.0\""), "vLLM's bounds");
            assertEquals(1, value(text.body(), "vllm:e2e_request_latency_seconds_bucket", "le=\"7680.0\""));
            assertEquals(value(text.body(), "vllm:inter_token_latency_seconds_count"),
                    value(text.body(), "vllm:inter_token_latency_seconds_bucket", "le=\"80.0\""));

            HttpResponse<String> open = scrape(endpoint, "application/openmetrics-text; version=1.0.0");
            assertTrue(open.headers().firstValue("content-type").orElseThrow().startsWith("application/openmetrics-text"));
            assertTrue(open.body().endsWith("# EOF\n"));
            assertEquals(1, sum(open.body(), "vllm:request_success_total", s -> true));

            assertEquals(0, sum(scrape(other, null).body(), "vllm:request_success_total", s -> true), "another endpoint counts its own");
            assertEquals(1, endpoint.requests(), "scrapes are not model requests");
        }
    }

    private static void assertWithinAMicrosecondEach(double truth, double observed, int replies, String what) {
        assertTrue(observed >= truth - 1e-9 && observed <= truth + replies * 1e-6 + 1e-9,
                what + ": sum " + observed + " s, the truth log's " + truth + " s");
    }

    // ---- a minimal reading of the exposition: the line `name{labels} value` ------------------------------------------

    private static HttpResponse<String> scrape(EmbeddedEndpoint endpoint, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                .timeout(Duration.ofSeconds(30)).GET();
        if (accept != null) {
            b.header("accept", accept);
        }
        HttpResponse<String> response = Http.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response;
    }

    /** Scrapes until the exposition meets {@code condition}; fails after {@link #AWAIT}. */
    private static String await(EmbeddedEndpoint endpoint, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        String last;
        do {
            last = scrape(endpoint, null).body();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(20); // between polls of the condition, not in place of it
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not met within " + AWAIT + ":\n" + last);
    }

    /** The value of the one sample {@code name{...}} whose labels contain every one of {@code labels}. */
    private static double value(String exposition, String name, String... labels) {
        Double found = null;
        for (String line : exposition.split("\n")) {
            if (sample(line, name) && List.of(labels).stream().allMatch(line::contains)) {
                assertEquals(null, found, "one sample of " + name + " with " + List.of(labels));
                found = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertTrue(found != null, "no sample " + name + " with " + List.of(labels) + " in:\n" + exposition);
        return found;
    }

    /** The sum of the samples of {@code name} whose lines pass {@code filter}. */
    private static double sum(String exposition, String name, Predicate<String> filter) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (sample(line, name) && filter.test(line)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static boolean sample(String line, String name) {
        return line.startsWith(name + "{") || line.startsWith(name + " ");
    }
}
