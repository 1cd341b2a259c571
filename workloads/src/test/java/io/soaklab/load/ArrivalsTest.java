package io.soaklab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arrival schedules: when an open load's episodes are intended to start. */
class ArrivalsTest {

    private static final double S = 1e9;

    @TempDir
    Path dir;

    private static long[] first(String spec, int n) {
        Arrivals.Schedule s = Arrivals.parse(spec).schedule(42);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.next();
        }
        return out;
    }

    @Test
    void aConstantRateIsEvenlySpacedFromTheStart() {
        long[] t = first("constant:4/s", 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(i * 0.25, t[i] / S, 1e-3);
        }
        assertEquals(0.5, first("constant:30/m", 2)[1] / S / 4, 1e-3, "30 a minute: one every 2 s");
    }

    @Test
    void aPoissonProcessHasTheMeanRateAndIrregularGaps() {
        long[] t = first("poisson:50/s", 5000);
        assertEquals(100, t[4999] / S, 5, "5,000 arrivals at 50 a second: about 100 s");
        double[] gaps = new double[4999];
        double mean = 0;
        for (int i = 1; i < t.length; i++) {
            gaps[i - 1] = (t[i] - t[i - 1]) / S;
            mean += gaps[i - 1] / gaps.length;
        }
        double var = 0;
        for (double g : gaps) {
            var += (g - mean) * (g - mean) / gaps.length;
        }
        assertEquals(1.0, Math.sqrt(var) / mean, 0.1, "exponential gaps: standard deviation equals the mean");
    }

    @Test
    void aRampRisesLinearlyThenHolds() {
        // 0 to 10 a second over 10 s: 50 arrivals in the ramp, then 10 a second
        Arrivals.Schedule s = Arrivals.parse("ramp:0/s..10/s@10s").schedule(1);
        int inRamp = 0;
        long t;
        while ((t = s.next()) < 10 * S) {
            inRamp++;
        }
        assertEquals(50, inRamp, 1);
        long next = s.next();
        assertEquals(0.1, (next - t) / S, 0.005, "full rate after the ramp");
    }

    @Test
    void stepsHoldEachRateForTheirPeriod() {
        Arrivals.Schedule s = Arrivals.parse("step:2/s,10/s@5s").schedule(1);
        int first = 0;
        int second = 0;
        long t;
        while ((t = s.next()) < 15 * S) {
            if (t < 5 * S) {
                first++;
            } else {
                second++;
            }
        }
        assertEquals(10, first, 1);
        assertEquals(100, second, 1, "the last rate holds on");
    }

    @Test
    void aZeroStepIsAPauseAndAFinalZeroEndsTheSchedule() {
        Arrivals.Schedule s = Arrivals.parse("step:2/s,0/s,2/s,0/s@1s").schedule(1);
        long[] t = new long[6];
        for (int i = 0; i < 6; i++) {
            t[i] = s.next();
        }
        // every half second while the rate is 2/s; the spacing carries over the pause
        assertEquals(List.of(0.0, 0.5, 1.0, 2.5, 3.0), java.util.Arrays.stream(t, 0, 5).mapToObj(x -> Math.round(x / S * 1000) / 1000.0).toList());
        assertEquals(-1, t[5], "zero from the fourth second on: the schedule ends, at once");
        Arrivals.Schedule down = Arrivals.parse("ramp:4/s..0/s@2s").schedule(1);
        int n = 0;
        while (down.next() >= 0) {
            n++;
        }
        assertEquals(4, n, 1, "a ramp down to zero sends its area, then ends");
    }

    @Test
    void aRampUpScalesAnyRateFromZero() {
        Arrivals.Schedule s = Arrivals.parse("constant:10/s").withRampUp(Duration.ofSeconds(4)).schedule(1);
        int inRampUp = 0;
        while (s.next() < 4 * S) {
            inRampUp++;
        }
        assertEquals(20, inRampUp, 1, "half the arrivals of 4 s at full rate");
    }

    @Test
    void aReplayFollowsItsTimestampsAndEnds() throws Exception {
        Path csv = dir.resolve("arrivals.csv");
        Files.writeString(csv, "timestamp,user\n# production, Tuesday\n1700000000.5,a\n1700000001.0,b\n\n1700000003.25,c\n");
        long[] t = first("csv:" + csv, 4);
        assertEquals(0, t[0]);
        assertEquals(0.5, t[1] / S, 1e-6);
        assertEquals(2.75, t[2] / S, 1e-6);
        assertEquals(-1, t[3], "the replay ends with its file");
        Path iso = dir.resolve("iso.txt");
        Files.writeString(iso, "2026-11-21T10:00:00Z\n2026-11-21T10:00:02.500Z\n");
        assertEquals(2.5, first("csv:" + iso, 2)[1] / S, 1e-6);
    }

    @Test
    void badSpecificationsAreOneClearLine() throws Exception {
        Path back = dir.resolve("back.csv");
        Files.writeString(back, "5\n3\n");
        Path words = dir.resolve("words.csv");
        Files.writeString(words, "t\n1\nsoon\n");
        String[][] cases = {
            {"5/s", "--arrival '5/s': write constant:5/s, poisson:5/s, ramp:1/s..20/s@10m, step:2/s,5/s@5m or csv:FILE"},
            {"constant:fast", "--arrival 'constant:fast': 'fast' is not a rate: write e.g. 5/s, 300/m or 100/h"},
            {"constant:-1/s", "--arrival 'constant:-1/s': rate '-1/s' must be zero or more"},
            {"poisson:0/s", "--arrival 'poisson:0/s': rate '0/s' must be above zero"},
            {"constant:1e12/s", "--arrival 'constant:1e12/s': rate '1e12/s' is above 100000 a second, more than one machine can start"},
            {"step:0/s,0/m@1m", "--arrival 'step:0/s,0/m@1m': every step's rate is zero: nothing would ever be sent"},
            {"ramp:1/s..5/s", "--arrival 'ramp:1/s..5/s': write ramp:FROM..TO@DURATION"},
            {"step:1/s,2/s@0s", "--arrival 'step:1/s,2/s@0s': the duration must be positive"},
            {"burst:5/s", "--arrival 'burst:5/s': unknown arrival process 'burst' (known: constant, poisson, ramp, step, csv)"},
            {"csv:" + back, "--arrival 'csv:" + back + "': " + back + " line 2: times must not go backwards"},
            {"csv:" + words, "--arrival 'csv:" + words + "': " + words + " line 3: 'soon' is not a time (seconds or an ISO-8601 instant)"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], assertThrows(IllegalArgumentException.class, () -> Arrivals.parse(c[0])).getMessage());
        }
        assertTrue(Arrivals.parse("poisson:5/s").describe().startsWith("poisson:5/s"));
    }

    @Test
    void theExpectedCountIsTheRateIntegratedOverTheSpan() {
        assertEquals(300, Arrivals.parse("constant:5/s").expected(Duration.ofMinutes(1)), 1e-6);
        assertEquals(300, Arrivals.parse("poisson:300/m").expected(Duration.ofMinutes(1)), 1e-6);
        // a triangle to 10/s over 10 s, then 10/s for 10 s: 50 + 100
        assertEquals(150, Arrivals.parse("ramp:0/s..10/s@10s").expected(Duration.ofSeconds(20)), 0.01);
        assertEquals(2 * 5 + 4 * 5, Arrivals.parse("step:2/s,4/s@5s").expected(Duration.ofSeconds(10)), 0.01);
        // a ramp-up of 10 s loses half its span's arrivals: 5/s x (60 - 5) s
        assertEquals(275, Arrivals.parse("constant:5/s").withRampUp(Duration.ofSeconds(10)).expected(Duration.ofMinutes(1)), 0.01);
    }
}
