package io.soaklab.internal.record;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator's own pauses, as every thread of it sees them: a thread that asks to wake
 * every millisecond and records how much later than asked it woke (the jHiccup method). A GC
 * pause, a safepoint, a CPU the OS gave to another process: whatever stops the generator stops
 * this thread too, so its delays are what the generator's measurements carry as noise. The
 * thread does no other work than this and a look at the endpoint's silence ({@link Silence}); a
 * wake-up costs a few microseconds of CPU.
 */
final class Hiccups implements AutoCloseable {

    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Recorder delays = new Recorder(MAX_MICROS, 2);
    private final Silence silence = new Silence();
    private final Thread thread;
    private volatile boolean running = true;
    private Histogram interval;

    Hiccups() {
        thread = new Thread(this::watch, "soaklab-hiccups");
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    private void watch() {
        while (running) {
            long asked = System.nanoTime() + PERIOD_NANOS;
            LockSupport.parkNanos(PERIOD_NANOS);
            long now = System.nanoTime();
            delays.recordValue(Math.max(0, Math.min(MAX_MICROS, (now - asked) / 1000)));
            silence.sample(now);
        }
    }

    /** The endpoint's silences, looked at on every wake-up. */
    Silence silence() {
        return silence;
    }

    /** The delays since the previous call, in microseconds: their histogram (recycled by the next call). */
    Histogram interval() {
        interval = delays.getIntervalHistogram(interval);
        return interval;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
