package io.soaklab.internal.bench;

import io.soaklab.bench.AgentSoak;
import io.soaklab.internal.bench.SoakLauncher;
import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole soak through JMH (forked) against the embedded endpoint, checked against its plan. */
class SoakLauncherTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aShortSoakWritesEveryFileAndMeasuresTheConfiguredLatencies() throws Exception {
        // no prefix caching and no jitter: every call's TTFT has a simple plan, 100 ms + prompt / 20,000 tokens/s
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(100)).prefillTokensPerSecond(20_000)
                .decodeTokensPerSecond(100).outputTokensMedian(40).outputTokensSigma(0.3).jitter(0)
                .caching(new SimConfig.Caching(false, Duration.ZERO, 0, 1, 0)).build();
        RunConfig config = RunConfig.builder().concurrency(8).window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(3))
                .warmup(Duration.ofSeconds(1)).seed(5).sim(sim).build();
        Path dir = tmp.resolve("run");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertEquals(RunStatus.COMPLETE, outcome.status(), outcome.problem());
        assertEquals(dir.resolve(Report.FILE), outcome.report());
        RunManifest manifest = RunManifest.read(dir);
        assertEquals(3, manifest.windowsCompleted());
        assertNotEquals(manifest.pid(), manifest.loadPid(), "the load ran in a JVM forked by JMH");
        String lines = progress.toString(StandardCharsets.UTF_8);
        assertTrue(lines.contains("soaklab: 8 coding-agent users against http://127.0.0.1:"), lines);

        // histograms.hlog: three contiguous one-second intervals per tag, readable by HdrHistogram
        Map<String, List<EncodableHistogram>> byTag = new HashMap<>();
        try (HistogramLogReader reader = new HistogramLogReader(dir.resolve(RunFile.HISTOGRAMS.fileName()).toFile())) {
            for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
                byTag.computeIfAbsent(h.getTag(), t -> new ArrayList<>()).add(h);
            }
        }
        for (String tag : List.of("ttft", "ttft-sent", "itl", "tpot", "e2e", "e2e-failed", "attempt", "ttft-tool", "episode", "schedule-lag")) {
            assertEquals(3, byTag.get(tag).size(), tag);
        }
        List<EncodableHistogram> e2e = byTag.get("e2e");
        for (int i = 0; i < 3; i++) {
            long length = e2e.get(i).getEndTimeStamp() - e2e.get(i).getStartTimeStamp();
            assertTrue(length >= 1000 && length < 1500, "window " + i + " lasted " + length + " ms");
            if (i > 0) {
                // HdrHistogram logs seconds with three decimals and truncates when it reads them back: ±1 ms
                assertEquals(e2e.get(i - 1).getEndTimeStamp(), e2e.get(i).getStartTimeStamp(), 1.0);
            }
        }

        // calls.jsonl: every measured call, its TTFT against the endpoint's plan of 100 ms + prompt / 20,000 tokens/s
        Map<String, JsonNode> truth = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve(EmbeddedEndpoint.TRUTH_FILE))) {
            JsonNode t = JSON.readTree(line);
            truth.put(t.get("id").asText(), t);
        }
        List<Double> ttftError = new ArrayList<>();
        List<Double> truthError = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        long measured = 0;
        long open = 0;
        for (String line : Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()))) {
            JsonNode call = JSON.readTree(line);
            if (!call.get("phase").asText().equals("measure")) {
                continue;
            }
            if (call.get("error").asText().equals("open")) {
                open++; // still open when the run ended: on record, in no histogram
                assertEquals(2, call.get("window").asInt(), line);
                assertTrue(call.get("e2e_us").asLong() > 0, line);
                continue;
            }
            measured++;
            assertEquals("ok", call.get("error").asText(), line);
            double planned = 100 + call.get("prompt_tokens").asLong() / 20.0;
            JsonNode t = truth.get(call.get("request_id").asText());
            // soaklab never sees a token before the endpoint sent it, nor a call answered before its plan
            long ttftSent = call.get("ttft_sent_us").asLong();
            assertTrue(ttftSent >= t.get("first_token_us").asLong() - 1, "measured " + ttftSent + " µs, sent at " + t.get("first_token_us"));
            assertTrue(call.get("ttft_us").asLong() / 1000.0 >= planned - 1, "not answered before the configured 100 ms + prefill: " + line);
            assertEquals(call.get("lag_us").asLong() + ttftSent, call.get("ttft_us").asLong(), 1, "TTFT from the intended start is lag + TTFT from sending");
            ttftError.add(call.get("ttft_us").asLong() / 1000.0 - planned);
            truthError.add((ttftSent - t.get("first_token_us").asLong()) / 1000.0);
            long output = t.get("output_tokens").asLong();
            if (output > 2 && call.has("itl_mean_us")) { // the gaps soaklab saw against the gaps the endpoint made
                double served = (t.get("last_token_us").asLong() - t.get("first_token_us").asLong()) / 1000.0 / (output - 1);
                itl.add(call.get("itl_mean_us").asLong() / 1000.0 - served);
            }
        }
        long inHistograms = e2e.stream().mapToLong(h -> ((org.HdrHistogram.Histogram) h).getTotalCount()).sum();
        assertEquals(measured, inHistograms, "every measured call line is in a window's histogram");
        assertTrue(measured >= 15, "8 users for 3 s of ~0.6 s calls: " + measured);
        Collections.sort(ttftError);
        Collections.sort(itl);
        double medianError = ttftError.get(ttftError.size() / 2);
        Collections.sort(truthError);
        double medianTruth = truthError.get(truthError.size() / 2);
        // how closely soaklab measures is a benchmark's figure (README, "Measured"); here, on a machine that may be busy, only that its
        // own overhead is a small part of a 100 ms plan, and that the excess over the plan is mostly that overhead, not lost time
        assertTrue(medianTruth >= 0 && medianTruth < 50, "median of measured - true TTFT (the endpoint's own log): " + medianTruth + " ms");
        assertTrue(medianError >= 0, "median TTFT exceeds its plan by " + medianError + " ms");
        double medianItl = itl.get(itl.size() / 2);
        assertTrue(Math.abs(medianItl) < 1.5, "median inter-token gap measured minus served by the endpoint: " + medianItl + " ms");

        JsonNode jmh = JSON.readTree(dir.resolve("jmh.json").toFile()).get(0);
        assertEquals("io.soaklab.bench.AgentSoak.soak", jmh.get("benchmark").asText());
        assertEquals(3, jmh.get("measurementIterations").asInt());
        double jmhCalls = jmh.get("secondaryMetrics").get("calls").get("score").asDouble();
        // the same quantity over JMH's own iteration times, which a busy machine stretches or shrinks a little: a few of ~30 calls
        assertEquals(measured / 3.0, jmhCalls, measured / 3.0 * 0.5, "JMH's calls/s agrees with the recorded calls");
        String report = Files.readString(outcome.report());
        assertTrue(report.contains("Complete and healthy: every planned window ran and every call succeeded."), report);
        assertTrue(open <= 8, "at most one call a user is still open at the end: " + open);
        io.soaklab.internal.analysis.Fidelity fidelity = io.soaklab.internal.analysis.RunData.load(dir).fidelity();
        assertEquals(measured, fidelity.calls() + fidelity.newConnections(), "every measured call is in the endpoint's log");
        assertTrue(fidelity.ttftExcess().p50() >= 0 && fidelity.ttftExcess().p50() < 50_000, "median excess " + fidelity.ttftExcess().p50() + " µs");
        assertTrue(report.contains("<h2>Measurement fidelity</h2>"));
    }

    @Test
    void anAnthropicProtocolSoakRunsEndToEnd() throws Exception {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(20)).decodeTokensPerSecond(200).outputTokensMedian(20).build();
        RunConfig config = RunConfig.builder().api(io.soaklab.protocol.Api.ANTHROPIC).concurrency(4).window(Duration.ofSeconds(1))
                .duration(Duration.ofSeconds(2)).sim(sim).build();
        Path dir = tmp.resolve("anthropic");
        SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(RunStatus.COMPLETE, outcome.status(), outcome.problem());
        long ok = 0;
        java.util.Set<String> finishes = new java.util.HashSet<>();
        Map<String, String> served = new HashMap<>(); // the endpoint's own log: request id to outcome
        for (String line : Files.readAllLines(dir.resolve(EmbeddedEndpoint.TRUTH_FILE))) {
            JsonNode t = JSON.readTree(line);
            served.put(t.get("id").asText(), t.get("outcome").asText());
        }
        for (String line : Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()))) {
            JsonNode call = JSON.readTree(line);
            if (call.get("error").asText().equals("open")) {
                assertEquals(1, call.get("window").asInt(), "a call still open at the end is on record, in the last window: " + line);
                continue;
            }
            assertEquals("ok", call.get("error").asText(), line);
            assertTrue(call.get("request_id").asText().startsWith("req_"));
            assertEquals("complete", served.get(call.get("request_id").asText()), "the endpoint served this call whole: " + line);
            finishes.add(call.get("finish").asText());
            ok++;
        }
        assertTrue(finishes.contains("tool_use"), "the coding agent's tools went over the Messages API: " + finishes);
        assertTrue(java.util.Set.of("tool_use", "end_turn").containsAll(finishes), finishes.toString());
        assertTrue(ok >= 1, "calls ended in the measured windows, however busy the machine: " + ok);
        String truth = Files.readString(dir.resolve(EmbeddedEndpoint.TRUTH_FILE));
        assertTrue(truth.contains("\"api\":\"anthropic\""), "the endpoint served the Messages API");
        assertEquals("anthropic", JSON.readTree(dir.resolve(RunManifest.FILE).toFile()).get("config").get("target").get("api").asText());
    }
}
