package io.soaklab.internal.servermetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.soaklab.internal.record.ServerMetricsLine;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scraper against servers on loopback that serve the recorded pages: what it keeps reads back
 * as the page said, a source that fails is written down and said once, the endpoint's own
 * {@code /metrics} tried unasked is dropped in one line, and an address's credentials never reach
 * the file.
 */
class ScraperTest {

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger asked = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A server answering {@code path} with {@code status} and {@code body}; returns its base URI. */
    private URI serve(String path, int status, byte[] body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(path, exchange -> {
            asked.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private List<ServerMetricsLine.Scrape> read() throws Exception {
        List<ServerMetricsLine.Scrape> out = new ArrayList<>();
        ServerMetricsLine.read(dir, s -> out.add(new ServerMetricsLine.Scrape(s.epochMillis(), s.source(), s.server(), Map.copyOf(s.types()),
                Map.copyOf(s.values()), Map.copyOf(s.canonical()), Map.copyOf(s.histograms()), s.error())));
        return out;
    }

    @Test
    void aVllmPageIsKeptAsServedWithItsCanonicalSeriesReadByVllmsNames() throws Exception {
        String page = Pages.text("vllm.prom");
        URI base = serve("/metrics", 200, page.getBytes(StandardCharsets.UTF_8));
        List<String> said = new CopyOnWriteArrayList<>();
        try (Scraper s = Scraper.start(dir, List.of(base.resolve("/metrics")), null, Duration.ofMillis(100), said::add)) {
            await(() -> s.scrapes() >= 3, "three scrapes");
        }
        List<ServerMetricsLine.Scrape> kept = read();
        assertTrue(kept.size() >= 3, kept.size() + " scrapes");
        Scrape parsed = Exposition.parse(page);
        int samples = parsed.families().stream().mapToInt(f -> f.samples().size()).sum();
        for (ServerMetricsLine.Scrape k : kept) {
            assertEquals("vllm", k.server());
            assertEquals(samples, k.values().size(), "every sample, every scrape, rebuilt from the changes");
            assertEquals(7.0, k.values().get("vllm:num_requests_running{model_name=\"meta-llama/Llama-3.1-8B-Instruct\",engine=\"0\"}"));
            assertEquals("gauge", k.types().get("vllm:num_requests_running"));
            Map<CanonicalMetric, Canonical.Series> canonical = Canonical.of(ServerKind.VLLM, parsed);
            assertEquals(canonical.get(CanonicalMetric.REQUESTS_WAITING).value(), k.canonical().get("requests_waiting"));
            assertEquals(canonical.get(CanonicalMetric.KV_CACHE_USAGE).value(), k.canonical().get("kv_cache_usage"));
            HistogramSeries ttft = canonical.get(CanonicalMetric.SERVER_TTFT).histogram();
            ServerMetricsLine.Buckets keptTtft = k.histograms().get("server_ttft");
            assertEquals(ttft.count(), keptTtft.count());
            assertTrue(java.util.Arrays.equals(ttft.cumulativeCounts(), keptTtft.cumulative()));
        }
        String lines = Files.readString(dir.resolve("server-metrics.jsonl"));
        assertTrue(lines.lines().skip(1).allMatch(l -> l.length() < lines.lines().findFirst().orElseThrow().length() / 2),
                "after the first, a line of an unchanged page holds only its canonical series");
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).startsWith("server metrics from " + base + "/metrics (vllm, "), said.get(0));
    }

    @org.junit.jupiter.params.ParameterizedTest
    // of the 11 canonical series: TGI has no TTFT, KV-cache usage or preemptions; llama.cpp's server only requests and tokens
    @org.junit.jupiter.params.provider.CsvSource({"vllm.prom,vllm,11", "sglang.prom,sglang,11", "tgi.prom,tgi,8", "llamacpp.prom,llama_cpp,4"})
    void eachServersRecordedPageIsScrapedOverHttpWithTheCanonicalSeriesItHas(String file, String kind, int canonical) throws Exception {
        String page = Pages.text(file);
        URI base = serve("/metrics", 200, page.getBytes(StandardCharsets.UTF_8));
        try (Scraper s = Scraper.start(dir, List.of(base.resolve("/metrics")), null, Duration.ofMillis(100), line -> { })) {
            await(() -> s.scrapes() >= 1, "a scrape");
        }
        ServerMetricsLine.Scrape kept = read().get(0);
        assertEquals(kind, kept.server());
        Scrape parsed = Exposition.parse(page);
        assertEquals(parsed.families().stream().mapToInt(f -> f.samples().size()).sum(), kept.values().size());
        assertEquals(Canonical.of(parsed).size(), kept.canonical().size() + kept.histograms().size(), "every canonical series the page has");
        assertEquals(canonical, kept.canonical().size() + kept.histograms().size(), kept.canonical() + " " + kept.histograms().keySet());
    }

    @Test
    void aNamedSourceThatFailsIsWrittenDownEachTimeAndSaidOnce() throws Exception {
        URI base = serve("/metrics", 503, "busy".getBytes(StandardCharsets.UTF_8));
        List<String> said = new CopyOnWriteArrayList<>();
        try (Scraper s = Scraper.start(dir, List.of(base.resolve("/metrics")), null, Duration.ofMillis(100), said::add)) {
            await(() -> s.failures() >= 3, "three failures");
        }
        List<ServerMetricsLine.Scrape> kept = read();
        assertTrue(kept.size() >= 3 && kept.stream().allMatch(ServerMetricsLine.Scrape::failed), kept.toString());
        assertEquals("HTTP 503", kept.get(0).error());
        assertEquals(List.of("server metrics from " + base + "/metrics failed: HTTP 503 (each failure is kept in server-metrics.jsonl;"
                + " scraping goes on)"), said);
    }

    @Test
    void theEndpointsOwnMetricsTriedUnaskedAreDroppedInOneLineWhenAbsent() throws Exception {
        URI base = serve("/v1", 200, "{}".getBytes(StandardCharsets.UTF_8)); // an API, no /metrics: 404
        List<String> said = new CopyOnWriteArrayList<>();
        try (Scraper s = Scraper.start(dir, List.of(), Scraper.metricsOf(base.resolve("/v1")), Duration.ofMillis(50), said::add)) {
            await(() -> !said.isEmpty(), "a line");
            int tries = asked.get();
            await(() -> asked.get() == tries && s.scrapes() == 0, "no more tries");
        }
        assertEquals(List.of("no server metrics at " + base + "/metrics (HTTP 404); name them with --server-metrics URL"), said);
        assertTrue(read().isEmpty(), "nothing kept for a source that was never there");
    }

    @Test
    void credentialsAndQueriesOfAnAddressNeverReachTheFileOrTheUser() throws Exception {
        URI base = serve("/metrics", 200, Pages.text("llamacpp.prom").getBytes(StandardCharsets.UTF_8));
        URI withSecrets = URI.create("http://user:sk-soaklab-fake-9f8e7d@127.0.0.1:" + base.getPort() + "/metrics?token=sk-soaklab-fake-1a2b");
        List<String> said = new CopyOnWriteArrayList<>();
        try (Scraper s = Scraper.start(dir, List.of(withSecrets), null, Duration.ofMillis(100), said::add)) {
            await(() -> s.scrapes() >= 1, "a scrape");
        }
        String file = Files.readString(dir.resolve("server-metrics.jsonl"));
        assertFalse(file.contains("sk-soaklab-fake") || String.join("\n", said).contains("sk-soaklab-fake"), file + said);
        assertEquals(base + "/metrics", read().get(0).source());
        assertEquals("llama_cpp", read().get(0).server());
    }

    @Test
    void anAnswerLargerThanTheBoundIsRefusedNotRead() throws Exception {
        byte[] huge = new byte[Scraper.MAX_BYTES + 10];
        java.util.Arrays.fill(huge, (byte) '#');
        URI base = serve("/metrics", 200, huge);
        List<String> said = new CopyOnWriteArrayList<>();
        try (Scraper s = Scraper.start(dir, List.of(base.resolve("/metrics")), null, Duration.ofMillis(200), said::add)) {
            await(() -> s.failures() >= 1, "a failure");
        }
        assertEquals("an answer over 16 MB", read().get(0).error());
    }
}
