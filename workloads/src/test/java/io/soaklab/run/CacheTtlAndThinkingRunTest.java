package io.soaklab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Rates;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.record.WindowSummary;
import io.soaklab.protocol.Api;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scenario asking for a one-hour cache and extended thinking, run end to end on the embedded Anthropic endpoint: what the
 * requests carry, what the endpoint bills, and what the run records it cost, against the catalog's prices by hand.
 */
class CacheTtlAndThinkingRunTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    @TempDir
    Path dir;

    @Test
    void anHourLongSystemCacheAndThinkingAreSentBilledAndPricedToTheLastDigit() throws Exception {
        Path scenario = dir.resolve("thinking-chat.yaml");
        Files.writeString(scenario, """
                name: thinking-chat
                description: two turns with the system prompt cached for an hour and extended thinking
                kind: chat
                system_prompt_tokens: 1500
                max_tokens: 2048
                prompt_caching: true
                cache_ttl: 1h
                thinking_budget: 1024
                chat: {turns: 2, user_tokens: 30}
                """);
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(1)).decodeTokensPerSecond(50_000).outputTokensMedian(20)
                .outputTokensSigma(0).jitter(0).build();
        RunConfig config = RunConfig.builder().scenario(scenario.toString()).api(Api.ANTHROPIC).concurrency(1)
                .window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(1)).sim(sim).build();
        assertEquals(RunConfig.EMBEDDED_ANTHROPIC_PRICE_AS, config.pricedAs());
        assertEquals("claude-haiku-4-5", config.pricedAs());

        Path run = dir.resolve("run");
        Path truth = dir.resolve("sim-truth.jsonl");
        int episodes = 3;
        WindowSummary window;
        List<String> bodies;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(config.target().sim(), truth);
             RecordingProxy proxy = new RecordingProxy(endpoint.baseUrl())) {
            Soak.prepare(run, config, new RunManifest.Endpoint(proxy.baseUrl(), true));
            try (Soak soak = Soak.open(run, false)) {
                soak.beginWindow(false);
                for (int e = 0; e < episodes; e++) {
                    assertTrue(soak.runner().run(0, e, System.nanoTime()).ok());
                }
                window = soak.endWindow();
            }
            bodies = List.copyOf(proxy.bodies);
        }
        assertEquals(RunStatus.COMPLETE, RunManifest.read(run).status());

        // 1. What the requests carry: the system breakpoint for an hour, the last turn's for five minutes, thinking with its budget
        assertEquals(episodes * 2, bodies.size(), "two turns an episode");
        for (String text : bodies) {
            JsonNode body = JSON.readTree(text);
            assertEquals(2048, body.get("max_tokens").asInt());
            assertEquals(JSON.readTree("{\"type\":\"enabled\",\"budget_tokens\":1024}"), body.get("thinking"), text);
            assertEquals(JSON.readTree("{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"), body.get("system").get(0).get("cache_control"), text);
            JsonNode lastTurn = body.get("messages").get(body.get("messages").size() - 1).get("content");
            assertEquals(JSON.readTree("{\"type\":\"ephemeral\"}"), lastTurn.get(lastTurn.size() - 1).get("cache_control"), text);
            assertTrue(text.contains("\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"), text);
        }

        // 2. What was billed, call by call, and what the endpoint says it billed
        List<JsonNode> calls = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(RunFile.CALLS.fileName()))) {
            calls.add(JSON.readTree(line));
        }
        Map<String, JsonNode> truthById = new HashMap<>();
        for (String line : Files.readAllLines(truth)) {
            JsonNode t = JSON.readTree(line);
            truthById.put(t.get("id").asText(), t);
        }
        assertEquals(episodes * 2, calls.size());
        assertEquals(calls.size(), truthById.size());
        JsonNode first = calls.get(0);
        long system = first.get("cache_write_1h_tokens").asLong(); // the system prompt, to its breakpoint
        assertTrue(system > 1500 && system < first.get("prompt_tokens").asLong(), first.toString());
        assertEquals(0, first.get("cached_tokens").asLong());
        assertEquals(first.get("prompt_tokens").asLong(), first.get("cache_write_tokens").asLong(),
                "the first call writes everything up to its last breakpoint: " + first);
        long thinking = 0;
        for (JsonNode c : calls) {
            assertEquals("ok", c.get("error").asText(), c.toString());
            assertEquals("server", c.get("usage").asText());
            JsonNode t = truthById.get(c.get("request_id").asText());
            long written = c.get("cache_write_tokens").asLong();
            long hour = c.has("cache_write_1h_tokens") ? c.get("cache_write_1h_tokens").asLong() : 0;
            assertEquals(t.get("cache_write_tokens").asLong(), written, t.toString());
            assertEquals(t.get("cache_write_1h_tokens").asLong(), hour, t.toString());
            assertEquals(t.get("cached_tokens").asLong(), c.get("cached_tokens").asLong());
            assertEquals(t.get("output_tokens").asLong(), c.get("completion_tokens").asLong(), "thinking is inside output_tokens");
            long thought = t.get("reasoning_tokens").asLong();
            assertTrue(thought > 0 && thought <= 1024, "thinking within its budget: " + t);
            assertEquals(0, c.get("reasoning_tokens").asLong(), "Anthropic reports no separate count of thinking tokens");
            assertEquals(20 + thought, c.get("completion_tokens").asLong(), "20 visible tokens after the thinking: " + c);
            thinking += thought;
            if (c != first) {
                assertEquals(0, hour, "the system prompt stays cached for an hour: nothing more is written for an hour: " + c);
                assertTrue(c.get("cached_tokens").asLong() >= system, "the system prompt at least is read: " + c);
            }
        }
        JsonNode secondEpisode = calls.get(2);
        assertEquals(1, secondEpisode.get("episode").asLong());
        assertEquals(system, secondEpisode.get("cached_tokens").asLong(), "a new episode reads back the hour-long system prompt");
        assertEquals(calls.get(0).get("prompt_tokens").asLong(), calls.get(1).get("cached_tokens").asLong(),
                "the second turn reads the whole first turn, written for five minutes at its last breakpoint");

        // 3. The prices: Anthropic's rules, as the catalog writes them for the model the run is priced as
        Rates rates = PriceCatalog.builtIn().tariff("claude-haiku-4-5", io.soaklab.internal.cost.Billing.STANDARD).rates();
        BigDecimal input = new BigDecimal("1.00");
        assertEquals(0, input.compareTo(rates.input()));
        assertEquals(0, new BigDecimal("0.10").compareTo(rates.cachedInput()));
        assertEquals(0, input.multiply(new BigDecimal("1.25")).compareTo(rates.cacheWrite5m()), "five-minute writes at 1.25x input");
        assertEquals(0, input.multiply(new BigDecimal("2")).compareTo(rates.cacheWrite1h()), "one-hour writes at 2x input");
        assertEquals(0, new BigDecimal("5.00").compareTo(rates.output()));
        assertEquals(0, rates.output().compareTo(rates.reasoning()), "thinking at the output price");

        // 4. The run's cost by hand: per call, fresh x 1.00 + read x 0.10 + 5m writes x 1.25 + 1h writes x 2.00 + output x 5.00
        BigDecimal byHand = BigDecimal.ZERO;
        BigDecimal recorded = BigDecimal.ZERO;
        for (JsonNode c : calls) {
            long prompt = c.get("prompt_tokens").asLong();
            long read = c.get("cached_tokens").asLong();
            long written = c.get("cache_write_tokens").asLong();
            long hour = c.has("cache_write_1h_tokens") ? c.get("cache_write_1h_tokens").asLong() : 0;
            BigDecimal cost = BigDecimal.valueOf(prompt - read - written).multiply(new BigDecimal("1.00"))
                    .add(BigDecimal.valueOf(read).multiply(new BigDecimal("0.10")))
                    .add(BigDecimal.valueOf(written - hour).multiply(new BigDecimal("1.25")))
                    .add(BigDecimal.valueOf(hour).multiply(new BigDecimal("2.00")))
                    .add(BigDecimal.valueOf(c.get("completion_tokens").asLong()).multiply(new BigDecimal("5.00")))
                    .divide(MILLION);
            assertEquals(0, cost.compareTo(c.get("cost_usd").decimalValue()), "call " + c + " by hand: " + cost.toPlainString());
            byHand = byHand.add(cost);
            recorded = recorded.add(c.get("cost_usd").decimalValue());
        }
        assertEquals(0, byHand.compareTo(recorded));
        assertEquals(0, byHand.compareTo(window.runSpend()), "the run's spend: " + window.runSpend().toPlainString());
        assertEquals(0, byHand.compareTo(window.spend()));
        // The figures, for the record (the texts are seeded, thinking is drawn from each request's hash): the first call writes
        // the system prompt's 1,527 tokens for an hour ($0.003054) and the first message's 34 for five minutes ($0.0000425) and
        // says 274 tokens, 254 of them thinking ($0.00137); a second turn reads 1,561 tokens ($0.0001561) and writes 58 for five
        // minutes; a new episode reads the hour-long 1,527. Six calls, 2,218 tokens of thinking: $0.0158627
        assertEquals(0, new BigDecimal("0.0044665").compareTo(calls.get(0).get("cost_usd").decimalValue()), calls.get(0).toString());
        assertEquals(2218, thinking);
        assertEquals("0.0158627", byHand.stripTrailingZeros().toPlainString());
    }

    /** Hands every request on to the endpoint as it came, keeping its body, and streams the reply back as it comes. */
    private static final class RecordingProxy implements AutoCloseable {
        final List<String> bodies = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        RecordingProxy(URI upstream) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(threads);
            server.createContext("/v1/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                bodies.add(new String(body, StandardCharsets.UTF_8));
                HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI().getPath().substring(3)))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                for (String h : List.of("anthropic-version", "x-api-key", "content-type", "accept")) {
                    String value = exchange.getRequestHeaders().getFirst(h);
                    if (value != null) {
                        forward.header(h, value);
                    }
                }
                try {
                    HttpResponse<InputStream> r = client.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
                    r.headers().firstValue("content-type").ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
                    r.headers().firstValue("request-id").ifPresent(v -> exchange.getResponseHeaders().add("request-id", v));
                    exchange.sendResponseHeaders(r.statusCode(), 0);
                    try (InputStream in = r.body(); OutputStream out = exchange.getResponseBody()) {
                        byte[] buffer = new byte[8192];
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exchange.close();
                }
            });
            server.start();
        }

        URI baseUrl() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
