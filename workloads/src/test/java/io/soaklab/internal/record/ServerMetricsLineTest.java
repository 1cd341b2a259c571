package io.soaklab.internal.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server-metrics.jsonl}: written as changes, read back whole, a full line now and then, odd values and damage survived. */
class ServerMetricsLineTest {

    @TempDir
    Path dir;

    private List<ServerMetricsLine.Scrape> read() throws Exception {
        List<ServerMetricsLine.Scrape> out = new ArrayList<>();
        ServerMetricsLine.read(dir, s -> out.add(new ServerMetricsLine.Scrape(s.epochMillis(), s.source(), s.server(), Map.copyOf(s.types()),
                new LinkedHashMap<>(s.values()), Map.copyOf(s.canonical()), Map.copyOf(s.histograms()), s.error())));
        return out;
    }

    @Test
    void eachScrapeReadsBackWholeThoughOnlyItsChangesWereWritten() throws Exception {
        Map<String, String> types = Map.of("q", "gauge", "t", "counter");
        List<Map<String, Double>> written = new ArrayList<>();
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            for (int i = 0; i < 150; i++) {
                Map<String, Double> values = new LinkedHashMap<>();
                values.put("q{pod=\"a\"}", (double) (i % 3));
                values.put("t_total", 10.0 * (i / 10));
                if (i < 100) {
                    values.put("gone_after_100", 1.0);
                }
                values.put("odd", i == 7 ? Double.NaN : i == 8 ? Double.POSITIVE_INFINITY : 0.25);
                written.add(values);
                w.scrape(1_000 + i, "http://s:1/metrics", "vllm", types, values, Map.of("requests_waiting", (double) (i % 3)),
                        Map.of("server_ttft", new ServerMetricsLine.Buckets(new double[] {0.1, Double.POSITIVE_INFINITY}, new double[] {i, 2 * i}, i, 2 * i)));
            }
        }
        List<ServerMetricsLine.Scrape> read = read();
        assertEquals(150, read.size());
        for (int i = 0; i < 150; i++) {
            assertEquals(written.get(i), read.get(i).values(), "scrape " + i);
            assertEquals(1_000 + i, read.get(i).epochMillis());
            assertEquals(i % 3, read.get(i).canonical().get("requests_waiting"));
            assertEquals(2.0 * i, read.get(i).histograms().get("server_ttft").cumulative()[1]);
        }
        List<String> lines = Files.readAllLines(dir.resolve("server-metrics.jsonl"));
        long full = lines.stream().filter(l -> l.contains("\"full\":true")).count();
        assertEquals(3, full, "the first, the 61st and the 121st");
        assertTrue(lines.get(1).contains("\"values\":{\"q{pod=\\\"a\\\"}\":1}"), "an unchanged series is not written again: " + lines.get(1));
    }

    @Test
    void aFailedScrapeIsALineAndTheNextAnswerIsWrittenWhole() throws Exception {
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            w.scrape(1, "s", "vllm", Map.of("q", "gauge"), Map.of("q", 1.0), Map.of(), Map.of());
            w.failed(2, "s", "connection refused");
            w.scrape(3, "s", "vllm", Map.of("q", "gauge"), Map.of("q", 1.0), Map.of(), Map.of());
        }
        List<ServerMetricsLine.Scrape> read = read();
        assertEquals("connection refused", read.get(1).error());
        assertEquals(Map.of("q", 1.0), read.get(2).values());
        assertTrue(Files.readAllLines(dir.resolve("server-metrics.jsonl")).get(2).contains("\"full\":true"));
    }

    @Test
    void aLineCutOffByAKillIsSkippedAndTheRestStillApplies() throws Exception {
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            w.scrape(1, "s", "vllm", Map.of("q", "gauge"), Map.of("q", 1.0, "r", 5.0), Map.of(), Map.of());
        }
        Files.writeString(dir.resolve("server-metrics.jsonl"), "{\"t_ms\":2,\"source\":\"s\",\"values\":{\"q\":\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            w.scrape(3, "s", "vllm", Map.of("q", "gauge"), Map.of("q", 3.0, "r", 5.0), Map.of(), Map.of());
        }
        List<ServerMetricsLine.Scrape> read = read();
        assertEquals(2, read.size());
        assertEquals(Map.of("q", 3.0, "r", 5.0), read.get(1).values());
    }

    @Test
    void afterADamagedLineASourcesChangesWaitForItsNextFullLine() throws Exception {
        Path file = dir.resolve("server-metrics.jsonl");
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) {
            w.scrape(1, "s", "vllm", Map.of("q", "gauge"), Map.of("q", 1.0, "r", 5.0), Map.of(), Map.of());
            w.scrape(2, "s", "vllm", Map.of("q", "gauge"), Map.of("q", 2.0, "r", 5.0), Map.of(), Map.of());
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).substring(0, lines.get(1).length() / 2)); // the line that held q = 2, damaged
        Files.write(file, lines);
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(dir)) { // a writer of its own: its first line is full
            w.scrape(4, "s", "vllm", Map.of("q", "gauge"), Map.of("q", 2.0, "r", 6.0), Map.of(), Map.of());
        }
        // a change line after the damage, as a writer that went on would have written it: only r moved
        Files.writeString(file, "{\"t_ms\":3,\"source\":\"s\",\"server\":\"vllm\",\"types\":{},\"values\":{\"r\":6}}\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        List<String> all = new ArrayList<>(Files.readAllLines(file));
        String delta = all.remove(all.size() - 1);
        all.add(2, delta); // in time order: the damaged line, the change line, the full line
        Files.write(file, all);
        List<ServerMetricsLine.Scrape> read = read();
        assertEquals(List.of(1L, 4L), read.stream().map(ServerMetricsLine.Scrape::epochMillis).toList(),
                "the change line after the damage is not applied to a state that lacks the damaged line's changes");
        assertEquals(Map.of("q", 2.0, "r", 6.0), read.get(1).values());
    }
}
