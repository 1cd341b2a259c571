package io.soaklab.scenario;

/**
 * A kind of agent work, e.g. a coding agent. It opens {@link Session}s; the same seed always opens
 * a session that asks the same things, given the same replies.
 *
 * <pre>{@code
 * Scenario scenario = Scenarios.builtIn("coding-agent");
 * Session session = scenario.newSession(42);
 * for (Step step = session.next(); step != null; step = session.next()) {
 *     session.complete(client.send(step.request(), System.nanoTime()).join());
 * }
 * }</pre>
 */
public interface Scenario {

    /** Short name, used on the command line and in file names. */
    String name();

    /** One line saying what the scenario exercises. */
    String description();

    /** A new session whose every random choice derives from {@code seed}. */
    Session newSession(long seed);
}
