package io.soaklab.sim;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every reply of one endpoint shares: its configuration, clock, batch slots, rate limiter,
 * prompt cache, counters, metrics and truth log.
 */
final class Engine {

    final SimConfig config;
    final SimClock clock;
    final Slots slots;
    /** What {@code GET /metrics} publishes, in vLLM's names. */
    final SimMetrics metrics;
    final RateLimiter limiter;
    /** One daemon thread for work that must not run on an event loop (cache sweeps). */
    final java.util.concurrent.ExecutorService housekeeping = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "soaklab-sim-housekeeping");
        t.setDaemon(true);
        return t;
    });
    final PrefixCache cache = new PrefixCache(housekeeping);
    final EndpointStats stats = new EndpointStats();
    final TruthLog truth;
    final AtomicLong sequence = new AtomicLong();
    /** Replies not yet ended, so that closing the endpoint can end them and log them. */
    final java.util.Set<Reply> live = ConcurrentHashMap.newKeySet();
    /** How often each distinct request was seen: a retry draws its faults afresh, deterministically. */
    private final java.util.Map<Long, Integer> attempts = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Long, Integer> eldest) {
            return size() > 100_000; // the least recently seen request forgets its attempts first
        }
    };

    Engine(SimConfig config, TruthLog truth) {
        this.config = config;
        this.clock = new SimClock(config);
        this.slots = new Slots(config.serving(), clock);
        this.metrics = new SimMetrics(config, slots);
        this.limiter = config.limits().any() ? new RateLimiter(config.limits()) : null;
        this.truth = truth;
    }

    /**
     * The seed of one request's draws about its reply: the same request always gets the same reply,
     * as from a model at temperature zero.
     */
    long replySeed(long requestHash) {
        return mix(config.seed(), requestHash, 0);
    }

    /**
     * The seed of one request's draws about how it is served (faults, cache hits, jitter): the
     * endpoint's seed, the request and its attempt, so that a retry is served afresh, deterministically.
     */
    long serviceSeed(long requestHash) {
        int attempt;
        synchronized (attempts) {
            attempt = attempts.merge(requestHash, 1, Integer::sum);
        }
        return mix(config.seed(), requestHash, attempt);
    }

    private static long mix(long seed, long a, long b) {
        long z = seed + 0x9E3779B97F4A7C15L * a + 0xC2B2AE3D27D4EB4FL * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
