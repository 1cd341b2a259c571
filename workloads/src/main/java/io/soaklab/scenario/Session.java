package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;

/**
 * One agent task: a sequence of model calls where each step depends on the replies before it.
 * Not thread-safe; a session is driven by one virtual user.
 */
public interface Session {

    /** The next call to make, or {@code null} when the session is over. */
    Step next();

    /** Hands the session the result of the step last returned by {@link #next()}. */
    void complete(CallResult result);
}
