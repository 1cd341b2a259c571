package io.soaklab.internal.record;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecorderTest {

    private static final long MS = 1_000_000;

    @TempDir
    Path dir;

    /** A successful call: lag 1 ms, TTFT {@code ttftMs}, E2E {@code e2eMs}, 11 chunks, usage 1000/100. */
    static CallResult ok(long ttftMs, long e2eMs) {
        return new CallResult(System.nanoTime(), MS, -1, ttftMs * MS / 2, ttftMs * MS, e2eMs * MS, 200, ErrorClass.OK, null,
                new Usage(1000, 100, 0, 0, Usage.Source.SERVER), "reply", 11, 10 * 20 * MS, 30 * MS, "stop", null, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of());
    }

    static CallResult failed(long e2eMs) {
        return new CallResult(System.nanoTime(), MS, -1, e2eMs * MS, -1, e2eMs * MS, 429, ErrorClass.HTTP_429,
                "HTTP 429: Rate limit reached", Usage.NONE, "", 0, 0, 0, null, null, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of());
    }

    static Map<String, List<Histogram>> readLog(Path file) throws IOException {
        Map<String, List<Histogram>> byTag = new HashMap<>();
        try (HistogramLogReader reader = new HistogramLogReader(file.toFile())) {
            EncodableHistogram h;
            while ((h = reader.nextIntervalHistogram()) != null) {
                byTag.computeIfAbsent(h.getTag(), t -> new ArrayList<>()).add((Histogram) h);
            }
        }
        return byTag;
    }

    private static EpisodeRecord episode(int user, long index, long millis) {
        long end = System.nanoTime();
        return new EpisodeRecord(user, index, "coding-agent", true, null, end - millis * MS, end, 3, 3,
                new io.soaklab.protocol.Usage(3000, 300, 0, 0, io.soaklab.protocol.Usage.Source.SERVER), 0, Map.of("coder", io.soaklab.internal.record.RoleShare.ofCalls(2), "agent", io.soaklab.internal.record.RoleShare.ofCalls(1)),
                Map.of("compactions", 2.0, "probe_similarity", 0.5), BigDecimal.ZERO);
    }

    @Test
    void writesOneIntervalPerTagPerMeasuredWindowReadableByHdrHistogram() throws IOException {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(true);
            recorder.recordCall(ok(999, 9999), 0, 0, 0);
            WindowSummary warm = recorder.endWindow();
            assertTrue(warm.warmup());
            assertEquals(1, warm.calls());

            recorder.beginWindow(false);
            recorder.recordCall(ok(100, 1000), 0, 0, 1);
            recorder.recordCall(ok(200, 2000), 1, 0, 0);
            recorder.recordCall(failed(5), 2, 0, 0);
            recorder.recordEpisode(episode(0, 0, 3000));
            WindowSummary first = recorder.endWindow();
            assertEquals(3, first.calls());
            assertEquals(1, first.errors());
            assertEquals(2000, first.promptTokens());
            assertEquals(200, first.completionTokens());
            assertEquals(100, first.ttftP50Micros() / 1000);
            assertEquals(200, first.ttftP99Micros() / 1000);

            recorder.beginWindow(false);
            recorder.recordCall(ok(300, 3000), 0, 1, 0);
            recorder.endWindow();
        }
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunFile.HISTOGRAMS.fileName()));
        assertEquals(Metric.values().length, log.size());
        for (Metric m : Metric.values()) {
            assertEquals(2, log.get(m.tag()).size(), "two measured windows of " + m.tag() + ", warmup excluded");
        }
        Histogram ttft = log.get("ttft").get(0);
        assertEquals(2, ttft.getTotalCount());
        assertEquals(100_000, ttft.getValueAtPercentile(50), 100, "microseconds");
        assertEquals(200_000, ttft.getMaxValue(), 200);
        assertEquals(1, log.get("e2e-failed").get(0).getTotalCount());
        assertEquals(3, log.get("schedule-lag").get(0).getTotalCount(), "every call has a lag");
        assertEquals(1, log.get("episode").get(0).getTotalCount());
        assertEquals(3000_000, log.get("episode").get(0).getMaxValue(), 10_000);
        assertEquals(0, log.get("episode").get(1).getTotalCount());
        assertEquals(3, log.get("attempt").get(0).getTotalCount(), "every attempt, failed or not");
        assertEquals(9_090, log.get("tpot").get(0).getMinValue(), 10, "(1000 ms - 100 ms) / (100 - 1) output tokens");
        // windows tile time; HdrHistogram writes seconds with three decimals and truncates them when it reads them back: ±1 ms
        assertEquals(log.get("ttft").get(0).getEndTimeStamp(), log.get("ttft").get(1).getStartTimeStamp(), 1.0);

        // the generator's own health: one line per window, warmup included
        List<String> health = Files.readAllLines(dir.resolve(RunFile.GENERATOR.fileName()));
        assertEquals(3, health.size(), String.join("\n", health));
        assertTrue(health.get(0).startsWith("{\"phase\":\"warmup\",\"window\":0,\"gc_ms\":"), health.get(0));
        for (String line : health.subList(1, 3)) {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            assertEquals("measure", n.get("phase").asText());
            assertTrue(n.get("gc_ms").asLong() >= 0 && n.get("gc_count").asLong() >= 0, line);
            assertTrue(n.get("cpu").asDouble() >= 0 && n.get("cpu").asDouble() <= 1, line);
            assertTrue(n.get("heap_mb").asLong() >= 0 && n.get("threads").asInt() > 1, line);
        }
    }

    @Test
    void writesOneJsonLinePerCallPerEpisodeAndPerEvent() throws IOException {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(false);
            recorder.recordCall(ok(100, 1000), 3, 7, 2);
            recorder.recordCall(failed(5), 4, 0, 0);
            recorder.recordEpisode(episode(3, 7, 2000));
            recorder.recordEvent(3, 7, "coder", System.nanoTime(), "compaction", "before_tokens", 24_100, "mode", "summarize", "ok", true,
                    "ratio", 0.25);
            recorder.endWindow();
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()));
        assertEquals(2, lines.size());
        JsonNode call = json.readTree(lines.get(0));
        assertEquals("measure", call.get("phase").asText());
        assertEquals(0, call.get("window").asInt());
        assertEquals(3, call.get("user").asInt());
        assertEquals(7, call.get("episode").asInt());
        assertEquals("agent", call.get("role").asText());
        assertEquals(1, call.get("attempt").asInt());
        assertTrue(call.get("last").asBoolean());
        assertEquals(2, call.get("step").asInt());
        assertEquals(1000, call.get("lag_us").asLong());
        assertEquals(100_000, call.get("ttft_us").asLong());
        assertEquals(99_000, call.get("ttft_sent_us").asLong());
        assertEquals(1_000_000, call.get("e2e_us").asLong());
        assertEquals("ok", call.get("error").asText());
        assertEquals("server", call.get("usage").asText());
        assertEquals(1000, call.get("prompt_tokens").asLong());
        assertEquals(20_000, call.get("itl_mean_us").asLong());
        assertEquals(9_090, call.get("tpot_us").asLong(), "(1000 ms - 100 ms) / (100 - 1) tokens");
        assertFalse(call.has("connect_us"), "no new connection: field omitted");
        assertTrue(Math.abs(call.get("intended_us").asLong() / 1000 - System.currentTimeMillis()) < 60_000);
        JsonNode fail = json.readTree(lines.get(1));
        assertEquals("http_429", fail.get("error").asText());
        assertEquals("HTTP 429: Rate limit reached", fail.get("error_detail").asText());
        assertFalse(fail.has("ttft_us"));

        JsonNode episode = json.readTree(Files.readAllLines(dir.resolve(RunFile.EPISODES.fileName())).get(0));
        assertEquals(3, episode.get("calls").asInt());
        assertTrue(episode.get("ok").asBoolean());
        assertEquals(2_000_000, episode.get("duration_us").asLong(), 20_000);
        assertEquals(3000, episode.get("tokens").get("prompt").asLong());
        assertEquals(2, episode.get("roles").get("coder").get("calls").asLong());
        assertEquals(2, episode.get("metrics").get("compactions").asLong(), "whole figures are written as whole numbers");
        assertEquals(0.5, episode.get("metrics").get("probe_similarity").asDouble());

        JsonNode event = json.readTree(Files.readAllLines(dir.resolve(RunFile.EVENTS.fileName())).get(0));
        assertEquals("compaction", event.get("type").asText());
        assertEquals("coder", event.get("role").asText());
        assertEquals(7, event.get("episode").asInt());
        assertEquals(24_100, event.get("before_tokens").asLong());
        assertEquals("summarize", event.get("mode").asText());
        assertTrue(event.get("ok").asBoolean());
        assertEquals(0.25, event.get("ratio").asDouble());
    }

    @Test
    void aRetriedCallCountsOnceAndFromItsFirstAttemptsIntendedStart() throws IOException {
        long first = System.nanoTime();
        CallResult refused = new CallResult(first, MS, -1, 5 * MS, -1, 5 * MS, 429, ErrorClass.HTTP_429, "HTTP 429", Usage.NONE, "", 0, 0, 0,
                null, null, List.of(), 300 * MS, null, -1, "", 0, -1, java.util.Set.of());
        // retried 300 ms after the refusal ended: intended 305 ms after the first attempt's intended start
        CallResult served = new CallResult(first + 305 * MS, MS, -1, 50 * MS, 100 * MS, 1000 * MS, 200, ErrorClass.OK, null,
                new Usage(1000, 100, 0, 0, Usage.Source.SERVER), "reply", 11, 10 * 20 * MS, 30 * MS, "stop", null, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of());
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(false);
            recorder.recordCall(refused, new CallInfo(0, 0, "agent", 0, 1, false, first));
            recorder.recordCall(served, new CallInfo(0, 0, "agent", 0, 2, true, first));
            WindowSummary w = recorder.endWindow();
            assertEquals(1, w.calls(), "one call");
            assertEquals(2, w.attempts());
            assertEquals(0, w.errors(), "its last attempt succeeded");
            assertEquals(405, w.ttftP50Micros() / 1000, "what the agent waited for its first token: 305 + 100 ms");
        }
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunFile.HISTOGRAMS.fileName()));
        assertEquals(1_305_000, log.get("e2e").get(0).getMaxValue(), 2_000);
        assertEquals(2, log.get("attempt").get(0).getTotalCount());
        assertEquals(1_000_000, log.get("attempt").get(0).getMaxValue(), 1_000, "each attempt from its own intended start");
        assertEquals(0, log.get("e2e-failed").get(0).getTotalCount(), "the refusal was retried, not given up");
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()));
        JsonNode retry = json.readTree(lines.get(1));
        assertEquals(2, retry.get("attempt").asInt());
        assertEquals(1_305_000, retry.get("call_e2e_us").asLong());
        assertEquals(405_000, retry.get("call_ttft_us").asLong());
        assertFalse(json.readTree(lines.get(0)).get("last").asBoolean());
    }

    @Test
    void callLinesReachTheDiskWithinASecondWhileTheRunGoesOn() throws Exception {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(false);
            recorder.recordCall(ok(100, 1000), 0, 0, 0);
            long deadline = System.nanoTime() + 3000 * MS;
            while (Files.size(dir.resolve(RunFile.CALLS.fileName())) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, Files.readAllLines(dir.resolve(RunFile.CALLS.fileName())).size(), "flushed by the background flusher");
            recorder.endWindow();
        }
    }

    @Test
    void closingWithAWindowOpenKeepsWhatItRecorded() throws IOException {
        RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
        recorder.beginWindow(false);
        recorder.recordCall(ok(100, 1000), 0, 0, 0);
        recorder.close();
        recorder.recordCall(ok(100, 1000), 0, 0, 1); // a late call after close is dropped, not an error
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunFile.HISTOGRAMS.fileName()));
        assertEquals(1, log.get("ttft").size());
        assertEquals(1, log.get("ttft").get(0).getTotalCount());
        assertEquals(1, Files.readAllLines(dir.resolve(RunFile.CALLS.fileName())).size());
    }

    @Test
    void aCallEndingBetweenWindowsBelongsToTheNextWindowInBothFiles() throws Exception {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(true);
            recorder.endWindow();
            recorder.recordCall(ok(111, 1000), 0, 0, 0); // between warmup and the first measured window
            recorder.beginWindow(false);
            recorder.recordCall(ok(222, 1000), 0, 0, 1);
            WindowSummary first = recorder.endWindow();
            assertEquals(2, first.calls());
            recorder.recordCall(ok(333, 1000), 0, 0, 2); // between measured windows 0 and 1
            recorder.beginWindow(false);
            recorder.endWindow();
            recorder.seal();
            recorder.recordCall(ok(444, 1000), 0, 0, 3); // after the run: dropped
        }
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunFile.HISTOGRAMS.fileName()));
        List<Histogram> ttft = log.get("ttft");
        assertEquals(2, ttft.size());
        assertEquals(2, ttft.get(0).getTotalCount());
        assertEquals(1, ttft.get(1).getTotalCount());
        assertEquals(333_000, ttft.get(1).getMaxValue(), 400);
        assertEquals(ttft.get(0).getEndTimeStamp(), ttft.get(1).getStartTimeStamp(), 1.0, "windows tile time (HdrHistogram reads ms back ±1)");
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()));
        assertEquals(3, lines.size());
        assertEquals("measure/0", label(json.readTree(lines.get(0))));
        assertEquals("measure/0", label(json.readTree(lines.get(1))));
        assertEquals("measure/1", label(json.readTree(lines.get(2))));
    }

    @Test
    void aCallMeantToStartBeforeTheMeasurementIsTheWarmupsBacklogNotMeasuredThroughput() throws Exception {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(true);
            CallResult backlog = ok(500, 2000); // intended during the warmup, still running when the measurement begins
            recorder.endWindow();
            recorder.beginWindow(false);
            recorder.recordCall(backlog, 0, 0, 0);
            recorder.recordCall(ok(222, 1000), 0, 1, 0);
            WindowSummary first = recorder.endWindow();
            assertEquals(1, first.calls(), "only the call meant to start in the measurement counts");
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()));
        assertEquals(List.of("warmup/0", "measure/0"), List.of(label(json.readTree(lines.get(0))), label(json.readTree(lines.get(1)))));
        assertEquals(1, readLog(dir.resolve(RunFile.HISTOGRAMS.fileName())).get("ttft").get(0).getTotalCount());
    }

    private static String label(JsonNode line) {
        return line.get("phase").asText() + "/" + line.get("window").asInt();
    }

    @Test
    void callsThatEndAfterTheLastWindowOfAStoppedRunAreWrittenAsOneMoreShortWindow() throws Exception {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(false);
            recorder.recordCall(ok(100, 1000), 0, 0, 0);
            recorder.endWindow();
            recorder.recordCall(ok(100, 1000), 1, 0, 0); // the run is stopped between two windows, with this call just ended
        }
        List<String> calls = Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()));
        assertEquals(2, calls.size(), "no call is lost");
        assertTrue(calls.get(1).contains("\"window\":1"), calls.get(1));
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunFile.HISTOGRAMS.fileName()));
        assertEquals(2, log.get("e2e").size(), "its latency is in an interval of its own");
        assertEquals(1, log.get("e2e").get(1).getTotalCount());
    }
}
