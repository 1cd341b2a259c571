package io.soaklab.internal.record;

import io.soaklab.protocol.Usage;
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
 * @param tokens           the usage of every attempt, summed
 * @param lostTokens       prompt and completion tokens of attempts that were retried: paid for, seen by nobody
 * @param roles            each role's share
 * @param metrics          the scenario's own figures (compactions, tool failures, probe scores...)
 * @param cost             what every attempt of the episode cost (zero when the run is not priced)
 */
public record EpisodeRecord(int user, long episode, String scenario, boolean ok, String reason, long intendedNanos, long endNanos,
                            int calls, int attempts, Usage tokens, long lostTokens, Map<String, RoleShare> roles,
                            Map<String, Double> metrics, BigDecimal cost) {

    public EpisodeRecord {
        java.util.Objects.requireNonNull(tokens, "tokens");
        roles = Map.copyOf(roles);
        metrics = Map.copyOf(metrics);
    }

    /** Duration from intended start to end. */
    public long durationNanos() {
        return endNanos - intendedNanos;
    }
}
