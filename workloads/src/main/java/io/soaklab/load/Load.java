package io.soaklab.load;

/**
 * A load model: when episodes start. {@link ClosedLoad}: a fixed number of users, each starting its
 * next episode when the last ended (plus think time). {@link OpenLoad}: episodes arriving on a
 * schedule, whether or not earlier ones have ended, as users of a public service do.
 */
public interface Load {

    /** Starts the load; it runs on its own threads until {@link #stop()}. */
    void start();

    /** Stops starting episodes and interrupts those in progress. */
    void stop();

    /** Waits up to {@code millis} for every thread of the load to end; true if they did. */
    boolean awaitStopped(long millis) throws InterruptedException;

    /** Times an episode failed inside soaklab's own code (not a failed model call: those are results). */
    long failures();

    /** One line for the report: the model and its parameters. */
    String describe();
}
