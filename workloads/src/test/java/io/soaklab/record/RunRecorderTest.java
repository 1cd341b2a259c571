package io.soaklab.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import java.io.IOException;
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
                new Usage(1000, 100, 0, 0, Usage.Source.SERVER), "reply", 11, 10 * 20 * MS, 30 * MS, "stop", null, java.util.List.of(), -1, null);
    }

    static CallResult failed(long e2eMs) {
        return new CallResult(System.nanoTime(), MS, -1, e2eMs * MS, -1, e2eMs * MS, 429, ErrorClass.HTTP_429,
                "HTTP 429: Rate limit reached", Usage.NONE, "", 0, 0, 0, null, null, java.util.List.of(), -1, null);
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
            recorder.recordSession(0, 0, 2, true, System.nanoTime() - 3000 * MS, System.nanoTime(), 2000, 200);
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
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunRecorder.HISTOGRAMS));
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
        assertEquals(1, log.get("session").get(0).getTotalCount());
        assertEquals(3000_000, log.get("session").get(0).getMaxValue(), 10_000);
        assertEquals(0, log.get("session").get(1).getTotalCount());
        assertEquals(9_090, log.get("tpot").get(0).getMinValue(), 10, "(1000 ms - 100 ms) / (100 - 1) output tokens");
        assertTrue(log.get("ttft").get(1).getStartTimeStamp() >= log.get("ttft").get(0).getEndTimeStamp());
    }

    @Test
    void writesOneJsonLinePerCallAndPerSession() throws IOException {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(false);
            recorder.recordCall(ok(100, 1000), 3, 7, 2);
            recorder.recordCall(failed(5), 4, 0, 0);
            recorder.recordSession(3, 7, 3, true, System.nanoTime() - 2000 * MS, System.nanoTime(), 3000, 300);
            recorder.endWindow();
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve(RunRecorder.CALLS));
        assertEquals(2, lines.size());
        JsonNode call = json.readTree(lines.get(0));
        assertEquals("measure", call.get("phase").asText());
        assertEquals(0, call.get("window").asInt());
        assertEquals(3, call.get("user").asInt());
        assertEquals(7, call.get("session").asInt());
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

        List<String> sessions = Files.readAllLines(dir.resolve(RunRecorder.SESSIONS));
        JsonNode session = json.readTree(sessions.get(0));
        assertEquals(3, session.get("steps").asInt());
        assertTrue(session.get("ok").asBoolean());
        assertEquals(2_000_000, session.get("duration_us").asLong(), 20_000);
    }

    @Test
    void callLinesReachTheDiskWithinASecondWhileTheRunGoesOn() throws Exception {
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            recorder.beginWindow(false);
            recorder.recordCall(ok(100, 1000), 0, 0, 0);
            long deadline = System.nanoTime() + 3000 * MS;
            while (Files.size(dir.resolve(RunRecorder.CALLS)) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, Files.readAllLines(dir.resolve(RunRecorder.CALLS)).size(), "flushed by the background flusher");
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
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunRecorder.HISTOGRAMS));
        assertEquals(1, log.get("ttft").size());
        assertEquals(1, log.get("ttft").get(0).getTotalCount());
        assertEquals(1, Files.readAllLines(dir.resolve(RunRecorder.CALLS)).size());
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
        Map<String, List<Histogram>> log = readLog(dir.resolve(RunRecorder.HISTOGRAMS));
        List<Histogram> ttft = log.get("ttft");
        assertEquals(2, ttft.size());
        assertEquals(2, ttft.get(0).getTotalCount());
        assertEquals(1, ttft.get(1).getTotalCount());
        assertEquals(333_000, ttft.get(1).getMaxValue(), 400);
        assertEquals(ttft.get(0).getEndTimeStamp(), ttft.get(1).getStartTimeStamp(), 1.0, "windows tile time (HdrHistogram reads ms back ±1)");
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve(RunRecorder.CALLS));
        assertEquals(3, lines.size());
        assertEquals("measure/0", label(json.readTree(lines.get(0))));
        assertEquals("measure/0", label(json.readTree(lines.get(1))));
        assertEquals("measure/1", label(json.readTree(lines.get(2))));
    }

    private static String label(JsonNode line) {
        return line.get("phase").asText() + "/" + line.get("window").asInt();
    }
}
