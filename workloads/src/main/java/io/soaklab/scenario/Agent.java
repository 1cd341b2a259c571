package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * One agent's lane of work inside an episode: its calls follow one another on their own timeline.
 * Each call's <em>intended</em> start is the end of the lane's previous call plus the pauses since
 * (tool time, think time); latency is measured from there, so a slow load generator shows up as
 * schedule lag instead of hiding in the numbers (see METRICS.md, coordinated omission).
 *
 * <p>Not thread-safe: a lane is driven by one thread. Sub-agents running in parallel get lanes of
 * their own ({@link Episode#parallel}).
 */
public interface Agent {

    /** The agent's role, recorded with each call: {@code agent}, {@code coordinator}, {@code coder}... */
    String role();

    /** This lane under another role: the same timeline and random stream, its calls recorded under {@code role}. */
    Agent as(String role);

    /** The lane's random stream: every choice the scenario makes comes from here, so a seed replays it. */
    SplittableRandom random();

    /**
     * Makes one model call at the lane's next intended start, through the run's resilience policy
     * (retries, budget, breaker), and waits for it; every attempt is recorded.
     *
     * @return the last attempt: the outcome the agent sees
     */
    CallResult call(ChatRequest request) throws InterruptedException;

    /** Moves the lane's next intended start on by {@code time}: a tool running, a user thinking. */
    void pause(Duration time);

    /**
     * Runs tool {@code name} for {@code time}: the lane pauses as {@link #pause} does, and a trace of
     * the episode shows the tool's run ({@code execute_tool}) where the pause is.
     */
    default void tool(String name, Duration time) {
        pause(time);
    }

    /** Time from the episode's intended start to this lane's next intended start. */
    long elapsedNanos();

    /** Records an event of the episode ({@code events.jsonl}); {@code fields} alternate names and values. */
    void event(String type, Object... fields);

    /** Adds {@code amount} to one of the episode's figures ({@code episodes.jsonl} {@code metrics}). */
    void count(String metric, double amount);
}
