package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.record.ServerMetricsLine;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A window as the server saw it, from scrapes placed in known windows: a gauge's mean and most, a
 * counter's increase per second from the scrape before the window, a reset counted from zero, a
 * histogram's quantiles from the window's increase, and two sources added.
 */
class ServerWindowsTest {

    private static final long T0 = 1_796_000_000_000L;
    private static final double[] BOUNDS = {0.1, 0.2, Double.POSITIVE_INFINITY};

    @TempDir
    Path dir;

    private final int[] index = {0, 1, 2, 3};
    private final long[] starts = {T0, T0 + 1000, T0 + 2000, T0 + 3000};
    private final long[] ends = {T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000};

    /** One scrape of a source at {@code t}: requests waiting, generation tokens so far, TTFT buckets so far. */
    private static void scrape(ServerMetricsLine.Writer w, String source, long t, double waiting, double running, double tokens, double[] ttft)
            throws Exception {
        Map<String, Double> canonical = new LinkedHashMap<>();
        canonical.put("requests_waiting", waiting);
        canonical.put("requests_running", running);
        canonical.put("generation_tokens", tokens);
        w.scrape(t, source, "vllm", Map.of(), Map.of(), canonical,
                Map.of("server_ttft", new ServerMetricsLine.Buckets(BOUNDS, ttft, 0, ttft[2])));
    }

    @Test
    void gaugesCountersAndHistogramsPerWindow() throws Exception {
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            scrape(w, "a", T0 - 500, 0, 1, 0, new double[] {0, 0, 0});             // before the run: the first window's base
            scrape(w, "a", T0 + 250, 2, 1, 100, new double[] {10, 10, 10});
            scrape(w, "a", T0 + 750, 4, 1, 200, new double[] {10, 20, 20});          // window 0: tokens +200 over 1.25 s
            scrape(w, "a", T0 + 1500, 6, 1, 500, new double[] {10, 20, 20});         // window 1: +300 over 0.75 s
            scrape(w, "a", T0 + 2250, 0, 1, 50, new double[] {1, 1, 1});             // window 2: a restart: counters from zero
            scrape(w, "a", T0 + 2750, 0, 1, 150, new double[] {2, 2, 2});
        }
        ServerWindows server = ServerWindows.read(dir, index, starts, ends);
        assertTrue(server.present());
        ServerWindows.Window w0 = server.get(0);
        assertEquals(2, w0.scrapes());
        assertEquals(3.0, w0.waitingMean());
        assertEquals(4.0, w0.waitingMax());
        assertEquals(200 / 1.25, w0.generationTokensPerSecond(), 1e-9, "from the scrape before the window to its last");
        assertEquals(100, w0.ttftP50Ms(), 1e-9, "10 at most 100 ms, 10 more at most 200 ms: the median on the first bound");
        assertEquals(198, w0.ttftP99Ms(), 1e-9, "linear within the second bucket, as PromQL: 100 + 9.8/10 x 100");
        ServerWindows.Window w1 = server.get(1);
        assertEquals(300 / 0.75, w1.generationTokensPerSecond(), 1e-9);
        assertTrue(Double.isNaN(w1.ttftP99Ms()), "no request in the window: no quantile, not the run's");
        ServerWindows.Window w2 = server.get(2);
        assertEquals(150 / 1.25, w2.generationTokensPerSecond(), 1e-9, "the reset: 50 since the restart, then 100 more");
        assertEquals(0, server.get(3).scrapes());
        assertTrue(Double.isNaN(server.get(3).waitingMean()), "nothing scraped: nothing said");
    }

    @Test
    void twoSourcesAreAddedRequestsAndRatesButNotTheirTimes() throws Exception {
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            for (String s : new String[] {"a", "b"}) {
                scrape(w, s, T0 + 100, 1, 3, 0, new double[] {0, 0, 0});
                scrape(w, s, T0 + 600, 3, 5, 100, new double[] {5, 10, 10});
            }
        }
        ServerWindows.Window w0 = ServerWindows.read(dir, index, starts, ends).get(0);
        assertEquals(4, w0.scrapes());
        assertEquals(4.0, w0.waitingMean(), "2 on average on each");
        assertEquals(10.0, w0.runningMax(), "the most of each, added");
        assertEquals(400, w0.generationTokensPerSecond(), 1e-9, "100 in 0.5 s on each");
        assertEquals(198, w0.ttftP99Ms(), 1e-9, "both sources' increases added: 10 at most 100 ms, 10 more at most 200 ms, p99 at rank 19.8");
    }

    @Test
    void aRunThatScrapedNothingHasNoServerFigures() throws Exception {
        assertFalse(ServerWindows.read(dir, index, starts, ends).present());
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            w.failed(T0 + 10, "a", "connection refused");
        }
        ServerWindows failed = ServerWindows.read(dir, index, starts, ends);
        assertFalse(failed.present());
        assertEquals(1, failed.failures());
    }
}
