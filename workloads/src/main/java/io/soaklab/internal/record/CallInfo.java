package io.soaklab.internal.record;

/**
 * Where a recorded call attempt belongs.
 *
 * @param user           the virtual user (closed load); 0 in an open load
 * @param episode        the episode's number, per user (the arrival number in an open load)
 * @param role           the agent's role in the episode ({@code agent}, {@code coordinator}, a specialist...)
 * @param step           the call's number within its role's lane, from 0
 * @param attempt        1 for the first attempt, 2 for the first retry...
 * @param last           true for the call's last attempt: the one the agent saw
 * @param firstIntended  {@link System#nanoTime()} of the first attempt's intended start
 */
public record CallInfo(int user, long episode, String role, int step, int attempt, boolean last, long firstIntended) {

    /** A call with a single attempt. */
    public static CallInfo single(int user, long episode, String role, int step, long intended) {
        return new CallInfo(user, episode, role, step, 1, true, intended);
    }
}
