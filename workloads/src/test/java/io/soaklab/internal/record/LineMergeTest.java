package io.soaklab.internal.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.layout.RunFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the shards' line files become one: in time order, every whole line once, the server counted once. */
class LineMergeTest {

    @TempDir
    Path dir;

    private Path file(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, lines.length == 0 ? "" : String.join("\n", lines) + "\n");
        return p;
    }

    @Test
    void linesLeaveInTheOrderOfTheirTimesEachShardsOwnOrderKeptAndEqualTimesByShard() throws Exception {
        Path a = file("a", "{\"t\":1,\"d\":2,\"n\":\"a1\"}", "{\"t\":5,\"n\":\"a2\"}", "{\"t\":4,\"n\":\"a3\"}");
        Path b = file("b", "{\"t\":2,\"n\":\"b1\"}", "{\"t\":3,\"n\":\"b2\"}", "{\"t\":9,\"n\":\"b3\"}");
        Path out = dir.resolve("out");
        LineMerge.Result r = LineMerge.merge(List.of(a, b, dir.resolve("missing")), out, false, LineMerge.Keep.ALL, "t", "d");
        // a1 ends at 1 + 2 = 3, as b2 does: shard a first; a3 (4) is written after a2 (5), as shard a wrote it
        assertEquals(List.of("b1", "a1", "b2", "a2", "a3", "b3"), names(Files.readAllLines(out)));
        assertEquals(new LineMerge.Result(6, 0, 2), r, "a missing shard's file is skipped");
    }

    @Test
    void aLineCutOffByAKillIsLeftOutAndCountedAndTheRestKept() throws Exception {
        Path a = file("a", "{\"t\":1,\"n\":\"a1\"}", "{\"t\":3,\"n\":\"a2\"}", "{\"t\":4,\"n\":\"a3");
        Path b = file("b", "{\"t\":2,\"n\":\"b1\"}", "not json", "[1,2]", "{\"t\":6,\"n\":\"b2\"} trailing");
        Path out = dir.resolve("out");
        LineMerge.Result r = LineMerge.merge(List.of(a, b), out, false, LineMerge.Keep.ALL, "t");
        assertEquals(List.of("a1", "b1", "a2"), names(Files.readAllLines(out)));
        assertEquals(4, r.damaged());
    }

    @Test
    void aCompressedFileCutOffByAKillKeepsEveryWholeLineBeforeTheCut() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> written = new ArrayList<>();
        try (OutputStream gz = new GZIPOutputStream(bytes, 1 << 16, true)) {
            for (int i = 0; i < 2_000; i++) {
                String line = "{\"intended_us\":" + i + ",\"n\":\"r" + i + "\",\"pad\":\"" + "x".repeat(200) + "\"}\n";
                gz.write(line.getBytes(StandardCharsets.UTF_8));
                written.add("r" + i);
                if (i == 1_499) {
                    gz.flush(); // a sync flush, as the writer's every second: all before it is readable
                }
            }
            gz.flush();
            byte[] whole = bytes.toByteArray();
            int flushed = whole.length;
            gz.write("{\"intended_us\":9999,\"n\":\"never\"}\n".getBytes(StandardCharsets.UTF_8));
            gz.flush();
            // a kill: the file ends part way into what followed the last flush
            byte[] cut = Arrays.copyOf(bytes.toByteArray(), flushed + 7);
            Files.write(dir.resolve("a.gz"), cut);
        }
        Path out = dir.resolve("out.gz");
        LineMerge.Result r = LineMerge.merge(List.of(dir.resolve("a.gz")), out, true, LineMerge.Keep.ALL, "intended_us");
        List<String> merged = new ArrayList<>();
        try (var in = new GZIPInputStream(Files.newInputStream(out))) {
            merged.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
        assertEquals(written.size(), merged.size(), "every line up to the last flush");
        assertTrue(written.equals(names(merged)), "each once, in order");
        assertEquals(2_000, r.lines());
    }

    @Test
    void theServerIsKeptOnceFromTheShardWhoseScrapesAnswered() throws Exception {
        Path shard0 = Files.createDirectories(dir.resolve("shard-0"));
        Path shard1 = Files.createDirectories(dir.resolve("shard-1"));
        Path shard2 = Files.createDirectories(dir.resolve("shard-2"));
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(shard0)) { // could not reach the server: more lines, none answered
            for (int i = 0; i < 5; i++) {
                w.failed(1_000 + i, "http://gpu:8000/metrics", "connection refused");
            }
        }
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(shard1)) {
            for (int i = 0; i < 3; i++) {
                w.scrape(1_000 + i, "http://gpu:8000/metrics", "vllm", Map.of("q", "gauge"), Map.of("q", (double) i), Map.of(), Map.of());
            }
        }
        try (ServerMetricsLine.Writer w = new ServerMetricsLine.Writer(shard2)) {
            w.scrape(1_001, "http://gpu:8000/metrics", "vllm", Map.of("q", "gauge"), Map.of("q", 7.0), Map.of(), Map.of());
            w.scrape(1_002, "http://own:1/metrics", "vllm", Map.of("q", "gauge"), Map.of("q", 9.0), Map.of(), Map.of()); // its own endpoint
        }
        Path out = Files.createDirectories(dir.resolve("merged"));
        ServerMetricsLine.merge(List.of(shard0, shard1, shard2), out);
        List<ServerMetricsLine.Scrape> read = new ArrayList<>();
        ServerMetricsLine.read(out, s -> read.add(new ServerMetricsLine.Scrape(s.epochMillis(), s.source(), s.server(), Map.copyOf(s.types()),
                Map.copyOf(s.values()), Map.copyOf(s.canonical()), Map.copyOf(s.histograms()), s.error())));
        assertEquals(List.of("http://gpu:8000/metrics 0.0", "http://gpu:8000/metrics 1.0", "http://gpu:8000/metrics 2.0", "http://own:1/metrics 9.0"),
                read.stream().map(s -> s.source() + " " + s.values().get("q")).toList(),
                "shard 1's scrapes of the shared server, shard 2's of its own (at 1002 ms both: shard 1's first)");
        assertTrue(Files.exists(RunFile.SERVER_METRICS.in(out)));
    }

    private static List<String> names(List<String> lines) {
        return lines.stream().map(l -> LineMerge.text(l, "n")).toList();
    }
}
