package io.soaklab.internal.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.run.RunManifest;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A shard measures its clock against the endpoint's {@code Date} header: whole seconds, narrowed
 * by bisection to about the round trip, and always an interval that holds the true offset.
 */
class ClockCheckTest {

    /** A machine whose clock is {@code offset} ms behind the endpoint's, a round trip of {@code rtt} ms. */
    private static RunManifest.Clock measure(long offset, long rtt, long startAt) throws InterruptedException {
        long[] now = {startAt};
        ClockCheck check = new ClockCheck(() -> now[0], () -> {
            now[0] += rtt / 2;
            long date = Math.floorDiv(now[0] + offset, 1000) * 1000; // the endpoint stamps its answer halfway
            now[0] += rtt - rtt / 2;
            return Optional.of(date);
        }, at -> now[0] = Math.max(now[0], at));
        return check.run(10_000, "test");
    }

    @Test
    void bisectionNarrowsTheEndpointsWholeSecondsToAboutTheRoundTripAndHoldsTheTruth() throws Exception {
        for (long offset : new long[] {0, 437, -2_250, 999, 86_400_123}) {
            for (long start : new long[] {1_796_000_000_000L, 1_796_000_000_731L}) {
                RunManifest.Clock c = measure(offset, 6, start);
                assertEquals(ClockCheck.SAMPLES, c.samples());
                assertTrue(Math.abs(c.offsetMs() - offset) <= c.uncertaintyMs(), "offset " + offset + " lies within " + c);
                assertTrue(c.uncertaintyMs() <= 12, "8 answers halve a second down to the round trip (6 ms) and a little: " + c);
            }
        }
    }

    /** A machine whose clock is {@code offset} ms behind a server that formats its Date on a timer of phase {@code phase} ms, as uvicorn does. */
    private static RunManifest.Clock measureCached(long offset, long phase, long startAt) throws InterruptedException {
        long[] now = {startAt};
        ClockCheck check = new ClockCheck(() -> now[0], () -> {
            now[0] += 3;
            long date = Math.floorDiv(now[0] + offset - phase, 1000) * 1000; // last formatted at the timer's tick, whole seconds
            now[0] += 3;
            return Optional.of(date);
        }, at -> now[0] = Math.max(now[0], at));
        return check.run(10_000, "test");
    }

    @Test
    void aDateFormattedOnATimerReadsLateByItsPhaseAndShardsAskingTheSameServerStillCompareTruly() throws Exception {
        long phase = 600;
        RunManifest.Clock a = measureCached(0, phase, 1_796_000_000_000L);
        RunManifest.Clock b = measureCached(250, phase, 1_796_000_000_417L); // a second machine, 250 ms behind the first
        assertTrue(Math.abs(a.offsetMs() - (-phase)) <= a.uncertaintyMs(), "what Date can tell: the timer's clock, late by its phase: " + a);
        long apart = b.offsetMs() - a.offsetMs();
        assertTrue(Math.abs(apart - 250) <= a.uncertaintyMs() + b.uncertaintyMs(), "the two machines differ by 250 ms: " + apart + " ms, " + a + " " + b);
        assertTrue(a.against().equals("test"), "one server's answers agree with one clock");
    }

    @Test
    void answersOfSeveralServersBehindOneAddressContradictEachOtherAndSaySo() throws Exception {
        long[] now = {1_796_000_000_000L};
        int[] n = {0};
        ClockCheck check = new ClockCheck(() -> now[0], () -> {
            now[0] += 3;
            long phase = n[0]++ % 2 == 0 ? 0 : 700; // two replicas, each formatting Date on its own timer
            long date = Math.floorDiv(now[0] - phase, 1000) * 1000;
            now[0] += 3;
            return Optional.of(date);
        }, at -> now[0] = Math.max(now[0], at));
        RunManifest.Clock c = check.run(10_000, "test");
        assertTrue(c.against().contains("contradicted each other"), c.toString());
        assertTrue(c.uncertaintyMs() >= 1000, "known to a second, no better: " + c);
    }

    @Test
    void oneAnswerPlacesTheClockWithinASecondAndNoDateHeaderMeansUnknown() throws Exception {
        long[] now = {1_796_000_000_000L};
        ClockCheck one = new ClockCheck(() -> now[0], () -> Optional.of(Math.floorDiv(now[0] + 300, 1000) * 1000), at -> now[0] = at);
        RunManifest.Clock c = one.run(0, "test"); // no time for a second request
        assertEquals(1, c.samples());
        assertTrue(Math.abs(c.offsetMs() - 300) <= c.uncertaintyMs() && c.uncertaintyMs() <= 500, c.toString());
        ClockCheck none = new ClockCheck(() -> now[0], Optional::empty, at -> now[0] = at);
        assertNull(none.run(10_000, "test"), "no Date header: the clock is unknown, not 0");
    }

    @Test
    void anHttpDateIsReadAsServersWriteIt() {
        assertEquals(Optional.of(784_111_777_000L), ClockCheck.parseDate("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(Optional.empty(), ClockCheck.parseDate("yesterday"));
    }

    @Test
    void againstTheEmbeddedEndpointOnThisMachineTheTrueOffsetZeroLiesWithinWhatWasMeasured() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(SimConfig.builder().build())) {
            RunManifest.Clock c = ClockCheck.against(endpoint.baseUrl(), Duration.ofSeconds(10));
            assertTrue(c.samples() >= 2, c.toString());
            assertTrue(Math.abs(c.offsetMs()) <= c.uncertaintyMs(), "one machine, one clock: 0 lies within " + c);
            assertTrue(c.uncertaintyMs() < 500, "narrower than one answer's second: " + c);
            assertTrue(c.against().startsWith("Date header of http://127.0.0.1:"), c.against());
        }
    }
}
