package io.soaklab.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The breaker's states, on a clock the test moves. */
class CircuitBreakerTest {

    private static final long S = 1_000_000_000L;

    @Test
    void opensOnAFailingWindowThenLetsOneTrialDecide() {
        CircuitBreaker b = new CircuitBreaker(new Resilience.Breaker(0.5, 4, Duration.ofSeconds(10), Duration.ofSeconds(5)));
        long t = 100 * S;
        b.record(false, t);
        b.record(true, t);
        b.record(false, t);
        assertTrue(b.permit(t), "three calls are below the minimum");
        b.record(true, t);
        assertFalse(b.permit(t + 1), "2 of 4 failed: open");
        assertFalse(b.permit(t + 4 * S));
        assertTrue(b.permit(t + 5 * S), "after 5 s one trial goes out");
        assertFalse(b.permit(t + 5 * S + 1), "and only one");
        b.record(true, t + 5 * S + 2);
        assertFalse(b.permit(t + 6 * S), "the trial failed: open again");
        assertEquals(2, b.openings());
        assertTrue(b.permit(t + 11 * S));
        b.record(false, t + 11 * S);
        assertTrue(b.permit(t + 11 * S + 1), "the trial succeeded: closed");
        for (int i = 0; i < 3; i++) {
            b.record(true, t + 12 * S);
        }
        assertTrue(b.permit(t + 12 * S), "a closed breaker starts counting afresh");
    }

    @Test
    void oldOutcomesLeaveTheWindow() {
        CircuitBreaker b = new CircuitBreaker(new Resilience.Breaker(0.5, 4, Duration.ofSeconds(10), Duration.ofSeconds(5)));
        long t = 100 * S;
        b.record(true, t);
        b.record(true, t);
        b.record(true, t);
        b.record(false, t + 11 * S);
        assertTrue(b.permit(t + 11 * S), "the three failures are older than the 10 s window");
    }
}
