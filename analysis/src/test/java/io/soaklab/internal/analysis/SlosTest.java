package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.run.Slo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objectives held against {@link SyntheticRun}'s known contents: per window, ten calls with TTFT
 * (w+1) × 100 ms and E2E 1 s, one HTTP 429 (1 of 11 calls failed), and one successful 10-second
 * episode costing $0.0245.
 */
class SlosTest {

    @TempDir
    Path dir;

    @Test
    void attainmentPerWindowWhichFailsFirstAndGoodput() throws Exception {
        SyntheticRun.write(dir, 4);
        Slos s = Slos.evaluate(RunData.load(dir), Slo.parseAll("ttft.p99=350ms,errors=10%,e2e.p99=2s,episode.p95=20s,episode.cost.p95=$0.02"));

        Slos.Verdict ttft = s.verdicts().get(0);
        assertEquals(3, ttft.windowsMet(), "100, 200 and 300 ms meet 350 ms; 400 ms does not");
        assertEquals(3, ttft.firstMissed());
        assertFalse(ttft.met(), "over the run the p99 is 400 ms");
        assertEquals(400_000, ttft.value(), 400);
        assertEquals(100_000, ttft.perWindow().get(0), 100);
        assertEquals(4, ttft.windowsWithData());

        Slos.Verdict errors = s.verdicts().get(1);
        assertTrue(errors.met());
        assertEquals(4, errors.windowsMet());
        assertEquals(1 / 11.0, errors.value(), 1e-12);

        assertTrue(s.verdicts().get(2).met(), "E2E 1 s");
        Slos.Verdict episode = s.verdicts().get(3);
        assertTrue(episode.met(), "10 s episodes");
        assertEquals(10_000_000, episode.value(), 10_000);

        Slos.Verdict cost = s.verdicts().get(4);
        assertFalse(cost.met());
        assertEquals(0.0245, cost.value(), 1e-12);
        assertEquals(0, cost.firstMissed());
        assertEquals(cost, s.firstToFail(), "the cost objective failed in the first window, TTFT only in the fourth");

        assertTrue(s.hasCallGoodput() && s.hasEpisodeGoodput());
        assertEquals(10.0 / 11, s.callAttainment(0), 1e-12, "the 429 is not good");
        assertEquals(0.0, s.callAttainment(3), "every call of the 400 ms window misses the TTFT limit");
        assertEquals(30.0 / 44, s.callGoodput()[1], 1e-12);
        assertEquals(0.0, s.episodeGoodput()[1], "every episode cost more than $0.02");
    }

    @Test
    void noObjectiveMissedMeansNoneFailsFirst() throws Exception {
        SyntheticRun.write(dir, 3);
        Slos s = Slos.evaluate(RunData.load(dir), Slo.parseAll("ttft.p50=1s"));
        assertTrue(s.verdicts().get(0).met());
        assertEquals(null, s.firstToFail());
        assertFalse(s.hasEpisodeGoodput());
        assertEquals(1.0 * 30 / 33, s.callGoodput()[1], 1e-12);
    }

    @Test
    void aCostObjectiveOnAnUnpricedRunHasNoDataRatherThanBeingMet() throws Exception {
        SyntheticRun.write(dir, 3);
        RunData run = RunData.load(dir);
        Path unpriced = dir.resolve("run.json");
        java.nio.file.Files.writeString(unpriced, java.nio.file.Files.readString(unpriced)
                .replace("\"price_as\" : \"synthetic-1\"", "\"price_as\" : \"none\""));
        Slos s = Slos.evaluate(RunData.load(dir), Slo.parseAll("episode.cost.p95=$0.02"));
        Slos.Verdict cost = s.verdicts().get(0);
        assertFalse(cost.measured());
        assertFalse(cost.missed());
        assertEquals(0, cost.windowsWithData());
        assertTrue(run.costs() != null, "priced, the same run has a cost");
    }
}
