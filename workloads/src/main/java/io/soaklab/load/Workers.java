package io.soaklab.load;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open load's episode threads: as many as episodes run at once, up to a bound, each reused as
 * soon as it is free; beyond the bound, arrivals wait in order. Unlike a
 * {@link java.util.concurrent.ThreadPoolExecutor} with that bound as its core size, it starts a
 * thread only when none is idle: 100 arrivals a second of one-second episodes hold about 100
 * threads, not the bound's 1,000. A thread idle for 30 s ends.
 */
final class Workers {

    private static final long IDLE_SECONDS = 30;

    private final LinkedTransferQueue<Runnable> queue = new LinkedTransferQueue<>();
    private final int max;
    private final String name;
    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    Workers(int max, String name) {
        this.max = max;
        this.name = name;
    }

    /** Runs {@code task} on an idle thread, a new one while fewer than the bound run, else after those queued before it. */
    void execute(Runnable task) {
        if (stopped) {
            throw new RejectedExecutionException("stopped");
        }
        if (queue.tryTransfer(task) || start(task)) {
            return;
        }
        queue.offer(task);
        if (threads.get() == 0) {
            start(null); // every thread ended between the two checks: one takes the queue
        }
    }

    private boolean start(Runnable first) {
        for (int n = threads.get(); n < max; n = threads.get()) {
            if (threads.compareAndSet(n, n + 1)) {
                peak.accumulateAndGet(n + 1, Math::max);
                Thread t = LoadThreads.create(name, () -> work(first));
                live.add(t);
                t.start();
                return true;
            }
        }
        return false;
    }

    private void work(Runnable first) {
        Runnable task = first;
        try {
            while (!stopped) {
                if (task == null) {
                    task = queue.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                    if (task == null) {
                        return;
                    }
                }
                task.run();
                task = null;
            }
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } finally {
            live.remove(Thread.currentThread());
            threads.decrementAndGet();
            if (!stopped && !queue.isEmpty()) {
                start(null); // a task queued as this thread gave up: it is not left alone
            }
        }
    }

    /** True when a thread waits for work. */
    boolean idle() {
        return queue.hasWaitingConsumer();
    }

    /** Tasks waiting for a thread. */
    int queued() {
        return queue.size();
    }

    /** Threads now. */
    int threads() {
        return threads.get();
    }

    /** The most threads there ever were at once. */
    int peak() {
        return peak.get();
    }

    /** Stops taking tasks, drops those queued and interrupts the running ones. */
    void shutdownNow() {
        stopped = true;
        queue.clear();
        live.forEach(Thread::interrupt);
    }

    /** Waits up to {@code nanos} for every thread to end; true when they have. */
    boolean awaitTermination(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (Thread t : live) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return live.isEmpty();
            }
            TimeUnit.NANOSECONDS.timedJoin(t, left);
        }
        return live.isEmpty();
    }
}
