package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drift over hours, rehearsed in seconds through time compression. */
class DriftTest {

    private static final long MS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void latencyRisesByTheConfiguredRatePerHour() throws Exception {
        // +100% an hour, one real second is one drift hour
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(100)).prefillTokensPerSecond(1_000_000)
                .decodeTokensPerSecond(1000).outputTokensMedian(2).outputTokensSigma(0).jitter(0)
                .drift(new SimConfig.Drift(1.0, Duration.ZERO, 0, Duration.ZERO, Duration.ZERO, 0, 3600)).build();
        Path truthFile = dir.resolve(io.soaklab.internal.layout.RunFile.SIM_TRUTH.fileName());
        CallResult early;
        CallResult hourLater;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim, truthFile);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            early = client.send(Http.conversation(10, 5, 10), System.nanoTime()).join();
            Thread.sleep(Math.max(0, 1000 - early.e2eNanos() / MS)); // the schedule itself: the next call an hour (a second) later
            hourLater = client.send(Http.conversation(10, 6, 10), System.nanoTime()).join();
        }
        Map<String, JsonNode> truth = new HashMap<>();
        for (String line : Files.readAllLines(truthFile)) {
            JsonNode n = new ObjectMapper().readTree(line);
            truth.put(n.get("id").asText(), n);
        }
        // the endpoint's own record of the factor it applied, from the time each request arrived
        double first = truth.get(early.requestId()).get("latency_factor").asDouble();
        double second = truth.get(hourLater.requestId()).get("latency_factor").asDouble();
        assertTrue(first >= 1.0 && first < 1.2, "at the start: x" + first);
        assertTrue(second >= 1.9 && second < 2.5 && second - first >= 0.9, "an hour of drift later, about doubled: x" + first + ", then x" + second);
        // and the client saw what the endpoint did: at least the drifted base latency, before the headers
        long before = early.headersNanos() - early.lagNanos();
        long after = hourLater.headersNanos() - hourLater.lagNanos();
        assertTrue(before >= Math.round(100 * first) * MS - MS, "at the start: " + before / MS + " ms");
        assertTrue(after >= Math.round(100 * second) * MS - MS, "an hour later: " + after / MS + " ms");
    }

    @Test
    void errorBurstsComeOnSchedule() throws Exception {
        // a burst of an hour every two hours; one real second is one drift hour: bursts at [2 s, 3 s), [4 s, 5 s) ...
        // Each sample is half a second from an edge, so a busy machine cannot move it across one.
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).decodeTokensPerSecond(5000).outputTokensMedian(2)
                .drift(new SimConfig.Drift(0, Duration.ZERO, 0, Duration.ofHours(2), Duration.ofHours(1), 1.0, 3600)).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            long start = System.nanoTime();
            assertEquals(ErrorClass.OK, client.send(Http.conversation(5, 1, 5), System.nanoTime()).join().error(), "before the first burst");
            sleepUntil(start + 2500 * MS);
            CallResult inBurst = client.send(Http.conversation(5, 2, 5), System.nanoTime()).join();
            assertEquals(ErrorClass.HTTP_5XX, inBurst.error(), "inside a burst");
            sleepUntil(start + 3500 * MS);
            assertEquals(ErrorClass.OK, client.send(Http.conversation(5, 3, 5), System.nanoTime()).join().error(), "after it");
            assertTrue(endpoint.count("burst_error") >= 1);
        }
    }

    @Test
    void loadWavesTakeBatchSlotsAndSlowStreamsDown() throws Exception {
        // a wave of depth 1 over a 4 s period (compressed): at its crest, 2 s in, background load fills the batch
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).prefillTokensPerSecond(1_000_000).decodeTokensPerSecond(100)
                .outputTokensMedian(10).outputTokensSigma(0).jitter(0).maxBatch(10).slowdown(0.1, 0)
                .drift(new SimConfig.Drift(0, Duration.ofHours(4), 1.0, Duration.ZERO, Duration.ZERO, 0, 3600)).build();
        Path truthFile = dir.resolve(io.soaklab.internal.layout.RunFile.SIM_TRUTH.fileName());
        CallResult trough;
        CallResult crest;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim, truthFile);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            long start = System.nanoTime();
            trough = client.send(Http.conversation(5, 1, 50), System.nanoTime()).join();
            sleepUntil(start + 1900 * MS);
            crest = client.send(Http.conversation(5, 2, 50), System.nanoTime()).join();
        }
        Map<String, JsonNode> truth = new HashMap<>();
        for (String line : Files.readAllLines(truthFile)) {
            JsonNode n = new ObjectMapper().readTree(line);
            truth.put(n.get("id").asText(), n);
        }
        // the endpoint's own account of the gap it planned when each stream began decoding, and of the slots busy then:
        // the client's mean gap would also carry a busy machine's late first token (measured under load: 9.2 ms for 10)
        double quiet = truth.get(trough.requestId()).get("planned_itl_us").asDouble() / 1000;
        double busy = truth.get(crest.requestId()).get("planned_itl_us").asDouble() / 1000;
        double slotsQuiet = truth.get(trough.requestId()).get("busy_at_start").asDouble();
        double slotsBusy = truth.get(crest.requestId()).get("busy_at_start").asDouble();
        // alone: 10 ms a token; beside nine busy slots at 10% each: 19 ms
        assertTrue(quiet >= 9.5 && quiet < 13, "in the trough a stream is nearly alone: " + quiet + " ms, " + slotsQuiet + " slots busy");
        assertTrue(slotsBusy - slotsQuiet >= 4, "at the crest the background load takes batch slots: " + slotsQuiet + " then " + slotsBusy);
        assertTrue(busy / quiet > 1.4, "at the crest nine slots of background load slow it: " + busy + " vs " + quiet + " ms");
        assertEquals(ErrorClass.OK, trough.error());
        assertEquals(ErrorClass.OK, crest.error());
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / MS, (int) (left % MS));
        }
    }
}
