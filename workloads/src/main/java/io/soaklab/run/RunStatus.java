package io.soaklab.run;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a run is in its life, as {@code run.json} says. */
public enum RunStatus {
    /** Started and not yet ended (or ended without a chance to say so: see {@link #CRASHED}). */
    RUNNING,
    /** Ran every planned window. */
    COMPLETE,
    /** Stopped early on purpose: Ctrl-C, a signal, a budget, a lost parent process. */
    ABORTED,
    /** Stopped by soaklab because the endpoint failed: every call failed in several windows in a row. */
    FAILED,
    /** Died without ending cleanly; what was recorded up to then is on disk. */
    CRASHED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True for the statuses a run ends in. */
    public boolean ended() {
        return this != RUNNING;
    }
}
