package io.soaklab.load;

import io.soaklab.internal.text.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop load: {@code users} virtual users, each on its own thread ({@link LoadThreads}: a
 * virtual thread on Java 21 and later), each running episodes
 * back to back. A user's next episode is intended to start when its last one ended plus the think
 * time (plus the error backoff after a failed one); users start spread evenly over the ramp-up. The
 * load never waits for whoever watches it: window boundaries never make a user late. One shard of
 * a soak on several machines runs the users {@code shard, shard + shards, ...} of the whole soak's,
 * each numbered and started as it would be on one machine.
 *
 * <pre>{@code
 * ClosedLoad load = new ClosedLoad(runner, 16, Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(1));
 * load.start();
 * ...
 * load.stop();
 * }</pre>
 */
public final class ClosedLoad extends LoadBase {

    private final EpisodeRunner runner;
    private final int users;
    private final long thinkNanos;
    private final long rampUpNanos;
    private final long errorBackoffNanos;
    private final int shard;
    private final int shards;
    private final List<Thread> threads = new ArrayList<>();
    /** Users running now: a sweep moves it ({@link #level}); users at or above it wait, their episode done. Guarded by {@code levels}. */
    private int active;
    /** When each user (re)starts after the level last rose, by user number. Guarded by {@code levels}. */
    private long[] restartAt = new long[0];
    private final Object levels = new Object();
    /** Users above the level waiting for it to rise again. Guarded by {@code levels}. */
    private int waiting;
    /** Users ever started: the first {@code users}, and those a level added. Guarded by {@code levels}. */
    private int started;

    /**
     * @param users        concurrent virtual users
     * @param thinkTime    pause between a user's episodes
     * @param rampUp       users start spread evenly over this time
     * @param errorBackoff extra pause after a failed episode
     */
    public ClosedLoad(EpisodeRunner runner, int users, Duration thinkTime, Duration rampUp, Duration errorBackoff) {
        this(runner, users, thinkTime, rampUp, errorBackoff, 0, 1);
    }

    /**
     * One shard's share of a closed load of {@code users} users in all: users {@code shard},
     * {@code shard + shards}, ... (at least one: {@code users >= shards}).
     */
    public ClosedLoad(EpisodeRunner runner, int users, Duration thinkTime, Duration rampUp, Duration errorBackoff, int shard, int shards) {
        if (users < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        if (shards < 1 || shard < 0 || shard >= shards || users < shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards + " of " + users + " users: each shard needs a user");
        }
        this.shard = shard;
        this.shards = shards;
        this.runner = runner;
        this.users = users;
        this.thinkNanos = thinkTime.toNanos();
        this.rampUpNanos = rampUp.toNanos();
        this.errorBackoffNanos = errorBackoff.toNanos();
        this.active = users;
    }

    @Override
    void begin() {
        synchronized (levels) {
            started = shards == 1 ? users : 0; // a shard's users are never moved
        }
        long start = startNanos;
        for (int i = shard; i < users; i += shards) {
            int user = i;
            long first = start + rampUpNanos * i / users;
            Thread t = LoadThreads.create("soaklab-user-" + i, () -> run(user, first));
            threads.add(t);
            t.start();
        }
    }

    /**
     * One user's life. A failure of soaklab's own code (a scenario, the recorder) must neither end
     * the user silently, which would lower the concurrency unnoticed, nor kill the run: the user
     * says so once, pauses and starts a new episode.
     */
    private void run(int user, long firstStart) {
        boolean reported = false;
        long next = firstStart;
        for (long episode = 0; running; episode++) {
            try {
                long restart = awaitTurn(user);
                if (restart != Long.MIN_VALUE) {
                    next = restart; // off while the level was below this user: it starts again where the new level's ramp puts it
                }
                EpisodeRunner.Outcome done = runner.run(user, episode, next);
                next = Math.max(done.endNanos(), next) + thinkNanos + (done.ok() ? 0 : errorBackoffNanos);
            } catch (InterruptedException stop) {
                return;
            } catch (RuntimeException e) { // the runner turns a scenario's Error into one too
                failures.increment();
                if (!reported) {
                    reported = true;
                    System.err.println("soaklab: user " + user + " failed inside soaklab (" + e + "); it starts a new episode in 1 s");
                }
                next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
        }
    }

    /**
     * Waits while this user is above the load's level; returns when it may run, with its intended
     * restart if it waited, else {@link Long#MIN_VALUE}.
     */
    private long awaitTurn(int user) throws InterruptedException {
        synchronized (levels) {
            if (user < active) {
                return Long.MIN_VALUE;
            }
            waiting++;
            try {
                while (user >= active) {
                    if (!running) {
                        throw new InterruptedException();
                    }
                    levels.wait();
                }
            } finally {
                waiting--;
            }
            return restartAt[user];
        }
    }

    /**
     * Moves the load to {@code level} users (a capacity sweep's next stage). Users above it end
     * their episode and wait; users added start spread evenly over {@code ramp} from now, the
     * first at once. Not for a shard of a soak on several machines.
     */
    public void level(int level, Duration ramp) {
        if (level < 1 || level > 100_000) {
            throw new IllegalArgumentException("a closed load runs 1 to 100000 users, not " + level);
        }
        if (shards != 1) {
            throw new IllegalStateException("a shard's users are fixed by the whole soak's");
        }
        synchronized (this) {
            if (!running) {
                return;
            }
            long now = System.nanoTime();
            synchronized (levels) {
                int from = active;
                if (restartAt.length < level) {
                    restartAt = java.util.Arrays.copyOf(restartAt, Math.max(level, restartAt.length * 2));
                }
                for (int i = from; i < level; i++) {
                    restartAt[i] = now + ramp.toNanos() * (i - from) / (level - from);
                }
                active = level;
                levels.notifyAll();
            }
            for (int i = threads.size(); i < level; i++) {
                synchronized (levels) {
                    started = i + 1;
                }
                int user = i;
                long first = restartAt[i];
                Thread t = LoadThreads.create("soaklab-user-" + i, () -> run(user, first));
                threads.add(t);
                t.start();
            }
        }
    }

    /**
     * Users above the level still in the episode they were in when it fell: once none is, the load
     * runs at its level alone.
     */
    public int leaving() {
        synchronized (levels) {
            return Math.max(0, started - active - waiting);
        }
    }

    /** Users running at the load's level now. */
    public int level() {
        synchronized (levels) {
            return active;
        }
    }

    @Override
    void halt() {
        synchronized (levels) {
            levels.notifyAll();
        }
        for (Thread t : threads) {
            t.interrupt(); // wakes users parked until their next intended start
        }
    }

    @Override
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

    /** The users this load runs (this shard's, when it is one). */
    public int users() {
        return (users - shard + shards - 1) / shards;
    }

    @Override
    public String describe() {
        return "closed: " + users + " users" + (shards > 1 ? " (users " + shard + ", " + (shard + shards) + ", ... here: shard " + shard + "/" + shards + ")" : "")
                + (thinkNanos > 0 ? ", think time " + Durations.format(Duration.ofNanos(thinkNanos)) : "")
                + (rampUpNanos > 0 ? ", ramp-up " + Durations.format(Duration.ofNanos(rampUpNanos)) : "");
    }
}
