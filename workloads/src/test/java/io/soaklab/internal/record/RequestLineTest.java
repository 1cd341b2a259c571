package io.soaklab.internal.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code requests.jsonl.gz}: each attempt read back as it was asked and sent, within its bound, whole up to where a kill cut it. */
class RequestLineTest {

    @TempDir
    Path dir;

    private static final TimeBase TIME = TimeBase.now();

    private static ChatRequest request(int i) {
        ToolCall call = new ToolCall("call_" + i, "read_file", "{\"path\":\"src/F" + i + ".java\"}");
        return new ChatRequest(List.of(Message.system("You are careful. \u00e9\u4e2d\"quoted\"\n"), Message.user("Fix test " + i),
                new Message("assistant", "", List.of(call), null, false), Message.toolResult("call_" + i, "no such file", true)), 4_000 + i,
                List.of(new ToolSpec("read_file", "Reads a file.", "{\"type\":\"object\"}")), ChatRequest.ToolChoice.AUTO, true,
                ChatRequest.CacheTtl.ONE_HOUR, ChatRequest.Reasoning.thinking(2048));
    }

    @Test
    void eachAttemptReadsBackAsItWasAskedAndSent() throws Exception {
        long t0 = System.nanoTime();
        try (RequestLine.Writer w = new RequestLine.Writer(dir, TIME, RequestLine.DEFAULT_LIMIT)) {
            for (int i = 0; i < 50; i++) {
                byte[] body = ("{\"model\":\"m\",\"n\":" + i + ",\"text\":\"\u00e9\\n\"}").getBytes(StandardCharsets.UTF_8);
                w.write(new CallInfo(i % 3, i, i % 2 == 0 ? "agent" : "specialist-1", i, 1 + i % 2, true, t0), t0 + i * 1_000_000L, request(i), body);
            }
            assertEquals(50, w.written());
        }
        List<RequestLine.Recorded> read = new ArrayList<>();
        RequestLine.Reading reading = RequestLine.read(dir, read::add);
        assertTrue(reading.present());
        assertEquals(0, reading.badLines());
        assertEquals(50, read.size());
        for (int i = 0; i < 50; i++) {
            RequestLine.Recorded r = read.get(i);
            assertEquals(request(i), r.request(), "the request as soaklab asked it, every field");
            assertEquals("{\"model\":\"m\",\"n\":" + i + ",\"text\":\"\u00e9\\n\"}", r.body(), "the body as sent");
            assertEquals(TIME.epochMicros(t0 + i * 1_000_000L), r.intendedMicros());
            assertEquals(i % 3, r.user());
            assertEquals(1 + i % 2, r.attempt());
        }
    }

    @Test
    void pastItsLimitNothingMoreIsKeptAndWhatWasNotIsCounted() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        long kept;
        long skipped;
        try (RequestLine.Writer w = new RequestLine.Writer(dir, TIME, 100_000)) {
            for (int i = 0; i < 40; i++) {
                byte[] body = new byte[20_000]; // a body of its own each time, 4 random bits a character: about 10 KB compressed
                for (int c = 0; c < body.length; c++) {
                    body[c] = (byte) ('a' + random.nextInt(16));
                }
                w.write(new CallInfo(0, i, "agent", 0, 1, true, 0), 0, request(i), body);
                w.flush();
            }
            kept = w.written();
            skipped = w.skipped();
        }
        assertEquals(40, kept + skipped);
        assertTrue(skipped > 0 && kept > 0, kept + " kept, " + skipped + " skipped");
        assertTrue(Files.size(dir.resolve("requests.jsonl.gz")) < 100_000 + 40_000, "the file stays near its bound: " + Files.size(dir.resolve("requests.jsonl.gz")));
        List<RequestLine.Recorded> read = new ArrayList<>();
        RequestLine.read(dir, read::add);
        assertEquals(kept, read.size());
    }

    @Test
    void aFileCutOffByAKillReadsUpToItsLastFlush() throws Exception {
        RequestLine.Writer w = new RequestLine.Writer(dir, TIME, RequestLine.DEFAULT_LIMIT);
        for (int i = 0; i < 10; i++) {
            w.write(new CallInfo(0, i, "agent", 0, 1, true, 0), 0, request(i), "{}".getBytes(StandardCharsets.UTF_8));
        }
        w.flush(); // the run's flusher, each second
        w.write(new CallInfo(0, 10, "agent", 0, 1, true, 0), 0, request(10), "{}".getBytes(StandardCharsets.UTF_8));
        Path cut = Files.copy(dir.resolve("requests.jsonl.gz"), dir.resolve("cut.gz")); // as a kill -9 leaves it: no close
        Files.move(cut, dir.resolve("requests.jsonl.gz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<RequestLine.Recorded> read = new ArrayList<>();
        RequestLine.Reading reading = RequestLine.read(dir, read::add);
        assertEquals(10, read.size(), "every flushed line, nothing invented");
        assertFalse(reading.badLines() > 1, "at most the cut line is bad");
    }
}
