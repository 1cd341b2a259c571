package io.soaklab.sim;

/**
 * The endpoint's sense of time: drift, load waves and error bursts run on a clock that is
 * {@code timeCompression} times faster than real time; server stalls run in real time.
 */
final class SimClock {

    private final SimConfig.Drift drift;
    private final long stallEvery;
    private final long stallFor;
    private final long start = System.nanoTime();

    SimClock(SimConfig config) {
        this.drift = config.drift();
        this.stallEvery = config.faults().serverStallEvery().toNanos();
        this.stallFor = config.faults().serverStallFor().toNanos();
    }

    /** Seconds of drift time since the endpoint started. */
    double driftSeconds(long now) {
        return (now - start) / 1e9 * drift.timeCompression();
    }

    /** What every latency is multiplied by now. */
    double latencyFactor(long now) {
        return Math.max(0.01, 1 + drift.latencyPerHour() * driftSeconds(now) / 3600);
    }

    /** The fraction of batch slots taken by background load now (0 without waves). */
    double waveFraction(long now) {
        double period = drift.waveEvery().toNanos() / 1e9;
        if (period <= 0 || drift.waveDepth() == 0) {
            return 0;
        }
        return drift.waveDepth() * (1 - Math.cos(2 * Math.PI * driftSeconds(now) / period)) / 2;
    }

    /** True inside an error burst (the first starts one period after the endpoint does). */
    boolean inBurst(long now) {
        double every = drift.burstEvery().toNanos() / 1e9;
        if (every <= 0 || drift.burstErrorRate() == 0) {
            return false;
        }
        double t = driftSeconds(now);
        return t >= every && t % every < drift.burstFor().toNanos() / 1e9;
    }

    double burstErrorRate() {
        return drift.burstErrorRate();
    }

    /** When the server stall that {@code now} falls in ends, or -1 when the server is not stalled. */
    long stallEnd(long now) {
        if (stallEvery <= 0) {
            return -1;
        }
        long t = now - start;
        long k = t / stallEvery;
        return k >= 1 && t - k * stallEvery < stallFor ? start + k * stallEvery + stallFor : -1;
    }

    long start() {
        return start;
    }
}
