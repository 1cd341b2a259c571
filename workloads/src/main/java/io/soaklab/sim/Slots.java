package io.soaklab.sim;

import java.util.ArrayDeque;

/**
 * The decode batch: {@code maxBatch} slots, fewer while a load wave takes some, and a FIFO queue
 * of replies waiting for one. A reply holds its slot from prefill to its last token.
 */
final class Slots {

    private final int maxBatch;
    private final int maxQueue;
    private final SimClock clock;
    private final ArrayDeque<Reply> waiting = new ArrayDeque<>();
    private int used;
    /** {@code used}, readable without the lock: every token of every stream asks for it. */
    private volatile int usedNow;

    Slots(SimConfig.Serving serving, SimClock clock) {
        this.maxBatch = serving.maxBatch();
        this.maxQueue = serving.maxQueue();
        this.clock = clock;
    }

    /** What a reply asking for a slot gets. */
    enum Grant { NOW, QUEUED, REFUSED }

    synchronized Grant acquire(Reply reply, long now) {
        if (used < capacity(now) && waiting.isEmpty()) {
            usedNow = ++used;
            return Grant.NOW;
        }
        if (maxQueue > 0 && waiting.size() >= maxQueue) {
            return Grant.REFUSED;
        }
        waiting.add(reply);
        return Grant.QUEUED;
    }

    /** Forgets a waiting reply whose client left. */
    synchronized void cancel(Reply reply) {
        waiting.remove(reply);
    }

    /** True when a new request would be refused now: every slot busy and the queue full. */
    synchronized boolean full(long now) {
        return maxQueue > 0 && used >= capacity(now) && waiting.size() >= maxQueue;
    }

    void release(long now) {
        synchronized (this) {
            usedNow = --used;
        }
        pump(now);
    }

    /** Hands free slots to waiting replies, on their own event loops. Also run periodically (waves). */
    void pump(long now) {
        while (true) {
            Reply next;
            synchronized (this) {
                if (waiting.isEmpty() || used >= capacity(now)) {
                    return;
                }
                next = waiting.poll();
                usedNow = ++used;
            }
            next.slotGranted();
        }
    }

    /** Replies decoding now plus background load: what slows each stream down. */
    double busy(long now) {
        return usedNow + maxBatch * clock.waveFraction(now);
    }

    synchronized int used() {
        return used;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    private int capacity(long now) {
        return Math.max(1, maxBatch - (int) Math.round(maxBatch * clock.waveFraction(now)));
    }
}
