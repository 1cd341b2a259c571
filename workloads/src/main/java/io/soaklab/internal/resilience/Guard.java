package io.soaklab.internal.resilience;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import java.util.SplittableRandom;

/**
 * A {@link Resilience} policy at work for one client: its retry budget and circuit breaker are
 * shared by every agent using the client, as in a production service. Thread-safe.
 *
 * <pre>{@code
 * Guard guard = new Guard(Resilience.sdkDefaults());
 * for (int attempt = 1; ; attempt++) {
 *     Guard.Pass pass = guard.permit(System.nanoTime());
 *     CallResult r = pass == Guard.Pass.DENIED ? ... fail fast: circuit_open ... : client.send(request, intended).join();
 *     Guard.Decision next = guard.afterAttempt(r, pass, attempt, System.nanoTime(), jitter);
 *     if (!next.retry()) break;
 *     intended = System.nanoTime() + next.delayNanos();
 * }
 * }</pre>
 */
public final class Guard {

    /** Whether a call may go out: refused (breaker open), let through, or let through as the breaker's one trial. */
    public enum Pass { DENIED, GRANTED, TRIAL }

    /** What to do after an attempt: retry after a delay, or stop (and why). */
    public record Decision(boolean retry, long delayNanos, String stop) {
        static final Decision DONE = new Decision(false, 0, null);

        static Decision stop(String why) {
            return new Decision(false, 0, why);
        }
    }

    private final Resilience policy;
    private final RetryBudget budget;
    private final CircuitBreaker breaker;

    public Guard(Resilience policy) {
        this.policy = policy;
        this.budget = policy.budget() == null ? null : new RetryBudget(policy.budget());
        this.breaker = policy.breaker() == null ? null : new CircuitBreaker(policy.breaker());
    }

    public Resilience policy() {
        return policy;
    }

    /** Whether a call may go out now: {@link Pass#DENIED} while the breaker is open. */
    public Pass permit(long now) {
        return breaker == null ? Pass.GRANTED : breaker.permit(now);
    }

    /**
     * Takes an attempt's outcome into account and says what comes next.
     *
     * @param pass    what {@link #permit} said for it
     * @param attempt the attempt's number, 1 for the first
     * @param jitter  the random stream of this call's waits (apart from the scenario's, so that its
     *                requests do not depend on how many retries there were)
     */
    public Decision afterAttempt(CallResult r, Pass pass, int attempt, long now, SplittableRandom jitter) {
        if (pass == Pass.DENIED || r.error() == ErrorClass.CIRCUIT_OPEN) {
            return Decision.stop("circuit_open");
        }
        if (r.error() == ErrorClass.SPEND_LIMIT) {
            return Decision.stop("spend_limit");
        }
        if (attempt == 1 && budget != null) {
            budget.request(now);
        }
        if (breaker != null) {
            breaker.record(serverSideFailure(r.error()), pass, now);
        }
        if (r.ok()) {
            return Decision.DONE;
        }
        boolean worthIt = r.shouldRetry() != null ? r.shouldRetry() : policy.retryOn().contains(r.error());
        if (!worthIt) {
            return Decision.stop(r.shouldRetry() != null ? "server_said_no" : "not_retryable");
        }
        if (attempt >= policy.maxAttempts()) {
            return Decision.stop("attempts_exhausted");
        }
        long ceiling = policy.backoff().ceilingNanos(attempt + 1);
        long wait = policy.backoff().jitter() && ceiling > 0 ? jitter.nextLong(ceiling + 1) : ceiling;
        if (policy.honorRetryAfter() && r.retryAfterNanos() >= 0) {
            if (r.retryAfterNanos() > policy.maxRetryAfter().toNanos()) {
                return Decision.stop("retry_after_too_long");
            }
            wait = Math.max(wait, r.retryAfterNanos());
        }
        if (budget != null && !budget.tryRetry(now)) {
            return Decision.stop("budget_exhausted");
        }
        return new Decision(true, wait, null);
    }

    /** Times the breaker opened. */
    public long breakerOpenings() {
        return breaker == null ? 0 : breaker.openings();
    }

    /** Failures that say the endpoint is unwell, as opposed to a bad request of the caller's. */
    static boolean serverSideFailure(ErrorClass e) {
        return switch (e) {
            case OK, HTTP_4XX, CONTEXT_LENGTH, CLIENT_ERROR, CIRCUIT_OPEN, SPEND_LIMIT, OPEN -> false;
            default -> true;
        };
    }
}
