package io.soaklab.internal.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.soaklab.internal.resilience.Guard.Pass;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The breaker's states, on a clock the test moves. */
class CircuitBreakerTest {

    private static final long S = 1_000_000_000L;

    private static CircuitBreaker breaker() {
        return new CircuitBreaker(new Resilience.Breaker(0.5, 4, Duration.ofSeconds(10), Duration.ofSeconds(5)));
    }

    @Test
    void opensOnAFailingWindowThenLetsOneTrialDecide() {
        CircuitBreaker b = breaker();
        long t = 100 * S;
        b.record(false, Pass.GRANTED, t);
        b.record(true, Pass.GRANTED, t);
        b.record(false, Pass.GRANTED, t);
        assertEquals(Pass.GRANTED, b.permit(t), "three calls are below the minimum");
        b.record(true, Pass.GRANTED, t);
        assertEquals(Pass.DENIED, b.permit(t + 1), "2 of 4 failed: open");
        assertEquals(Pass.DENIED, b.permit(t + 4 * S));
        assertEquals(Pass.TRIAL, b.permit(t + 5 * S), "after 5 s one trial goes out");
        assertEquals(Pass.DENIED, b.permit(t + 5 * S + 1), "and only one");
        b.record(true, Pass.TRIAL, t + 5 * S + 2);
        assertEquals(Pass.DENIED, b.permit(t + 6 * S), "the trial failed: open again");
        assertEquals(2, b.openings());
        assertEquals(Pass.TRIAL, b.permit(t + 11 * S));
        b.record(false, Pass.TRIAL, t + 11 * S);
        assertEquals(Pass.GRANTED, b.permit(t + 11 * S + 1), "the trial succeeded: closed");
        for (int i = 0; i < 3; i++) {
            b.record(true, Pass.GRANTED, t + 12 * S);
        }
        assertEquals(Pass.GRANTED, b.permit(t + 12 * S), "a closed breaker starts counting afresh");
    }

    @Test
    void onlyTheTrialDecidesNotCallsLetThroughBeforeItOpened() {
        CircuitBreaker b = breaker();
        long t = 100 * S;
        for (int i = 0; i < 4; i++) {
            b.record(true, Pass.GRANTED, t);
        }
        assertEquals(Pass.TRIAL, b.permit(t + 5 * S));
        b.record(false, Pass.GRANTED, t + 5 * S + 1); // a slow call from before the breaker opened succeeds late
        assertEquals(Pass.DENIED, b.permit(t + 5 * S + 2), "still half-open, waiting for its trial");
        b.record(true, Pass.TRIAL, t + 5 * S + 3);
        assertEquals(Pass.DENIED, b.permit(t + 5 * S + 4), "the trial failed: open");
        assertEquals(2, b.openings());
    }

    @Test
    void oldOutcomesLeaveTheWindow() {
        CircuitBreaker b = breaker();
        long t = 100 * S;
        b.record(true, Pass.GRANTED, t);
        b.record(true, Pass.GRANTED, t);
        b.record(true, Pass.GRANTED, t);
        b.record(false, Pass.GRANTED, t + 11 * S);
        assertEquals(Pass.GRANTED, b.permit(t + 11 * S), "the three failures are older than the 10 s window");
    }
}
