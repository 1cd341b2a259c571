package io.soaklab.sim;

import io.soaklab.internal.sim.TruthLine;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The endpoint's own account of every request: what it planned and when it actually wrote, one
 * JSON line per request ({@code sim-truth.jsonl}, written by {@link TruthLine}). Event loops only enqueue a record; a background
 * thread writes and flushes every second, so the log never slows a stream down.
 */
final class TruthLog implements AutoCloseable {


    private static final JsonFactory JSON = new JsonFactory();

    /** Entries waiting for the writer; past this many (a stuck disk) new ones are dropped, and counted. */
    private static final int MAX_QUEUED = 1_000_000;

    private final ConcurrentLinkedQueue<TruthLine.Entry> queue = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder dropped = new java.util.concurrent.atomic.LongAdder();
    private final FileOutputStream file;
    private final OutputStream out;
    private final Thread writer;
    private final long epochMicrosAtStart;
    private final long nanoAtStart;
    private volatile boolean closed;

    TruthLog(Path path) throws IOException {
        this.file = new FileOutputStream(path.toFile(), true);
        this.out = new BufferedOutputStream(file, 64 << 10);
        this.epochMicrosAtStart = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        this.nanoAtStart = System.nanoTime();
        this.writer = new Thread(this::drainEverySecond, "soaklab-sim-truth");
        writer.setDaemon(true);
        writer.start();
    }

    /** Wall time of a {@link System#nanoTime()} reading, in microseconds since the epoch. */
    long epochMicros(long nanos) {
        return epochMicrosAtStart + (nanos - nanoAtStart) / 1000;
    }

    void add(TruthLine.Entry entry) {
        if (closed) {
            return;
        }
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.increment();
            return;
        }
        queue.add(entry);
    }

    /** Entries dropped because the writer could not keep up. */
    long dropped() {
        return dropped.sum();
    }

    private void drainEverySecond() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            drain();
        }
    }

    private synchronized void drain() {
        TruthLine.Entry e = queue.poll();
        if (e == null) {
            return;
        }
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            for (; e != null; e = queue.poll()) {
                queued.decrementAndGet();
                TruthLine.write(g, e);
            }
            g.writeRaw('\n');
        } catch (IOException failure) {
            // the truth log is an aid; a full disk must not stop the endpoint
        }
        try {
            out.flush();
        } catch (IOException failure) {
            // as above
        }
    }

    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        drain();
        synchronized (this) {
            try {
                out.flush();
                file.getFD().sync();
                out.close();
            } catch (IOException e) {
                // best effort, as above
            }
        }
    }
}
