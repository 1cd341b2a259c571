package io.soaklab.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A closed-loop load: {@code concurrency} virtual users, each on its own thread, each running
 * sessions back to back through a {@link SessionLoop}. The load runs on its own, independent of
 * whoever watches it: window boundaries never pause it, so no user is ever made late by the
 * harness. Completed calls can be awaited one by one (JMH counts them).
 *
 * <pre>{@code
 * ClosedLoad load = new ClosedLoad(16, user -> soak.sessionLoop(user));
 * load.start();
 * while (measuring) {
 *     load.awaitCall(10, TimeUnit.MILLISECONDS);
 * }
 * load.stop();
 * }</pre>
 */
public final class ClosedLoad {

    private static final int MAX_UNCLAIMED = 1 << 30;

    private final int concurrency;
    private final IntFunction<SessionLoop> users;
    private final Semaphore completed = new Semaphore(0);
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    /**
     * @param concurrency number of virtual users
     * @param users       makes the session loop of user {@code i} (0-based)
     */
    public ClosedLoad(int concurrency, IntFunction<SessionLoop> users) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.concurrency = concurrency;
        this.users = users;
    }

    /** Starts every user. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < concurrency; i++) {
            SessionLoop loop = users.apply(i);
            int user = i;
            Thread t = new Thread(() -> run(user, loop), "soaklab-user-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /**
     * One user's life. A failure of soaklab's own code (a scenario, the recorder) must neither end
     * the user silently, which would lower the concurrency unnoticed, nor kill the run: the user
     * says so once, drops the session it was in, pauses and goes on.
     */
    private void run(int user, SessionLoop loop) {
        boolean reported = false;
        while (running) {
            try {
                if (loop.step() == null) {
                    return;
                }
                if (completed.availablePermits() < MAX_UNCLAIMED) {
                    completed.release(); // unclaimed beyond that, nobody is counting: don't overflow
                }
            } catch (RuntimeException e) {
                failures.increment();
                if (!reported) {
                    reported = true;
                    System.err.println("soaklab: user " + user + " failed inside soaklab (" + e + "); it starts a new session in 1 s");
                }
                loop.abandonSession();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Times a user failed inside soaklab's own code (not a failed model call: those are results). */
    public long failures() {
        return failures.sum();
    }

    /**
     * Waits up to {@code timeout} for one more call to complete.
     *
     * @return true if a call completed
     */
    public boolean awaitCall(long timeout, TimeUnit unit) throws InterruptedException {
        return completed.tryAcquire(timeout, unit);
    }

    /**
     * Stops starting calls. Users waiting for a call end when it does (closing the client ends
     * them at once); users pausing between calls end now.
     */
    public synchronized void stop() {
        running = false;
        for (Thread t : threads) {
            t.interrupt(); // wakes users parked until their next intended start
        }
    }

    /** Waits up to {@code millis} for every user thread to end; true if they all did. */
    public boolean awaitStopped(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }

    public int concurrency() {
        return concurrency;
    }
}
