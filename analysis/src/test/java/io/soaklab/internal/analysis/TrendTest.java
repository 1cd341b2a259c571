package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Planted trends and steps are found; flat noise gives findings at no more than the stated rate. */
class TrendTest {

    private static double[] index(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }

    @Test
    void theilSenRecoversAPlantedSlopeDespiteOutliersAndMannKendallCallsItSignificant() {
        Random random = new Random(1);
        int n = 60;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = 200 + 1.5 * i + random.nextGaussian() * 10; // +1.5 a window, noise sd 10
        }
        y[7] = 5_000; // a GC pause or a blip: least squares would tilt, Theil-Sen does not
        y[40] = 9_000;
        Trend t = Trend.of(index(n), y);
        assertEquals(1.5, t.slope(), 0.25);
        assertEquals(200, t.intercept(), 10);
        assertTrue(t.pValue() < 1e-6, "p = " + t.pValue());
        assertTrue(t.z() > 0);
        assertEquals(60, t.n());
    }

    @Test
    void mannKendallMatchesAHandComputedCase() {
        // 1, 3, 2, 4, 5: of 10 pairs, 9 rise and 1 falls, S = 8; Var = 5 x 4 x 15 / 18 = 16.667;
        // Z = (8 - 1) / 4.0825 = 1.7146, two-sided p = 0.0864
        Trend t = Trend.of(index(5), new double[] {1, 3, 2, 4, 5});
        assertEquals(8, t.s());
        assertEquals(1.7146, t.z(), 1e-4);
        assertEquals(0.0864, t.pValue(), 1e-4);
        assertEquals(1.0, t.slope(), 1e-9); // the median of the ten pairwise slopes -1, 1/2, 1/2, 2/3, 1, 1, 1, 3/2, 2, 2
        // ties shrink the variance: 1, 1, 2, 2 has S = 4, Var = (4 x 3 x 13 - 2 x (2 x 1 x 9)) / 18 = 6.667
        Trend tied = Trend.of(index(4), new double[] {1, 1, 2, 2});
        assertEquals(4, tied.s());
        assertEquals(3 / Math.sqrt(120.0 / 18), tied.z(), 1e-9);
        assertEquals(0.0 / 0.0, Trend.of(index(0), new double[0]).intercept(), "nothing to fit");
        assertEquals(1, Trend.of(index(2), new double[] {1, 2}).pValue(), "two points prove nothing");
    }

    @Test
    void flatNoiseShowsATrendAtAboutTheStatedRate() {
        Random random = new Random(7);
        int trials = 400;
        int trends = 0;
        for (int r = 0; r < trials; r++) {
            double[] y = new double[48];
            for (int i = 0; i < y.length; i++) {
                y[i] = 100 + random.nextGaussian() * 15;
            }
            if (Trend.of(index(y.length), y).pValue() < 0.01) {
                trends++;
            }
        }
        // expected 4 of 400 at p < 0.01; allow for chance (binomial sd ~2)
        assertTrue(trends <= 10, trends + " false trends of " + trials);
    }

    @Test
    void aPlantedStepIsFoundWhereItIsWithBothLevels() {
        Random random = new Random(3);
        double[] y = new double[60];
        for (int i = 0; i < y.length; i++) {
            y[i] = (i < 38 ? 300 : 1_200) + random.nextGaussian() * 40;
        }
        y[20] = Double.NaN; // a window with no calls
        List<ChangePoint> found = ChangePoint.find(y, 0.01);
        assertEquals(1, found.size(), found.toString());
        ChangePoint c = found.get(0);
        assertEquals(38, c.index());
        assertEquals(300, c.before(), 30);
        assertEquals(1_200, c.after(), 30);
        assertTrue(c.pValue() <= 0.002, "p = " + c.pValue());
    }

    @Test
    void twoStepsAreBothFound() {
        Random random = new Random(5);
        double[] y = new double[90];
        for (int i = 0; i < y.length; i++) {
            y[i] = (i < 30 ? 100 : i < 60 ? 200 : 120) + random.nextGaussian() * 10;
        }
        List<ChangePoint> found = ChangePoint.find(y, 0.01);
        assertEquals(2, found.size(), found.toString());
        assertEquals(30, found.get(0).index(), 1);
        assertEquals(60, found.get(1).index(), 1);
    }

    @Test
    void fourStepsOnBothSidesAreAllFoundWithTheirLevels() {
        Random random = new Random(12);
        double[] y = new double[80];
        for (int i = 0; i < y.length; i++) {
            y[i] = (i < 13 ? 100 : i < 26 ? 250 : i < 40 ? 140 : i < 60 ? 400 : 900) + random.nextGaussian() * 10;
        }
        List<ChangePoint> found = ChangePoint.find(y, 0.01);
        assertEquals(List.of(13, 26, 40, 60), found.stream().map(ChangePoint::index).toList(), found.toString());
        assertEquals(400, found.get(3).before(), 15, "the level between the third and fourth step, not a mix");
        assertEquals(900, found.get(3).after(), 15);
    }

    @Test
    void flatNoiseShowsAStepAtAboutTheStatedRate() {
        Random random = new Random(11);
        int trials = 200;
        int steps = 0;
        for (int r = 0; r < trials; r++) {
            double[] y = new double[40];
            for (int i = 0; i < y.length; i++) {
                y[i] = 50 + random.nextGaussian() * 5;
            }
            if (!ChangePoint.find(y, 0.01).isEmpty()) {
                steps++;
            }
        }
        // expected 2 of 200 at alpha 0.01 for the first split
        assertTrue(steps <= 7, steps + " false steps of " + trials);
    }
}
