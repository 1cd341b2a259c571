package io.soaklab.scenario;

import java.util.List;

/**
 * One agent task in progress, as a scenario sees it: the main {@link Agent} lane, plus what only
 * the task as a whole can do: fan out to sub-agents, and fail.
 */
public interface Episode extends Agent {

    /** The virtual user running it (closed load); 0 in an open load. */
    int user();

    /** The episode's number, per user (closed load) or overall (open load). */
    long index();

    /**
     * Runs sub-agents in parallel, each on a lane of its own that starts at this lane's next
     * intended start; returns when all have, with their results in order. This lane's next call is
     * intended to start when the last of them ended: the critical path.
     *
     * @param roles one role per sub-agent
     */
    <T> List<T> parallel(List<String> roles, Branch<T> branch) throws InterruptedException;

    /** Marks the episode failed, with a short reason ({@code model_http_429}, {@code tool_failure:grep}...); the first reason stays. */
    void fail(String reason);

    /** Whether {@link #fail} was called. */
    boolean failed();

    /** The work of one sub-agent. */
    @FunctionalInterface
    interface Branch<T> {
        T run(Agent agent, int index) throws InterruptedException;
    }
}
