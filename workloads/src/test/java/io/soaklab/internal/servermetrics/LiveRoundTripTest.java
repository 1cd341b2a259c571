package io.soaklab.internal.servermetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.record.ServerMetricsLine;
import io.soaklab.internal.record.WindowSummary;
import io.soaklab.run.RunConfig;
import io.soaklab.run.Soak;
import io.soaklab.sim.SimConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run publishes on {@code --metrics-port}, soaklab reads back with the same values it
 * recorded: the live page, scraped by soaklab's own scraper, counts the calls, tokens and episodes
 * the run's window holds.
 */
class LiveRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void theLivePageScrapedBackCountsWhatTheRunRecorded() throws Exception {
        Path scenario = Files.writeString(dir.resolve("quick-chat.yaml"), "name: quick-chat\ndescription: one to three quick turns\nkind: chat\n"
                + "system_prompt_tokens: 50\nmax_tokens: 32\nchat: {turns: {min: 1, max: 3}, user_tokens: 10}\n");
        RunConfig config = RunConfig.builder().scenario(scenario.toString()).concurrency(1).window(Duration.ofSeconds(1))
                .duration(Duration.ofSeconds(1)).sim(SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(5000).build())
                .metricsPort(0).metricsHost("127.0.0.1").serverMetricsAuto(false).build();
        Path run = dir.resolve("run");
        Soak.prepare(run, config, null);
        Path scraped = Files.createDirectories(dir.resolve("scraped"));
        WindowSummary window;
        Map<String, Double> values = new HashMap<>();
        String server;
        try (Soak soak = Soak.open(run, false)) {
            URI page = URI.create("http://127.0.0.1:" + soak.metricsPort() + "/metrics");
            String before = HttpClient.newHttpClient().send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(before.contains("soaklab_window -1.0") || before.contains("soaklab_window -1"), "no window open yet: " + before);
            soak.beginWindow(false);
            for (int e = 0; e < 5; e++) {
                assertTrue(soak.runner().run(0, e, System.nanoTime()).ok());
            }
            window = soak.endWindow();
            try (Scraper s = Scraper.start(scraped, List.of(page), null, Duration.ofMillis(100), line -> { })) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (s.scrapes() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            String[] kind = new String[1];
            ServerMetricsLine.read(scraped, s -> {
                if (values.isEmpty()) {
                    values.putAll(s.values());
                    kind[0] = s.server();
                }
            });
            server = kind[0];
        }
        assertEquals("soaklab", server, "soaklab's own page is recognised as such");
        double calls = values.entrySet().stream().filter(e -> e.getKey().startsWith("soaklab_calls_total{")).mapToDouble(Map.Entry::getValue).sum();
        assertEquals(window.calls(), (long) calls, "calls by outcome add up to the window's calls: " + values);
        assertEquals(window.calls(), values.get("soaklab_calls_total{outcome=\"ok\"}").longValue());
        assertEquals(window.attempts(), values.get("soaklab_attempts_total").longValue());
        assertEquals(window.promptTokens(), values.get("soaklab_tokens_total{kind=\"prompt\"}").longValue());
        assertEquals(window.completionTokens(), values.get("soaklab_tokens_total{kind=\"completion\"}").longValue());
        assertEquals(window.calls(), values.get("soaklab_ttft_seconds_count").longValue(), "one TTFT per call that succeeded");
        assertEquals(window.attempts(), values.get("soaklab_schedule_lag_seconds_count").longValue(), "one lag per attempt");
        assertEquals(5, values.get("soaklab_episodes_total{outcome=\"ok\"}").longValue());
        assertEquals(0, values.get("soaklab_calls_in_flight"));
        assertEquals(0, values.get("soaklab_window"), "the window that ran");
        assertTrue(values.get("soaklab_itl_seconds_count") >= window.completionTokens() - 2L * window.calls(),
                "every gap between chunks of the replies: " + values.get("soaklab_itl_seconds_count"));
        assertEquals(1.0, values.get("soaklab_run_info{load=\"closed 1 users\",model=\"soaklab-sim\",run=\"run\",scenario=\"quick-chat\"}"), values.keySet().toString());
    }
}
