package io.soaklab.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An open load: episodes arrive on a schedule ({@link Arrivals}), whether or not earlier ones have
 * ended. Each episode's first call is intended at its arrival time; if every worker is busy it waits
 * for one, and that wait is in its latency and in the schedule lag, never hidden. When the endpoint
 * cannot keep up, latency grows from the intended start as the backlog grows, as it would for real
 * users. The backlog is bounded ({@value #MAX_BACKLOG} episodes); an arrival beyond it is shed:
 * recorded as a failed episode ({@code shed}) that never ran. One shard of a soak on several
 * machines runs every {@code shards}-th arrival of the same schedule (the same seed draws the same
 * Poisson times on every shard), numbered as on one machine: together the shards run each arrival
 * exactly once.
 *
 * <pre>{@code
 * OpenLoad load = new OpenLoad(runner, Arrivals.parse("poisson:5/s"), 1000, seed);
 * load.start();
 * }</pre>
 */
public final class OpenLoad extends LoadBase {

    /** Arrivals waiting for a worker beyond which new ones are shed, so memory stays bounded in a long overload. */
    public static final int MAX_BACKLOG = 100_000;

    private final EpisodeRunner runner;
    private final Arrivals arrivals;
    private final int maxInFlight;
    private final int maxBacklog;
    private final long seed;
    private final int shard;
    private final int shards;
    private final Workers workers;
    /** How long before its intended start an arrival is handed to its episode thread. */
    static final long LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private final AtomicLong arrived = new AtomicLong();
    private final AtomicLong maxDispatchLateNanos = new AtomicLong();
    private final LongAdder shed = new LongAdder();
    private Thread dispatcher;

    /**
     * @param maxInFlight most episodes running at once; arrivals beyond wait for a worker, late
     * @param seed        seeds Poisson arrivals and, with the arrival number, each episode
     */
    public OpenLoad(EpisodeRunner runner, Arrivals arrivals, int maxInFlight, long seed) {
        this(runner, arrivals, maxInFlight, MAX_BACKLOG, seed, 0, 1);
    }

    /**
     * One shard's share of an open load: arrivals {@code shard}, {@code shard + shards}, ... of the
     * schedule; {@code maxInFlight} is this shard's own bound.
     */
    public OpenLoad(EpisodeRunner runner, Arrivals arrivals, int maxInFlight, long seed, int shard, int shards) {
        this(runner, arrivals, maxInFlight, MAX_BACKLOG, seed, shard, shards);
    }

    OpenLoad(EpisodeRunner runner, Arrivals arrivals, int maxInFlight, int maxBacklog, long seed) {
        this(runner, arrivals, maxInFlight, maxBacklog, seed, 0, 1);
    }

    private OpenLoad(EpisodeRunner runner, Arrivals arrivals, int maxInFlight, int maxBacklog, long seed, int shard, int shards) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in flight must be at least 1");
        }
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards);
        }
        this.shard = shard;
        this.shards = shards;
        this.runner = runner;
        this.arrivals = arrivals;
        this.maxInFlight = maxInFlight;
        this.maxBacklog = maxBacklog;
        this.seed = seed;
        this.workers = new Workers(maxInFlight, "soaklab-arrival");
    }

    @Override
    void begin() {
        dispatcher = new Thread(this::dispatch, "soaklab-arrivals");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    private void dispatch() {
        Arrivals.Schedule schedule = arrivals.schedule(seed);
        long start = startNanos;
        for (long k = 0; running; k++) {
            int moves = arrivals.moves(); // before the draw: a move landing after it makes the arrival drawn again
            long offset = schedule.next();
            if (offset < 0) {
                return; // a replay has ended
            }
            if (Math.floorMod(k, shards) != shard) {
                continue; // another shard's arrival: drawn all the same, so that every shard keeps the one schedule
            }
            long drawn = start + offset;
            try {
                if (arrivals.moving()) {
                    drawn = awaitMovable(schedule, start, drawn, moves);
                    if (drawn < 0) {
                        return;
                    }
                } else {
                    // handed over a little early: the episode thread is awake and its request built when the call is due, and it
                    // waits for the intended start itself (one wake-up between the schedule and the send, not two)
                    EpisodeRunner.waitUntil(drawn - LEAD_NANOS);
                }
            } catch (InterruptedException stop) {
                return;
            }
            long intended = drawn;
            maxDispatchLateNanos.accumulateAndGet(System.nanoTime() - (intended - LEAD_NANOS), Math::max);
            long episode = k;
            arrived.incrementAndGet();
            if (workers.queued() >= maxBacklog) {
                shed.increment();
                runner.shed(0, episode, intended, "shed: " + maxBacklog + " arrivals already waiting for a worker");
                continue;
            }
            try {
                workers.execute(() -> runOne(episode, intended));
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                return;
            }
        }
    }

    /** How often a sweep's dispatcher looks whether the rate was moved while it waits for an arrival drawn at the old one. */
    private static final long MOVE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * Waits for an arrival of movable arrivals (a sweep's): when the rate is moved meanwhile, the arrival drawn at the old rate
     * (a minute away at 1/m) is drawn again from now at the new one. Returns its intended start, or -1 when the schedule ended.
     */
    private long awaitMovable(Arrivals.Schedule schedule, long start, long intended, int drawnAt) throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            if (now >= intended - LEAD_NANOS) {
                return intended;
            }
            EpisodeRunner.waitUntil(Math.min(intended - LEAD_NANOS, now + MOVE_CHECK_NANOS));
            if (arrivals.moves() != drawnAt) {
                drawnAt = arrivals.moves();
                schedule.restartAt((System.nanoTime() - start) / 1e9);
                long offset = schedule.next();
                if (offset < 0) {
                    return -1;
                }
                intended = start + offset;
            }
        }
    }

    private void runOne(long episode, long intended) {
        try {
            runner.run(0, episode, intended);
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) { // the runner turns a scenario's Error into one too
            if (failures.sum() == 0) {
                System.err.println("soaklab: episode " + episode + " failed inside soaklab (" + e + ")");
            }
            failures.increment();
        }
    }

    /**
     * Moves the arrival rate (a capacity sweep's next stage): from now, {@code rate} a second,
     * reached linearly over {@code ramp}. Only for {@linkplain Arrivals#movable movable} arrivals;
     * an arrival already drawn at the old rate keeps its time.
     */
    public void level(double rate, java.time.Duration ramp) {
        synchronized (this) {
            if (!running) {
                return;
            }
            arrivals.restage((System.nanoTime() - startNanos) / 1e9, rate, ramp.toNanos() / 1e9);
        }
    }

    /** Episodes that have arrived so far. */
    public long arrived() {
        return arrived.get();
    }

    /** Arrivals shed because the backlog was full. */
    public long shed() {
        return shed.sum();
    }

    /** Episodes that arrived and wait for a worker now. */
    public int backlog() {
        return workers.queued();
    }

    /** The most episode threads there ever were at once: about the episodes in flight, never more than the bound. */
    public int peakThreads() {
        return workers.peak();
    }

    /** How late the dispatcher itself ever was, in nanoseconds. */
    public long maxDispatchLateNanos() {
        return maxDispatchLateNanos.get();
    }

    @Override
    void halt() {
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        workers.shutdownNow();
    }

    @Override
    public boolean awaitStopped(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        if (dispatcher != null) {
            dispatcher.join(Math.max(1, millis));
        }
        return workers.awaitTermination(Math.max(1, deadline - System.nanoTime())) && (dispatcher == null || !dispatcher.isAlive());
    }

    @Override
    public String describe() {
        return "open: " + arrivals.describe() + (shards > 1 ? " (every " + ordinal(shards) + " arrival from arrival " + shard + " here: shard "
                + shard + "/" + shards + ")" : "") + ", at most " + maxInFlight + " episodes in flight" + (shards > 1 ? " in this shard" : "");
    }

    private static String ordinal(int n) {
        int tens = n % 100;
        String suffix = tens >= 11 && tens <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }
}
