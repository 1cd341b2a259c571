package io.soaklab.load;

import io.soaklab.internal.record.RoleShare;
import java.util.concurrent.atomic.LongAdder;

/** One role's share of an episode, summed from its lane's threads. */
final class RoleTally {
    final UsageTally usage = new UsageTally();
    private final LongAdder calls = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder busyMicros = new LongAdder();

    /** A call's last attempt: one call, failed or not, and its time from its first intended start. */
    void last(boolean failedCall, long busy) {
        calls.increment();
        busyMicros.add(busy);
        if (failedCall) {
            failed.increment();
        }
    }

    RoleShare share() {
        return new RoleShare(calls.sum(), failed.sum(), usage.sum(), busyMicros.sum());
    }
}
