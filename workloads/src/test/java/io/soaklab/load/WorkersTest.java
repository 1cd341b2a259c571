package io.soaklab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The open load's episode threads: started only when none is idle, never more than the bound. */
class WorkersTest {

    @Test
    void oneEpisodeAtATimeNeedsOneThreadHowEverManyArrive() throws Exception {
        Workers workers = new Workers(1000, "test");
        try {
            for (int i = 0; i < 200; i++) {
                CountDownLatch done = new CountDownLatch(1);
                workers.execute(done::countDown);
                assertTrue(done.await(30, TimeUnit.SECONDS));
                awaitIdle(workers); // the thread is back, waiting for work, before the next arrival
            }
            assertEquals(1, workers.peak(), "a thread-pool sized to its bound would have started 200");
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void beyondTheBoundArrivalsWaitInOrderAndAllRun() throws Exception {
        Workers workers = new Workers(4, "test");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(10);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try {
            for (int i = 0; i < 10; i++) {
                workers.execute(() -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    ran.countDown();
                });
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (running.get() < 4) { // the four threads reach their tasks
                assertTrue(System.nanoTime() < deadline, "four arrivals never ran");
                Thread.yield();
            }
            assertEquals(4, workers.threads());
            assertEquals(6, workers.queued(), "the rest wait for a thread");
            release.countDown();
            assertTrue(ran.await(30, TimeUnit.SECONDS), "every arrival ran");
            assertEquals(4, most.get());
            assertEquals(4, workers.peak());
        } finally {
            workers.shutdownNow();
        }
        assertTrue(workers.awaitTermination(TimeUnit.SECONDS.toNanos(30)), "threads end when stopped");
    }

    private static void awaitIdle(Workers workers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!workers.idle()) {
            assertTrue(System.nanoTime() < deadline, "a worker never came back");
            Thread.yield(); // a busy machine: let the worker run back to its queue
        }
    }
}
