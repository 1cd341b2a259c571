package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint's own account of every request, and the client's measurements checked against it. */
class TruthLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Map<String, JsonNode> read(Path file) throws Exception {
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            byId.put(n.get("id").asText(), n);
        }
        return byId;
    }

    @Test
    void theClientMeasuresWhatTheEndpointDidWithinAFewMilliseconds() throws Exception {
        Path truthFile = dir.resolve(io.soaklab.internal.layout.RunFile.SIM_TRUTH.fileName());
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(50)).prefillTokensPerSecond(20_000)
                .decodeTokensPerSecond(50).outputTokensMedian(40).outputTokensSigma(0.3).build();
        List<CallResult> results = new ArrayList<>();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim, truthFile);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            for (int round = 0; round < 2; round++) { // the first round opens the 100 connections and warms both sides
                List<CompletableFuture<CallResult>> calls = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    calls.add(client.send(Http.conversation(500, 1 + i + 100 * round, 200), System.nanoTime()));
                }
                results.clear();
                calls.forEach(c -> results.add(c.join()));
            }
        }
        Map<String, JsonNode> truth = read(truthFile);
        assertEquals(200, truth.size());
        List<Double> errors = new ArrayList<>();
        double endpointLate = 0; // how late the busy machine made the endpoint's own first tokens: the client shares its cores
        for (CallResult r : results) {
            assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
            JsonNode t = truth.get(r.requestId());
            assertEquals("complete", t.get("outcome").asText());
            assertEquals(r.usage().promptTokens(), t.get("prompt_tokens").asLong());
            assertEquals(r.usage().completionTokens(), t.get("output_tokens").asLong());
            assertEquals(r.contentChunks(), t.get("output_tokens").asLong());
            // measured from the request's send; true from its arrival at the endpoint
            errors.add(r.ttftSentNanos() / 1e6 - t.get("first_token_us").asLong() / 1e3);
            assertTrue(t.get("first_token_us").asLong() >= t.get("first_token_planned_us").asLong(), "nothing is early");
            endpointLate = Math.max(endpointLate, (t.get("first_token_us").asLong() - t.get("first_token_planned_us").asLong()) / 1e3);
        }
        Collections.sort(errors);
        double median = errors.get(50);
        double p99 = errors.get(98);
        // 100 replies whose first tokens fall due together, client and endpoint sharing two cores, in CI perhaps
        // with other builds: the worst case. The bounds catch a measurement taken from the wrong point (an error of
        // hundreds of ms), not jitter; the figures on an idle machine are in the README (0.55 ms / 3.0 ms at 100
        // sessions), and 11.7 ms was seen here with both cores kept busy by other processes.
        assertTrue(median >= 0 && median < 25, "median of measured - true TTFT: " + median + " ms");
        assertTrue(p99 < 50 + 2 * endpointLate, "99th percentile: " + p99 + " ms, the endpoint's own first tokens up to " + endpointLate + " ms late");
    }

    @Test
    void rejectionsAndInjectedFaultsAreInTheTruthToo() throws Exception {
        Path truthFile = dir.resolve(io.soaklab.internal.layout.RunFile.SIM_TRUTH.fileName());
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(2000).outputTokensMedian(5)
                .limits(new SimConfig.Limits(2, 0, 0, 0)).faults(FaultTest.only("reset")).build();
        String unknownPathId;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim, truthFile);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            for (int i = 0; i < 3; i++) {
                client.send(Http.conversation(5, 1 + i, 20), System.nanoTime()).join();
            }
            var unknown = Http.post(endpoint.baseUrl(), "/embeddings", "{}", "content-type", "application/json");
            assertEquals(404, unknown.statusCode());
            unknownPathId = unknown.headers().firstValue("x-request-id").orElseThrow();
            assertTrue(unknown.headers().firstValue("x-ratelimit-remaining-requests").isPresent(), "every answer says the limits");
        }
        Map<String, JsonNode> truth = read(truthFile);
        List<String> outcomes = truth.values().stream().map(n -> n.get("outcome").asText() + "/" + n.get("fault").asText()
                + "/" + n.get("status").asInt()).sorted().toList();
        // a rejected request is refused before anything is drawn for it
        assertEquals(List.of("not_found/none/404", "rate_limited/none/429", "reset/reset/200", "reset/reset/200"), outcomes);
        assertEquals(404, truth.get(unknownPathId).get("status").asInt(), "a refusal's request id is the one in the log");
    }

    @Test
    void closingTheEndpointEndsAndLogsTheRepliesStillPlaying() throws Exception {
        Path truthFile = dir.resolve(io.soaklab.internal.layout.RunFile.SIM_TRUTH.fileName());
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(20).outputTokensMedian(200)
                .outputTokensSigma(0).build();
        EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim, truthFile);
        try (ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            CompletableFuture<CallResult> call = client.send(Http.conversation(5, 5, 500), System.nanoTime());
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (endpoint.activeStreams() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            endpoint.close();
            CallResult r = call.join();
            assertEquals(ErrorClass.STREAM_RESET, r.error(), "the client sees its stream cut: " + r.errorDetail());
        }
        List<String> outcomes = read(truthFile).values().stream().map(n -> n.get("outcome").asText()).toList();
        assertEquals(List.of("endpoint_closed"), outcomes);
    }
}
