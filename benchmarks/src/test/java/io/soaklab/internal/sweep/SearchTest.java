package io.soaklab.internal.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.Capacity;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.record.StageLine;
import io.soaklab.internal.run.Slo;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.run.RunConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;

/** Where a sweep goes next: the ladder, then bisection to the bracket, never a level twice, and the early stops, each said. */
class SearchTest {

    private static final Slo TTFT = Slo.parseAll("ttft.p99=1s").get(0);

    private static RunConfig.Sweep users(int from, int to) {
        return new RunConfig.Sweep(RunConfig.Sweep.Kind.USERS, from, to, 2, 0.1, Duration.ofSeconds(1), 3);
    }

    private static RunConfig.Sweep rates(double from, double to) {
        return new RunConfig.Sweep(RunConfig.Sweep.Kind.RATE, from, to, 2, 0.1, Duration.ofSeconds(1), 3);
    }

    private static Capacity.Stage stage(int n, double level, boolean met, long rateLimited, long errors, int generatorBoundWindows) {
        double ttft = met ? 500_000 : 3_000_000;
        return new Capacity.Stage(new StageLine(n, level, StageLine.Search.LADDER, 4 * n, 1, 3, 0), 3, 3, 100, errors, 100, rateLimited, 0, 100,
                1000, Double.NaN, Percentiles.EMPTY, Percentiles.EMPTY, Percentiles.EMPTY, null, null, generatorBoundWindows, 1,
                List.of(new Capacity.Objective(TTFT, ttft, ttft, ttft, 3)), errors > 0 ? ErrorClass.HTTP_5XX : null);
    }

    /** Runs the search against an endpoint that meets the objectives exactly at the levels {@code meets} says. */
    private static List<Capacity.Stage> sweep(RunConfig.Sweep sweep, DoublePredicate meets, StringBuilder why) {
        Search search = new Search(sweep);
        List<Capacity.Stage> stages = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Search.Step step = search.next(stages);
            if (step.stops()) {
                why.append(step.stop());
                return stages;
            }
            stages.add(stage(i, step.level(), meets.test(step.level()), 0, 0, 0));
        }
        throw new AssertionError("no end after 100 stages: " + stages.stream().map(Capacity.Stage::level).toList());
    }

    @Test
    void usersAreBracketedToOneApartOrThePrecisionAtAnyPlantedKnee() {
        for (int knee = 4; knee <= 500; knee += 7) {
            int k = knee;
            StringBuilder why = new StringBuilder();
            List<Capacity.Stage> stages = sweep(users(4, 512), level -> level <= k, why);
            Set<Double> seen = new HashSet<>();
            stages.forEach(s -> assertTrue(seen.add(s.level()), "level " + s.level() + " measured twice: knee " + k));
            double lo = stages.stream().filter(Capacity.Stage::met).mapToDouble(Capacity.Stage::level).max().orElseThrow();
            double hi = stages.stream().filter(s -> !s.met()).mapToDouble(Capacity.Stage::level).min().orElseThrow();
            assertTrue(lo <= k && k < hi && (hi == lo + 1 || hi <= lo * 1.1), "knee " + k + " in [" + lo + ", " + hi + "]: one apart, or within the precision");
            assertEquals("the bracket is tight: " + (long) lo + " users met every objective, " + (long) hi + " users missed", why.toString());
            assertTrue(stages.size() <= 2 * Math.log(512.0 / 4) / Math.log(2) + 2, "a ladder and a bisection: " + stages.size() + " stages");
        }
    }

    @Test
    void ratesAreBracketedWithinThePrecisionAndNeverRepeatTheTop() {
        for (double knee = 1.3; knee < 190; knee *= 1.37) {
            double k = knee;
            StringBuilder why = new StringBuilder();
            List<Capacity.Stage> stages = sweep(rates(1, 200), level -> level <= k, why);
            double lo = stages.stream().filter(Capacity.Stage::met).mapToDouble(Capacity.Stage::level).max().orElseThrow();
            double hi = stages.stream().filter(s -> !s.met()).mapToDouble(Capacity.Stage::level).min().orElseThrow();
            assertTrue(lo <= k && k < hi && hi <= lo * 1.1 + 1e-9, "knee " + k + " in [" + lo + ", " + hi + "]: " + why);
        }
        // a top that rounding (three significant digits) never reaches exactly: the ladder stops there, it does not run it again and again
        StringBuilder why = new StringBuilder();
        List<Capacity.Stage> stages = sweep(rates(1, 1234), level -> true, why);
        assertEquals(List.of(1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1020.0, 1230.0), stages.stream().map(Capacity.Stage::level).toList());
        assertEquals("every stage met every objective, up to the highest level asked for, 1230/s", why.toString());
        // a factor too small to move a small level once rounded: one user, or one in the third digit, more
        StringBuilder small = new StringBuilder();
        List<Capacity.Stage> climb = sweep(new RunConfig.Sweep(RunConfig.Sweep.Kind.USERS, 2, 6, 1.25, 0.1, Duration.ofSeconds(1), 3), level -> true, small);
        assertEquals(List.of(2.0, 3.0, 4.0, 5.0, 6.0), climb.stream().map(Capacity.Stage::level).toList());
        assertEquals("every stage met every objective, up to the highest level asked for, 6 users", small.toString());
    }

    @Test
    void itStopsWhenSearchingOnWouldNotFindACapacity() {
        Search search = new Search(users(4, 64));
        assertTrue(search.next(List.of(stage(0, 4, false, 0, 0, 0))).stop().startsWith("the lowest level, 4 users, already missed"));
        assertTrue(search.next(List.of(stage(0, 4, true, 0, 0, 0), stage(1, 8, false, 30, 0, 0))).stop()
                .startsWith("the provider's rate limit refused 30% of the calls at 8 users"));
        assertTrue(search.next(List.of(stage(0, 4, true, 0, 0, 0), stage(1, 8, false, 0, 60, 0))).stop()
                .startsWith("errors dominate at 8 users: 60% of the calls failed, mostly http_5xx"));
        assertTrue(search.next(List.of(stage(0, 4, true, 0, 0, 0), stage(1, 8, false, 0, 0, 2))).stop()
                .startsWith("the load generator itself was the limit at 8 users"));
        // one window of three behind its schedule is a busy machine, not the generator's limit: the search goes on
        Search.Step on = search.next(List.of(stage(0, 4, true, 0, 0, 0), stage(1, 8, false, 0, 0, 1)));
        assertEquals(6, on.level());
        assertEquals(StageLine.Search.BISECT, on.how());
    }
}
