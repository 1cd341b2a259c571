package io.soaklab.internal.record;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Converts the monotonic clock every measurement uses into wall time, once per run, so that time
 * in the files never jumps when the system clock is adjusted.
 *
 * @param epochMicros wall time at the anchor
 * @param nanoTime    {@link System#nanoTime()} at the anchor
 */
public record TimeBase(long epochMicros, long nanoTime) {

    /** Anchors now. */
    public static TimeBase now() {
        Instant wall = Instant.now();
        long nanos = System.nanoTime();
        return new TimeBase(ChronoUnit.MICROS.between(Instant.EPOCH, wall), nanos);
    }

    /** Wall time of a {@link System#nanoTime()} reading, in microseconds since the epoch. */
    public long epochMicros(long nanos) {
        return epochMicros + (nanos - nanoTime) / 1000;
    }

    /** Wall time of a {@link System#nanoTime()} reading, in nanoseconds since the epoch: the microseconds {@link #epochMicros(long)} gives, and the rest. */
    public long epochNanos(long nanos) {
        return epochMicros * 1000 + (nanos - nanoTime);
    }

    /** Wall time of a {@link System#nanoTime()} reading, in milliseconds since the epoch. */
    public long epochMillis(long nanos) {
        return epochMicros(nanos) / 1000;
    }
}
