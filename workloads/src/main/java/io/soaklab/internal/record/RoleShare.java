package io.soaklab.internal.record;

import io.soaklab.protocol.Usage;

/**
 * One role's share of an episode (the coordinator, a specialist, a resume arm...).
 *
 * @param calls      its calls (a retried call once)
 * @param failed     those that failed after their last attempt
 * @param usage      the tokens of all its attempts (prompt, completion, cached are kept in the run folder)
 * @param busyMicros its time in calls, from each call's first intended start, retries included
 */
public record RoleShare(long calls, long failed, Usage usage, long busyMicros) {

    /** No calls. */
    public static final RoleShare NONE = new RoleShare(0, 0, Usage.NONE, 0);

    /** A role of {@code calls} calls, nothing else known: for tests and synthetic runs. */
    public static RoleShare ofCalls(long calls) {
        return new RoleShare(calls, 0, Usage.NONE, 0);
    }
}
