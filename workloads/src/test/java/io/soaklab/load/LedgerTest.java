package io.soaklab.load;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.CallInfo;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.sim.SimConfig;
import io.soaklab.internal.text.TokenEstimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every call sent is on record exactly once, whatever the run's end interrupts: a reply in flight, one just ended, a retry's wait. */
class LedgerTest {

    private static final ChatRequest HI = new ChatRequest(List.of(Message.user("hi")), 10);

    @TempDir
    Path dir;

    /** A client whose calls end when the test says, each with the result the test gives. */
    private static final class Manual implements ModelClient {
        final List<CompletableFuture<CallResult>> calls = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<CallResult> send(ChatRequest request, long intendedNanos) {
            CompletableFuture<CallResult> f = new CompletableFuture<>();
            calls.add(f);
            return f;
        }

        @Override
        public void close() {
        }
    }

    private static CallResult ok(long intended) {
        return new CallResult(intended, 1000, -1, 2000, 3000, 4000, 200, ErrorClass.OK, null, new Usage(10, 2, 0, 0, Usage.Source.SERVER),
                "ok", 2, 1000, 1000, "stop", null, List.of(), -1, null, -1, "", 10, -1, Set.of());
    }

    private List<JsonNode> lines(RunRecorder recorder) throws Exception {
        recorder.close();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()))) {
            out.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
        }
        return out;
    }

    @Test
    void aCallThatEndedAsTheRunEndedIsRecordedAsItEndedOnceAndOneStillInFlightAsOpen() throws Exception {
        Manual client = new Manual();
        RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
        recorder.beginWindow(false);
        Ledger ledger = new Ledger(client, recorder);
        UsageCheck usage = new UsageCheck(TokenEstimator.forModel("m"));
        long now = System.nanoTime();
        Ledger.Entry ended = ledger.send(HI, CallInfo.single(0, 0, "agent", 0, now), now, usage, null);
        Ledger.Entry inFlight = ledger.send(HI, CallInfo.single(1, 0, "agent", 0, now), now, usage, null);
        client.calls.get(0).complete(ok(now)); // its user has not recorded it yet when the run ends

        List<CallResult> open = ledger.end(System.nanoTime());
        assertEquals(1, open.size(), "only the one still in flight is open");
        assertThrows(InterruptedException.class, () -> ledger.record(ended, ok(now), ended.info, null),
                "its user finds it on record already: the run is over");
        assertThrows(InterruptedException.class, () -> ledger.send(HI, CallInfo.single(2, 0, "agent", 0, now), now, usage, null),
                "nothing is sent after the end");
        client.calls.get(1).complete(ok(now));
        assertThrows(InterruptedException.class, () -> ledger.record(inFlight, ok(now), inFlight.info, null));
        assertEquals(2, client.calls.size());

        List<JsonNode> lines = lines(recorder);
        assertEquals(2, lines.size(), "each call once");
        JsonNode first = lines.stream().filter(l -> l.get("user").asInt() == 0).findFirst().orElseThrow();
        JsonNode second = lines.stream().filter(l -> l.get("user").asInt() == 1).findFirst().orElseThrow();
        assertEquals("ok", first.get("error").asText(), "recorded as it ended, not as open");
        assertEquals("open", second.get("error").asText());
    }

    @Test
    void aCallWaitingToRetryWhenTheRunEndsIsOnRecordAsOpenFromItsFirstAttempt() throws Exception {
        SimConfig failing = Lab.fast(5000, 5).faults(new SimConfig.Faults(0, 0, 1.0, 0, 0, 0, 0, Duration.ofSeconds(1), 0, 0,
                Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO)).build(); // every request a 503
        Resilience patient = new Resilience(3, new Resilience.Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30), 1, false), false,
                Duration.ofSeconds(60), Resilience.TRANSIENT, null, null);
        io.soaklab.scenario.Scenario one = Lab.code("one", episode -> episode.call(HI));
        List<JsonNode> lines;
        try (Lab lab = new Lab(dir, failing, one, patient)) {
            long start = System.nanoTime();
            Thread user = new Thread(() -> {
                try {
                    lab.runner.run(0, 0, start);
                } catch (InterruptedException runEnded) {
                    // the run's end stops the episode, as at any run's end
                }
            });
            user.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lab.runner.openCalls(System.nanoTime()).stream().noneMatch(c -> c.errorDetail().startsWith("waiting to retry"))) {
                assertTrue(System.nanoTime() < deadline, "the first attempt failed and the call waits 30 s to retry");
                Thread.sleep(2);
            }
            List<CallResult> open = lab.runner.endRun(System.nanoTime());
            assertEquals(1, open.size());
            assertTrue(open.get(0).e2eNanos() >= open.get(0).intendedNanos() - start, "aged from its first attempt's intended start");
            user.interrupt(); // what load.stop() does: the wait for the retry ends
            user.join(10_000);
            lines = lab.lines(RunFile.CALLS.fileName());
        }
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("http_5xx", lines.get(0).get("error").asText());
        assertEquals(false, lines.get(0).get("last").asBoolean());
        JsonNode waiting = lines.get(1);
        assertEquals("open", waiting.get("error").asText());
        assertEquals(2, waiting.get("attempt").asInt());
        assertEquals(true, waiting.get("last").asBoolean(), "the call's last line: counted as a call, open");
        assertEquals("waiting to retry (attempt 2) when the run ended", waiting.get("error_detail").asText());
    }

    @Test
    void aCallItsEpisodeLeftIsRecordedOnceAsAClientErrorAndItsStreamStopped() throws Exception {
        Manual client = new Manual();
        RunRecorder recorder = RunRecorder.open(dir, TimeBase.now());
        recorder.beginWindow(false);
        Ledger ledger = new Ledger(client, recorder);
        UsageCheck usage = new UsageCheck(TokenEstimator.forModel("m"));
        long now = System.nanoTime();
        Ledger.Entry left = ledger.send(HI, CallInfo.single(0, 0, "coder", 0, now), now, usage, null);
        Ledger.Entry cancelled = ledger.send(HI, CallInfo.single(1, 0, "agent", 0, now), now, usage, null);
        client.calls.get(1).cancel(false); // the watchdog gave up on it, and the run ends before its user records it
        ledger.abandon(left, "the episode stopped (a sibling sub-agent failed)");
        assertTrue(client.calls.get(0).isCancelled(), "its stream is stopped");
        assertTrue(ledger.end(System.nanoTime()).isEmpty(), "the run's end finds only the cancelled one, and records it as a client error, not open");
        ledger.abandon(left, "again");
        List<JsonNode> lines = lines(recorder);
        assertEquals(2, lines.size(), "each once: " + lines);
        JsonNode first = lines.stream().filter(l -> l.get("user").asInt() == 0).findFirst().orElseThrow();
        assertEquals("client_error", first.get("error").asText());
        assertEquals("the episode stopped (a sibling sub-agent failed)", first.get("error_detail").asText());
        JsonNode second = lines.stream().filter(l -> l.get("user").asInt() == 1).findFirst().orElseThrow();
        assertEquals("client_error", second.get("error").asText(), "a cancelled future is no outcome, and does not stop the others' record");
    }
}
