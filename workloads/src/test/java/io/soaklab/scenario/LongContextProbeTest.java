package io.soaklab.scenario;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.load.ClosedLoad;
import io.soaklab.load.Lab;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.sim.SimConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe measures what the endpoint does: against an endpoint that answers correctly with a
 * known probability at each context length, the measured accuracy follows that curve.
 */
class LongContextProbeTest {

    @TempDir
    Path dir;

    private static final String PROBE = """
            name: probe-curve
            description: three lengths, four questions each
            kind: probe
            system_prompt_tokens: 20
            prompt_caching: false
            probe: {context_lengths: [1000, 4000, 16000], facts: 6, questions: 4, answer_tokens: 30}
            """;

    @Test
    void measuredAccuracyFollowsTheEndpointsCurveByContextLength() throws Exception {
        // the endpoint answers right with probability 2^(-tokens / 8000), whatever the depth
        SimConfig.Probes curve = new SimConfig.Probes(1.0, 8000, 0);
        SimConfig sim = Lab.fast(5000, 20).probes(curve).build();
        List<JsonNode> probes;
        List<JsonNode> episodes;
        try (Lab lab = new Lab(dir, sim, Lab.scenario(PROBE), Resilience.none())) {
            ClosedLoad load = new ClosedLoad(lab.runner, 4, Duration.ZERO, Duration.ZERO, Duration.ZERO);
            load.start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            int answers = 0;
            while (answers < 720 && System.nanoTime() < deadline) {
                if (lab.runner.awaitCall(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    answers++;
                }
            }
            load.stop();
            load.awaitStopped(5000);
            probes = lab.lines(RunFile.EVENTS.fileName()).stream().filter(e -> e.get("type").asText().equals("probe")).toList();
            episodes = lab.lines(RunFile.EPISODES.fileName());
        }
        Map<Integer, double[]> byLength = new TreeMap<>(); // questions, exact, expected
        for (JsonNode p : probes) {
            double[] t = byLength.computeIfAbsent(p.get("planned_tokens").asInt(), k -> new double[3]);
            t[0]++;
            t[1] += p.get("exact").asBoolean() ? 1 : 0;
            t[2] += curve.accuracy(p.get("context_tokens").asLong(), p.get("depth").asDouble());
            assertEquals(p.get("exact").asBoolean() ? 1.0 : p.get("similarity").asDouble(), p.get("similarity").asDouble());
            if (!p.get("exact").asBoolean()) {
                assertTrue(p.get("similarity").asDouble() < 0.5, "a wrong answer is another fact's code: " + p);
            }
        }
        assertEquals(3, byLength.size(), byLength.keySet().toString());
        for (Map.Entry<Integer, double[]> e : byLength.entrySet()) {
            double[] t = e.getValue();
            double measured = t[1] / t[0];
            double expected = t[2] / t[0];
            double sd = Math.sqrt(expected * (1 - expected) / t[0]);
            assertTrue(t[0] >= 100, e.getKey() + " tokens: " + t[0] + " questions");
            assertEquals(expected, measured, 4 * sd + 0.01, e.getKey() + " tokens: measured " + measured + ", curve " + expected
                    + " over " + (int) t[0] + " questions");
        }
        assertTrue(byLength.get(1000)[1] / byLength.get(1000)[0] > byLength.get(16000)[1] / byLength.get(16000)[0] + 0.4,
                "accuracy falls with context length");
        long wrong = episodes.stream().filter(ep -> !ep.get("ok").asBoolean()).count();
        assertTrue(episodes.stream().filter(ep -> !ep.get("ok").asBoolean()).allMatch(ep -> ep.get("reason").asText().equals("wrong_answer")));
        assertTrue(wrong > 0);
    }
}
