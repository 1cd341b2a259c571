package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.report.Sentences;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {

    @TempDir
    Path dir;

    private static Comparison.Row row(Comparison c, String series) {
        return c.rows().stream().filter(r -> r.series().equals(series)).findFirst().orElseThrow();
    }

    @Test
    void mannWhitneyMatchesAHandComputedCase() {
        // x = 1, 2, 3, 4; y = 5, 6, 7, 8: U = 0, the most extreme of C(8, 4) = 70 equally likely splits at either end: exactly 2 / 70
        // (the normal approximation said 0.0304: a few windows a side are too few for it)
        assertEquals(2.0 / 70, Comparison.mannWhitney(new double[] {1, 2, 3, 4}, new double[] {5, 6, 7, 8}), 1e-12);
        // x = 1, 2, 4; y = 3, 5, 6: U = 1, splits with U <= 1 or U >= 8: 2 + 2 of C(6, 3) = 20
        assertEquals(4.0 / 20, Comparison.mannWhitney(new double[] {1, 2, 4}, new double[] {3, 5, 6}), 1e-12);
        assertEquals(1.0, Comparison.mannWhitney(new double[] {1, 2}, new double[] {5, 6, 7}), "too few windows to say");
        // identical samples: U = mean, z < 0 after the continuity correction, p = 1
        assertEquals(1.0, Comparison.mannWhitney(new double[] {1, 2, 3}, new double[] {1, 2, 3}), 1e-6);
    }

    @Test
    void aSlowerRunIsWorseAndTheSameRunIsNotDifferent() throws Exception {
        long[] n1 = new Random(1).longs(12, -20, 21).toArray();
        long[] n2 = new Random(2).longs(12, -20, 21).toArray();
        long[] n3 = new Random(3).longs(12, -20, 21).toArray();
        SyntheticRun.write(dir.resolve("a"), 12, w -> 300 + n1[w], w -> 1);
        SyntheticRun.write(dir.resolve("b"), 12, w -> 450 + n2[w], w -> 1);
        SyntheticRun.write(dir.resolve("c"), 12, w -> 300 + n3[w], w -> 1);
        RunData a = RunData.load(dir.resolve("a"));
        Comparison slower = Comparison.of(a, RunData.load(dir.resolve("b")));
        Comparison.Row ttft = row(slower, "TTFT p50");
        assertTrue(ttft.worse());
        assertTrue(ttft.pValue() < 0.001, "12 windows against 12, no overlap: p = " + ttft.pValue());
        assertTrue(Sentences.row(ttft).matches("TTFT p50 higher by (4[5-9]|5[0-5])% in B \\(3\\d\\d ms to 4\\d\\d ms, Mann-Whitney p < 0.001\\)"),
                Sentences.row(ttft));
        assertFalse(row(slower, "E2E p50").worse(), "both 1 s");

        Comparison same = Comparison.of(a, RunData.load(dir.resolve("c")));
        Comparison.Row flat = row(same, "TTFT p50");
        assertFalse(flat.pValue() < Comparison.ALPHA, Sentences.row(flat));
        assertTrue(Sentences.row(flat).startsWith("TTFT p50: no significant difference"), Sentences.row(flat));
    }

    @Test
    void windowsTooFewForAWindowTestAreSaidAndTheCallsAreTestedInstead() throws Exception {
        // three windows each, every call of B's windows twice as slow to its first token as A's
        SyntheticRun.write(dir.resolve("a"), 3, w -> 200, w -> 1);
        SyntheticRun.write(dir.resolve("b"), 3, w -> 400, w -> 1);
        assertTrue(Comparison.smallestP(3, 3) > Comparison.ALPHA, "3 against 3 cannot show anything at 0.01: " + Comparison.smallestP(3, 3));
        assertTrue(Comparison.smallestP(6, 6) < Comparison.ALPHA);
        Comparison c = Comparison.of(RunData.load(dir.resolve("a")), RunData.load(dir.resolve("b")));
        Comparison.Row ttft = row(c, "TTFT p50");
        assertEquals(Comparison.Test.CALLS, ttft.test());
        assertTrue(ttft.worse());
        assertEquals("TTFT p50 higher by 100% in B (200 ms to 400 ms, Mann-Whitney on 30 and 30 calls p < 0.001)", Sentences.row(ttft));
        assertEquals(Comparison.Test.NONE, row(c, "TTFT p99").test());
        List<String> caveats = Sentences.caveats(c);
        assertTrue(caveats.get(0).startsWith("3 windows of A and 3 windows of B are too few for a window test"), caveats.toString());
    }
}
