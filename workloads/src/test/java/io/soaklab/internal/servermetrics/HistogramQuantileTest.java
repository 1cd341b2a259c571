package io.soaklab.internal.servermetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** PromQL's histogram_quantile, over the increase of cumulative buckets between two scrapes. */
class HistogramQuantileTest {

    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double[] BOUNDS = {0.1, 0.5, 1.0, INF};

    private static HistogramSeries series(double sum, double... cumulative) {
        return new HistogramSeries(Map.of(), BOUNDS, cumulative, sum, cumulative[cumulative.length - 1]);
    }

    @Test
    void aQuantileIsInterpolatedLinearlyInsideItsBucket() {
        double[] counts = {2, 6, 9, 10};
        assertEquals(0.05, HistogramQuantile.quantile(0.1, BOUNDS, counts), 1e-12, "rank 1 of 2 in [0, 0.1]");
        assertEquals(0.4, HistogramQuantile.quantile(0.5, BOUNDS, counts), 1e-12, "rank 3 of 4 in [0.1, 0.5]");
        assertEquals(0.5 + 0.5 * (2.0 / 3.0), HistogramQuantile.quantile(0.8, BOUNDS, counts), 1e-12);
    }

    @Test
    void aRankInThePlusInfBucketGivesTheHighestFiniteBound() {
        assertEquals(1.0, HistogramQuantile.quantile(0.95, BOUNDS, new double[] {2, 6, 9, 10}));
    }

    @Test
    void aHistogramsQuantileComesFromTheWindowsDeltaNotTheTotal() {
        HistogramSeries start = series(10, 100, 100, 100, 100);
        HistogramSeries end = series(17.5, 100, 100, 110, 110);
        assertEquals(0.75, HistogramQuantile.quantile(0.5, start, end), 1e-12, "the window's 10 calls were all in (0.5, 1]");
        assertEquals(0.055, HistogramQuantile.quantile(0.5, null, end), 1e-12, "the total since start says otherwise");
        HistogramSeries delta = HistogramQuantile.delta(start, end);
        assertEquals(10.0, delta.count());
        assertEquals(7.5, delta.sum(), 1e-12);
    }

    @Test
    void aCounterResetUsesTheLaterScrapeAlone() {
        HistogramSeries beforeRestart = series(500, 400, 900, 1000, 1000);
        HistogramSeries afterRestart = series(3, 2, 6, 9, 10);
        assertSame(afterRestart, HistogramQuantile.delta(beforeRestart, afterRestart));
        assertEquals(0.4, HistogramQuantile.quantile(0.5, beforeRestart, afterRestart), 1e-12);
    }

    @Test
    void otherBucketBoundsAreARestartToo() {
        HistogramSeries other = new HistogramSeries(Map.of(), new double[] {1, INF}, new double[] {1, 1}, 1, 1);
        HistogramSeries end = series(1, 1, 1, 1, 1);
        assertSame(end, HistogramQuantile.delta(other, end));
    }

    @Test
    void anIdleWindowHasNoQuantile() {
        HistogramSeries same = series(10, 1, 2, 3, 4);
        assertTrue(Double.isNaN(HistogramQuantile.quantile(0.5, same, same)));
    }

    @Test
    void theEdgesAreAsPromQlHasThem() {
        double[] counts = {2, 6, 9, 10};
        assertEquals(Double.NEGATIVE_INFINITY, HistogramQuantile.quantile(-0.1, BOUNDS, counts));
        assertEquals(INF, HistogramQuantile.quantile(1.1, BOUNDS, counts));
        assertTrue(Double.isNaN(HistogramQuantile.quantile(Double.NaN, BOUNDS, counts)));
        assertTrue(Double.isNaN(HistogramQuantile.quantile(0.5, new double[] {0.1, 0.5}, new double[] {1, 2})), "no +Inf bucket");
        assertTrue(Double.isNaN(HistogramQuantile.quantile(0.5, new double[] {INF}, new double[] {3})), "one bucket");
        assertEquals(0.0, HistogramQuantile.quantile(0.5, new double[] {0.0, 1, INF}, new double[] {5, 6, 6}),
                "a first bucket bounded at 0 gives 0");
        assertEquals(0.4, HistogramQuantile.quantile(0.5, BOUNDS, new double[] {2, 6, 5, 10}), 1e-12,
                "a count that falls is raised to its predecessor's");
    }

    @Test
    void vllmsTimeToFirstTokenQuantilesFromItsRecordedPage() {
        HistogramSeries ttft = Pages.family(Pages.scrape("vllm.prom"), "vllm:time_to_first_token_seconds").histograms().get(0);
        assertEquals(23, ttft.buckets(), "22 bounds and +Inf");
        assertEquals(300.0, ttft.count());
        assertEquals(0.06, HistogramQuantile.quantile(0.5, null, ttft), 1e-12);
        assertEquals(0.2, HistogramQuantile.quantile(0.9, null, ttft), 1e-12);
        assertEquals(0.85, HistogramQuantile.quantile(0.99, null, ttft), 1e-12);
    }
}
