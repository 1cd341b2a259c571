package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.Soak;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An endpoint that answers some calls and then hangs: the hung calls are on record, counted apart,
 * their ages stated as lower bounds, and the calls-in-flight series shows the hang.
 */
class HangTest {

    @TempDir
    Path dir;

    @Test
    void aHangShowsAsCallsSentNoneEndedAndTheOpenCountStaying() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger served = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod())) { // soaklab's quiet look for a /metrics: this server has none
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            if (served.incrementAndGet() > 3) { // the first three answer; every later one hangs after its headers
                exchange.getResponseBody().flush();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                exchange.getResponseBody().write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            }
            exchange.close();
        });
        server.start();
        Path scenario = Files.writeString(dir.resolve("one-turn.yaml"), "name: one-turn\ndescription: one quick turn\nkind: chat\n"
                + "system_prompt_tokens: 20\nmax_tokens: 8\nchat: {turns: {min: 1, max: 1}, user_tokens: 5}\n");
        Path run = dir.resolve("run");
        try {
            RunConfig config = RunConfig.builder().scenario(scenario.toString()).concurrency(3).window(Duration.ofMillis(200)).duration(Duration.ofMillis(400))
                    .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1")).model("hangs").priceAs(RunConfig.UNPRICED).build();
            Soak.prepare(run, config, new RunManifest.Endpoint(config.target().endpoint(), false));
            try (Soak soak = Soak.open(run, false)) {
                soak.beginWindow(false); // open before the load starts: every call is sent inside a window
                soak.start();
                for (int answered = 0; answered < 3; answered++) {
                    assertTrue(soak.awaitCall(30, TimeUnit.SECONDS), "the first three calls are answered");
                }
                awaitHung(soak, 3); // then every user's next call hangs
                soak.endWindow();
                soak.beginWindow(false);
                soak.endWindow(); // nothing moves in the second window
            }
        } finally {
            release.countDown();
            server.stop(0);
        }
        RunData data = RunData.load(run);
        assertEquals(2, data.windows().size());
        WindowStats first = data.windows().get(0);
        WindowStats second = data.windows().get(1);
        assertEquals(new WindowStats.Traffic(6, 3, 3), first.traffic(), "six sent, three ended, three hanging at the window's end");
        assertEquals(new WindowStats.Traffic(0, 0, 3), second.traffic(), "a hang: none sent, none ended, three still open");
        assertEquals(3, second.open(), "recorded as open in the last window");
        assertEquals(3, data.calls().calls(), "open calls are not among the calls that ended");
        assertEquals(3, data.calls().open());
        assertEquals(0, data.calls().errorCount(), "nor among the failures");
        assertTrue(data.calls().e2eWithOpen().p99() >= data.totals().get(Metric.E2E).p99(), "counting open calls can only raise a percentile");
        assertTrue(data.calls().e2eWithOpen().max() >= (second.endMillis() - first.endMillis()) * 1000L,
                "the longest age spans at least the second window: " + data.calls().e2eWithOpen().max());
        String html = Files.readString(Report.write(data));
        assertTrue(html.contains("3 calls were still open when the run ended, the longest for "), html);
        assertTrue(html.contains("charts/in-flight.png"), "the chart of calls in flight");
        String row = Files.readString(run.resolve("windows.csv")).lines().skip(2).findFirst().orElseThrow();
        assertTrue(row.contains(",0,0,3,3,histograms,"), row);
        // calls that never streamed a byte are a hang, counted above, not a silence between tokens
        assertEquals(0, second.generator().silenceMicros(), "no reply was streaming");
        assertEquals(ErrorClass.OPEN.wireName(), Files.readAllLines(run.resolve("calls.jsonl")).stream()
                .filter(l -> l.contains("\"error\":\"open\"")).map(l -> "open").findFirst().orElse("none"));
    }

    private static void awaitHung(Soak soak, int calls) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (soak.runner().openCalls(System.nanoTime()).stream().filter(c -> c.headersNanos() > 0).count() >= calls) {
                return;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("the calls did not hang within 30 s");
    }
}
