package io.soaklab.internal.run;

import io.soaklab.internal.run.Slo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class SloTest {

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Slo.parseAll(text)).getMessage();
    }

    @Test
    void readsLatencyRateAndCostObjectives() {
        List<Slo> slos = Slo.parseAll("ttft.p99=2s, e2e.p99=60s,errors=1%,episode.p95=10m,episode.cost.p95=$0.50,itl.p99.9=150ms");
        assertEquals(6, slos.size());
        assertEquals(new Slo("ttft", 99, BigDecimal.valueOf(2_000_000), "ttft.p99=2s"), slos.get(0));
        assertTrue(slos.get(0).perCall());
        assertEquals(0, new BigDecimal("0.01").compareTo(slos.get(2).limit()));
        assertFalse(slos.get(2).latency());
        assertEquals(600_000_000L, slos.get(3).limitMicros());
        assertTrue(slos.get(3).perEpisode() && !slos.get(3).perCall());
        assertEquals(0, new BigDecimal("0.50").compareTo(slos.get(4).limit()));
        assertEquals(99.9, slos.get(5).percentile());
        assertEquals(List.of(), Slo.parseAll(null));
        assertEquals(List.of(), Slo.parseAll(" "));
    }

    @Test
    void aMistakeIsOneLineSayingWhatToWrite() {
        assertEquals("--slo 'ttft=2s': name a percentile, e.g. ttft.p99", error("ttft=2s"));
        assertEquals("--slo 'ttft.p99': write e.g. ttft.p99=2s, e2e.p99=60s, errors=1%, episode.p95=10m or episode.cost.p95=$0.50", error("ttft.p99"));
        assertEquals("--slo 'latency.p99=2s': unknown metric 'latency': use ttft, itl, tpot, e2e, episode, episode.cost or errors", error("latency.p99=2s"));
        assertEquals("--slo 'ttft.pmax=2s': 'pmax' is not a percentile: write p50, p99 or p99.9", error("ttft.pmax=2s"));
        assertEquals("--slo 'ttft.p120=2s': a percentile is above 0 and at most 100", error("ttft.p120=2s"));
        assertEquals("--slo 'errors=0.01': an error rate is a percentage, e.g. errors=1%", error("errors=0.01"));
        assertEquals("--slo 'episode.cost.p95=cheap': 'cheap' is not a number", error("episode.cost.p95=cheap"));
        assertTrue(error("ttft.p99=2").startsWith("--slo 'ttft.p99=2': duration '2' has no unit"), error("ttft.p99=2"));
        assertEquals("--slo 'ttft.p99=1s,ttft.p99=2s': ttft is given twice", error("ttft.p99=1s,ttft.p99=2s"));
        assertEquals("--slo 'ttft.p99=1s,ttft.p50=2s': ttft is given twice", error("ttft.p99=1s,ttft.p50=2s"));
    }
}
