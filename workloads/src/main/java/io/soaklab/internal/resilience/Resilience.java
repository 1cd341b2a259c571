package io.soaklab.internal.resilience;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.soaklab.protocol.ErrorClass;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The client-side policy agents use in production against failing model calls: how many attempts,
 * how long to back off between them, which failures are worth another attempt, how many retries
 * the whole client may spend ({@link Budget}) and when to stop calling a failing endpoint at all
 * ({@link Breaker}). A model call is a POST that costs money: nothing is replayed unless the policy
 * says so, and {@link #none()} replays nothing.
 *
 * <p>In a scenario file:
 * <pre>{@code
 * resilience:
 *   max_attempts: 3
 *   backoff: {initial: 500ms, max: 8s, multiplier: 2, jitter: true}
 *   retry_on: [http_429, http_5xx, http_529, connect_error, timeout_connect]
 *   honor_retry_after: true
 *   budget: {ratio: 0.2, min_per_second: 1}
 *   breaker: {failure_ratio: 0.5, min_calls: 20, window: 10s, open_for: 5s}
 * }</pre>
 *
 * @param maxAttempts     attempts per call, the first included; 1 retries nothing
 * @param backoff         the wait before attempt n+1: {@code min(max, initial * multiplier^(n-1))},
 *                        drawn uniformly below that when jittered ("full jitter")
 * @param honorRetryAfter wait at least what the server asked ({@code retry-after-ms}, else {@code retry-after})
 * @param maxRetryAfter   a server asking for longer than this is not retried
 * @param retryOn         the failures worth another attempt; the server's {@code x-should-retry}
 *                        overrides this list either way
 * @param budget          retries the whole client may spend, or null for no limit
 * @param breaker         the circuit breaker, or null for none
 */
public record Resilience(int maxAttempts, Backoff backoff, boolean honorRetryAfter, Duration maxRetryAfter,
                         Set<ErrorClass> retryOn, Budget budget, Breaker breaker) {

    /** What the providers' own SDKs retry by default: throttling, server errors, failed connections. */
    public static final Set<ErrorClass> TRANSIENT = Set.copyOf(EnumSet.of(ErrorClass.HTTP_429, ErrorClass.HTTP_5XX,
            ErrorClass.HTTP_529, ErrorClass.CONNECT_ERROR, ErrorClass.TIMEOUT_CONNECT));

    public Resilience {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(maxRetryAfter, "max_retry_after");
        retryOn = retryOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(retryOn));
        check(maxAttempts >= 1 && maxAttempts <= 100, "max_attempts must be between 1 and 100, was " + maxAttempts);
        check(!maxRetryAfter.isNegative(), "max_retry_after must not be negative");
        check(!retryOn.contains(ErrorClass.OK) && !retryOn.contains(ErrorClass.CIRCUIT_OPEN) && !retryOn.contains(ErrorClass.SPEND_LIMIT)
                        && !retryOn.contains(ErrorClass.OPEN), "retry_on cannot hold ok, circuit_open, spend_limit or open");
    }

    /** One attempt per call, no breaker: what a client without a policy does. */
    public static Resilience none() {
        return new Resilience(1, Backoff.standard(), true, Duration.ofSeconds(60), Set.of(), null, null);
    }

    /** Like the OpenAI and Anthropic SDKs: 3 attempts on transient failures, 0.5 s to 8 s apart, retry-after honoured. */
    public static Resilience sdkDefaults() {
        return new Resilience(3, Backoff.standard(), true, Duration.ofSeconds(60), TRANSIENT, null, null);
    }

    /** True when a failed call may be attempted again at all. */
    public boolean retries() {
        return maxAttempts > 1;
    }

    @JsonCreator
    static Resilience of(@JsonProperty("max_attempts") Integer maxAttempts, @JsonProperty("backoff") Backoff backoff,
                         @JsonProperty("honor_retry_after") Boolean honorRetryAfter,
                         @JsonProperty("max_retry_after") Duration maxRetryAfter,
                         @JsonProperty("retry_on") List<ErrorClass> retryOn, @JsonProperty("budget") Budget budget,
                         @JsonProperty("breaker") Breaker breaker) {
        int attempts = maxAttempts == null ? 3 : maxAttempts;
        return new Resilience(attempts, backoff == null ? Backoff.standard() : backoff, honorRetryAfter == null || honorRetryAfter,
                maxRetryAfter == null ? Duration.ofSeconds(60) : maxRetryAfter,
                retryOn == null ? TRANSIENT : EnumSet.copyOf(retryOn.isEmpty() ? EnumSet.noneOf(ErrorClass.class) : retryOn),
                budget, breaker);
    }

    /**
     * Exponential backoff.
     *
     * @param initial    wait before the second attempt
     * @param max        longest wait
     * @param multiplier growth per attempt
     * @param jitter     draw the wait uniformly between zero and the computed value
     */
    public record Backoff(Duration initial, Duration max, double multiplier, boolean jitter) {
        public Backoff {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            check(!initial.isNegative() && max.compareTo(initial) >= 0, "backoff must satisfy 0 <= initial <= max");
            check(multiplier >= 1, "backoff multiplier must be at least 1, was " + multiplier);
        }

        public static Backoff standard() {
            return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), 2, true);
        }

        @JsonCreator
        static Backoff of(@JsonProperty("initial") Duration initial, @JsonProperty("max") Duration max,
                          @JsonProperty("multiplier") Double multiplier, @JsonProperty("jitter") Boolean jitter) {
            Backoff d = standard();
            return new Backoff(initial == null ? d.initial : initial, max == null ? d.max : max,
                    multiplier == null ? d.multiplier : multiplier, jitter == null || jitter);
        }

        /** The longest wait before attempt {@code next} (2 for the first retry). */
        long ceilingNanos(int next) {
            double nanos = initial.toNanos() * Math.pow(multiplier, Math.max(0, next - 2));
            return (long) Math.min(max.toNanos(), nanos);
        }
    }

    /**
     * A retry budget, as in Finagle: over the last 10 seconds, retries may be at most {@code ratio}
     * of first attempts plus {@code minPerSecond} a second, so that a failing endpoint is not buried
     * under retries.
     */
    public record Budget(double ratio, double minPerSecond) {
        public Budget {
            check(ratio >= 0 && ratio <= 10, "budget ratio must be within 0..10, was " + ratio);
            check(minPerSecond >= 0, "budget min_per_second must not be negative");
        }

        @JsonCreator
        static Budget of(@JsonProperty("ratio") Double ratio, @JsonProperty("min_per_second") Double minPerSecond) {
            return new Budget(ratio == null ? 0.2 : ratio, minPerSecond == null ? 1 : minPerSecond);
        }
    }

    /**
     * A circuit breaker for the endpoint: when at least {@code minCalls} calls ended within
     * {@code window} and {@code failureRatio} of them failed on the server's side, calls fail at once
     * ({@code circuit_open}) for {@code openFor}; then one trial call decides whether it closes again.
     */
    public record Breaker(double failureRatio, int minCalls, Duration window, Duration openFor) {
        public Breaker {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(openFor, "open_for");
            check(failureRatio > 0 && failureRatio <= 1, "breaker failure_ratio must be within (0, 1], was " + failureRatio);
            check(minCalls >= 1, "breaker min_calls must be at least 1");
            check(window.toMillis() >= 10 && !openFor.isNegative(), "breaker window must be at least 10ms and open_for not negative");
        }

        @JsonCreator
        static Breaker of(@JsonProperty("failure_ratio") Double failureRatio, @JsonProperty("min_calls") Integer minCalls,
                          @JsonProperty("window") Duration window, @JsonProperty("open_for") Duration openFor) {
            return new Breaker(failureRatio == null ? 0.5 : failureRatio, minCalls == null ? 20 : minCalls,
                    window == null ? Duration.ofSeconds(10) : window, openFor == null ? Duration.ofSeconds(5) : openFor);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
