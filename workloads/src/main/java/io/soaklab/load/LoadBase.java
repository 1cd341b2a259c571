package io.soaklab.load;

import java.util.concurrent.atomic.LongAdder;

/**
 * What every load model shares: it starts once, runs until stopped, and counts the episodes that
 * failed inside soaklab's own code. A model says how it begins ({@link #begin()}) and how its
 * threads are woken to end ({@link #halt()}).
 */
abstract class LoadBase implements Load {

    /** Episodes that failed inside soaklab's own code. */
    final LongAdder failures = new LongAdder();
    /** False once stopped: every loop of the load checks it. */
    volatile boolean running;
    /** The {@link System#nanoTime()} every intended start counts from; set once, before {@link #begin()}. */
    long startNanos;

    @Override
    public final synchronized void start(long startNanos) {
        if (running) {
            return;
        }
        running = true;
        this.startNanos = startNanos;
        begin();
    }

    @Override
    public final synchronized void stop() {
        running = false;
        halt();
    }

    @Override
    public final long failures() {
        return failures.sum();
    }

    /** Starts the load's threads; called once, holding the lock. */
    abstract void begin();

    /** Wakes and ends the load's threads (those parked until an intended start too); holding the lock. */
    abstract void halt();
}
