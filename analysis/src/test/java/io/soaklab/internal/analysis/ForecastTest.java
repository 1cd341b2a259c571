package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forecast on a run whose tasks all cost the same ($0.0245, {@link SyntheticRun}): what is
 * left uncertain is only what the ranges say, so each band can be worked out by hand.
 */
class ForecastTest {

    @TempDir
    Path dir;

    private Forecast forecast(int months, Forecast.Ranges ranges) throws Exception {
        SyntheticRun.write(dir, 3);
        RunData run = RunData.load(dir);
        BigDecimal growth = BigDecimal.valueOf((ranges.growthLow() + ranges.growthHigh()) / 2);
        return Projection.of(dir, run.costs().tariff(), run.catalog(),
                new Projection.Parameters(new BigDecimal("1000"), growth, months, List.of(), LocalDate.of(2027, 1, 1), ranges)).forecast();
    }

    private static void assertNear(double expected, BigDecimal actual, double relative, String what) {
        assertEquals(expected, actual.doubleValue(), expected * relative, what);
    }

    @Test
    void withNothingUncertainButIdenticalTasksEveryFutureSpendsTheSame() throws Exception {
        Forecast f = forecast(2, Forecast.Ranges.none(0));
        Forecast.Spread first = f.months().get(0).spend();
        for (BigDecimal v : List.of(first.mean(), first.p10(), first.p50(), first.p90())) {
            assertEquals(new BigDecimal("759.50"), v); // 31 days x 1,000 tasks x $0.0245
        }
        assertEquals(new BigDecimal("1445.50"), f.total().mean()); // + 28 x 1,000 x 0.0245
    }

    @Test
    void aVolumeRangeGivesTheUniformsQuantiles() throws Exception {
        Forecast f = forecast(1, new Forecast.Ranges(0.9, 1.1, 0, 0, 0, 0));
        Forecast.Spread s = f.months().get(0).spend();
        assertNear(759.50, s.mean(), 0.01, "the mean");
        assertNear(759.50 * 0.92, s.p10(), 0.01, "P10 of a volume uniform on 90..110 % is 92 %");
        assertNear(759.50 * 1.08, s.p90(), 0.01, "P90: 108 %");
    }

    @Test
    void retriesAddTheirMeanAndUncertainGrowthWidensTheBandWithTheHorizon() throws Exception {
        Forecast retried = forecast(1, new Forecast.Ranges(1, 1, 0, 0, 0, 0.10));
        assertNear(759.50 * 1.05, retried.months().get(0).spend().mean(), 0.01, "up to 10 more retries per 100: 5 on average");

        Forecast growing = forecast(12, new Forecast.Ranges(1, 1, 0.0, 0.2, 0, 0));
        double early = width(growing.months().get(1).spend());
        double late = width(growing.months().get(11).spend());
        assertTrue(late > 3 * early, "growth compounds: the band's width relative to the mean grows, " + early + " then " + late);
        Forecast.Spread total = growing.total();
        assertTrue(total.p10().compareTo(total.mean()) < 0 && total.mean().compareTo(total.p90()) < 0, total.toString());
        assertTrue(growing.covers().contains("growth of 0.0 % to 20.0 % a month"), growing.covers());
    }

    private static double width(Forecast.Spread s) {
        return (s.p90().doubleValue() - s.p10().doubleValue()) / s.mean().doubleValue();
    }
}
