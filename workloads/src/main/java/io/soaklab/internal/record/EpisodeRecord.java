package io.soaklab.internal.record;

import java.math.BigDecimal;
import java.util.Map;

/**
 * One finished episode: an agent task from its first call's intended start to its last call's end.
 *
 * @param user             the virtual user (closed load); 0 in an open load
 * @param episode          the episode's number, per user (the arrival number in an open load)
 * @param scenario         the scenario's name
 * @param ok               whether the task succeeded
 * @param reason           why it failed, or null
 * @param intendedNanos    {@link System#nanoTime()} of its intended start
 * @param endNanos         of its end
 * @param calls            model calls (the attempts an agent saw)
 * @param attempts         attempts, retries included
 * @param tokens           tokens of every attempt: {@code prompt}, {@code completion}, {@code cached},
 *                         {@code cache_write}, {@code reasoning}, and {@code lost} (tokens of attempts
 *                         that were retried)
 * @param roles            per role: {@code calls}, {@code prompt}, {@code completion}, {@code cached},
 *                         {@code busy_us} (time in calls)
 * @param metrics          the scenario's own figures (compactions, tool failures, probe scores...)
 * @param cost             what every attempt of the episode cost (zero when the run is not priced)
 */
public record EpisodeRecord(int user, long episode, String scenario, boolean ok, String reason, long intendedNanos, long endNanos,
                            int calls, int attempts, Map<String, Long> tokens, Map<String, Map<String, Long>> roles,
                            Map<String, Double> metrics, BigDecimal cost) {

    public EpisodeRecord {
        tokens = Map.copyOf(tokens);
        roles = Map.copyOf(roles);
        metrics = Map.copyOf(metrics);
    }

    /** Duration from intended start to end. */
    public long durationNanos() {
        return endNanos - intendedNanos;
    }
}
