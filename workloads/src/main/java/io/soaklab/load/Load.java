package io.soaklab.load;

/**
 * A load model: when episodes start. {@link ClosedLoad}: a fixed number of users, each starting its
 * next episode when the last ended (plus think time). {@link OpenLoad}: episodes arriving on a
 * schedule, whether or not earlier ones have ended, as users of a public service do.
 */
public interface Load {

    /** Starts the load now; it runs on its own threads until {@link #stop()}. */
    default void start() {
        start(System.nanoTime());
    }

    /**
     * Starts the load as if at {@code startNanos} (a {@link System#nanoTime()} reading): every
     * intended start is counted from it, so that shards given the same instant keep one schedule.
     */
    void start(long startNanos);

    /** Stops starting episodes and interrupts those in progress. */
    void stop();

    /** Waits up to {@code millis} for every thread of the load to end; true if they did. */
    boolean awaitStopped(long millis) throws InterruptedException;

    /** Times an episode failed inside soaklab's own code (not a failed model call: those are results). */
    long failures();

    /** One line for the report: the model and its parameters. */
    String describe();
}
