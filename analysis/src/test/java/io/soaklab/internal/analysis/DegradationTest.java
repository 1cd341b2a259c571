package io.soaklab.internal.analysis;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.report.Sentences;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Degradation found in a run folder and stated in words ({@link Sentences}), each finding with its test; nothing stated for flat noise. */
class DegradationTest {

    @TempDir
    Path dir;

    private static Degradation.Finding series(Degradation d, String name) {
        return d.series().stream().filter(f -> f.series().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void oneStalledCallIsNotAGeneratorThatFellBehind() {
        org.HdrHistogram.Histogram lag = new org.HdrHistogram.Histogram(3);
        org.HdrHistogram.Histogram ttft = new org.HdrHistogram.Histogram(3);
        for (int i = 0; i < 68; i++) {
            lag.recordValue(2_000);
            ttft.recordValue(225_000);
        }
        lag.recordValue(117_000); // a busy machine's one hiccup: of 69 calls, the p99 is this call
        ttft.recordValue(225_000);
        assertEquals(117_000, Percentiles.of(lag).p99(), 117);
        assertFalse(Degradation.lagMatters(Percentiles.of(lag), Percentiles.of(ttft)), "one call of 69 is the p99, and says nothing of the run");
        for (int i = 0; i < 7; i++) {
            lag.recordValue(150_000); // now more than a tenth of the calls started 150 ms late: that is the generator
        }
        assertTrue(Degradation.lagMatters(Percentiles.of(lag), Percentiles.of(ttft)));
        // with 300 calls, the p99 speaks for three of them
        org.HdrHistogram.Histogram many = new org.HdrHistogram.Histogram(3);
        for (int i = 0; i < 296; i++) {
            many.recordValue(2_000);
        }
        for (int i = 0; i < 4; i++) {
            many.recordValue(150_000);
        }
        assertTrue(Degradation.lagMatters(Percentiles.of(many), Percentiles.of(ttft)));
        assertFalse(Degradation.lagMatters(Percentiles.EMPTY, Percentiles.of(ttft)), "no calls, no verdict");
    }

    @Test
    void aPlantedDriftIsStatedWithItsSizeAndTest() throws Exception {
        long[] noise = new Random(2).longs(24, -15, 16).toArray();
        SyntheticRun.write(dir, 24, w -> 300 + 10L * w + noise[w], w -> 1); // +10 ms a one-second window: +36 s an hour
        Degradation d = Degradation.of(RunData.load(dir));
        assertEquals(24, d.tested());
        assertEquals(4_000, d.partMillis());
        Degradation.Finding ttft = series(d, "TTFT p50");
        assertTrue(ttft.worse());
        assertTrue(ttft.trend().pValue() < 0.001);
        assertEquals(10 * 3600, ttft.trend().slope(), 3 * 3600, "ms an hour");
        // the first 4 windows' median near 315 ms, the last 4's near 515 ms
        assertEquals(315, ttft.first(), 20);
        assertEquals(515, ttft.last(), 20);
        String text = Sentences.finding(d, ttft);
        assertTrue(text.matches("TTFT p50 rose \\d+% from the first to the last 4s \\(3\\d\\d ms to 5\\d\\d ms, 0:00:20 apart;"
                + " trend \\+3\\d(\\.\\d)? s an hour, 95% CI \\+3\\d(\\.\\d)? s to \\+\\d\\d(\\.\\d)? s; Mann-Kendall p < 0\\.001\\)\\."),
                text); // a drift is a trend, not a staircase of steps
        assertTrue(Sentences.summary(d).endsWith(" series degraded over the run:"), Sentences.summary(d));
        assertFalse(series(d, "error rate").stated(), "one 429 in every window: flat");
        assertNull(Sentences.finding(d, series(d, "error rate")));
    }

    @Test
    void aPlantedStepIsPlacedInTime() throws Exception {
        long[] noise = new Random(4).longs(30, -20, 21).toArray();
        SyntheticRun.write(dir, 30, w -> (w < 18 ? 250 : 700) + noise[w], w -> 1);
        Degradation d = Degradation.of(RunData.load(dir));
        Degradation.Finding ttft = series(d, "TTFT p99");
        assertEquals(1, ttft.steps().size(), ttft.toString());
        Degradation.Step step = ttft.steps().get(0);
        assertEquals(18_000, step.elapsedMillis());
        assertEquals(18, step.window());
        String text = Sentences.finding(d, ttft);
        assertTrue(text.contains("step from window 19 (0:00:18 into the run; +4"), text);
        assertTrue(text.contains("permutation p < 0.01") || text.contains("permutation p < 0.001"), text);
    }

    @Test
    void subSecondWindowsKeepTheirTimeAxis() throws Exception {
        // the same drift of +10 ms a window, in 500 ms windows: +72 s an hour, parts of 2 s
        long[] noise = new Random(2).longs(24, -15, 16).toArray();
        SyntheticRun.write(dir, 24, Duration.ofMillis(500), w -> 300 + 10L * w + noise[w], w -> 1);
        Degradation d = Degradation.of(RunData.load(dir));
        assertEquals(2_000, d.partMillis());
        Degradation.Finding ttft = series(d, "TTFT p50");
        assertEquals(72 * 1000, ttft.trend().slope(), 20 * 1000, "ms an hour");
        assertTrue(Sentences.finding(d, ttft).contains(" from the first to the last 2s ("), Sentences.finding(d, ttft));
    }

    @Test
    void aLongRunOfShortWindowsIsTestedOnGroupsOfWindows() throws Exception {
        // as an 8-hour run of 100 ms windows is tested on 2,000 groups of 15, 300 windows are tested here on 100 groups of 3
        long[] noise = new Random(8).longs(300, -15, 16).toArray();
        SyntheticRun.write(dir, 300, Duration.ofMillis(100), w -> 300 + w + noise[w], w -> 1); // +10 ms a second
        Degradation.Finding ttft = series(Degradation.of(RunData.load(dir), 100), "TTFT p50");
        assertEquals(36_000, ttft.trend().slope(), 4_000, "ms an hour");
        assertEquals(100, ttft.trend().n());
        assertEquals(300, series(Degradation.of(RunData.load(dir)), "TTFT p50").trend().n(), "below the limit, every window is a point");
    }

    @Test
    void flatNoiseIsNotADegradation() throws Exception {
        long[] noise = new Random(6).longs(24, -40, 41).toArray();
        SyntheticRun.write(dir, 24, w -> 400 + noise[w], w -> 1);
        Degradation d = Degradation.of(RunData.load(dir));
        // every series but throughput: SyntheticRun's windows last as long as the machine takes to write them, which a busy machine varies
        assertEquals(List.of(), d.findings().stream().filter(f -> !f.series().equals("throughput")).toList());
        assertEquals(List.of("TTFT p50", "TTFT p99", "E2E p99", "error rate", "throughput", "cost per call", "probe accuracy"),
                d.series().stream().map(Degradation.Finding::series).toList(), "each was tested (SyntheticRun has no inter-token gaps)");
    }

    @Test
    void windowsWhereTheGeneratorLaggedAreLeftOutAndTooFewWindowsAreSaidSo() throws Exception {
        // windows 10..13 planted slow, but the generator lagged 500 ms there: not the endpoint's fault
        SyntheticRun.write(dir, 24, w -> w >= 10 && w < 14 ? 2_000 : 300, w -> w >= 10 && w < 14 ? 500 : 1);
        Degradation d = Degradation.of(RunData.load(dir));
        assertEquals(List.of(10, 11, 12, 13), d.generatorBound());
        assertEquals(20, d.tested());
        assertTrue(series(d, "TTFT p99").steps().isEmpty(), "the slow windows are not a step");

        // the generator's own figures: CPU at 95 % in windows 3 and 4, GC for 200 ms of the one-second window 20
        StringBuilder health = new StringBuilder();
        for (int w = 0; w < 24; w++) {
            health.append("{\"phase\":\"measure\",\"window\":").append(w).append(",\"gc_ms\":").append(w == 20 ? 200 : 3)
                    .append(",\"cpu\":").append(w == 3 || w == 4 ? 0.95 : 0.2).append(",\"heap_mb\":40,\"threads\":30}\n");
        }
        Files.writeString(dir.resolve(RunFile.GENERATOR.fileName()), health);
        Degradation healthBound = Degradation.of(RunData.load(dir));
        assertEquals(List.of(3, 4, 10, 11, 12, 13, 20), healthBound.generatorBound());

        Path shortRun = dir.resolve("short");
        SyntheticRun.write(shortRun, 5, w -> 100, w -> 1);
        assertEquals("Too few windows (5) to test for trends: 8 or more are needed.", Sentences.summary(Degradation.of(RunData.load(shortRun))));
    }

    @Test
    void probeAccuracyAgainstContextIsACochranArmitageTrend() {
        // the long-context probe measured in README: 78.7 %, 75.0 %, 67.0 %, 47.9 % exact at 2k, 8k, 32k and 64k tokens
        double[] test = ContextTrend.cochranArmitage(new double[] {2, 8, 32, 64}, new long[] {324, 304, 294, 286}, new long[] {255, 228, 197, 137});
        assertEquals(-0.004827, test[0], 1e-6, "-0.48 points per 1,000 tokens");
        assertTrue(test[1] < 1e-10, "z = -8.68: p = " + test[1]);
        double[] flat = ContextTrend.cochranArmitage(new double[] {2, 8, 32}, new long[] {100, 100, 100}, new long[] {70, 71, 70});
        assertEquals(1.0, flat[1], 0.05);
    }

    @Test
    void latencyAgainstContextIsStatedWithItsTest() throws Exception {
        SyntheticRun.write(dir, 12); // steps of 1,000..1,900 prompt tokens, every call's E2E 1 s
        List<String> context = ContextTrend.of(RunData.load(dir)).stream().map(Sentences::context).toList();
        assertEquals(List.of("E2E p50 shows no significant trend with context (Mann-Kendall p = 1.00 over 10 steps); measured, step 0"
                + " (1,000 prompt tokens) took 1.00 s and step 9 (1,900) 1.00 s.",
                // $1 per million input, $10 per million output, 100 output tokens a call: +$0.001 per 1,000 prompt tokens
                "Cost per call grows by $0.001 per 1,000 prompt tokens: the Theil-Sen line over 10 steps runs from $0.00200 at 1,000 prompt"
                + " tokens to $0.00290 at 1,900 (Mann-Kendall p < 0.001); measured, $0.00200 a call at 1,000 prompt tokens and $0.00290 at 1,900."),
                context);
    }
}
