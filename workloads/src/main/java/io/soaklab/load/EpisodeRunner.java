package io.soaklab.load;

import io.soaklab.internal.cost.SpendLimit;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.CallInfo;
import io.soaklab.internal.record.EpisodeRecord;
import io.soaklab.internal.record.RoleShare;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.resilience.Guard;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.internal.trace.EpisodeSpans;
import io.soaklab.scenario.Agent;
import io.soaklab.scenario.Episode;
import io.soaklab.scenario.Scenario;
import io.soaklab.internal.text.TokenEstimator;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs episodes of a {@link Scenario}: it hands the scenario an {@link Episode} whose calls go
 * through the client and the run's resilience policy at their intended starts, and records every
 * attempt, event and the episode's outcome. One runner serves a whole load; each episode runs on
 * the thread that calls {@link #run}, its sub-agents on a shared pool.
 *
 * <pre>{@code
 * EpisodeRunner runner = new EpisodeRunner(scenario, client, recorder, Resilience.sdkDefaults(), seed, Duration.ofMinutes(11));
 * EpisodeRunner.Outcome done = runner.run(0, 0, System.nanoTime());  // user 0, episode 0, now
 * }</pre>
 */
public final class EpisodeRunner implements AutoCloseable {

    /** How an episode ended: whether it succeeded, and when its last call ended ({@link System#nanoTime()}). */
    public record Outcome(boolean ok, long endNanos) {
    }

    private static final int MAX_UNCLAIMED = 1 << 30;
    /** Why a failed call the policy would have retried was not: worth an event even on its first attempt. */
    private static final java.util.Set<String> RETRY_REFUSED = java.util.Set.of("budget_exhausted", "retry_after_too_long", "circuit_open");

    private final Scenario scenario;
    private final ModelClient client;
    private final RunRecorder recorder;
    private final Guard guard;
    private final long seed;
    private final long watchdogNanos;
    private final ExecutorService subAgents;
    private final Semaphore completedCalls = new Semaphore(0);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong attemptsMade = new AtomicLong();
    private final TokenEstimator tokens;
    private final UsageCheck usage;
    private final SpendLimit spendLimit;
    /** Every call sent, until it is on record: the calls still open when the run ends are recorded from it. */
    private final Ledger ledger;
    /** Who traces episodes, or null: then nothing at all is done for a trace. */
    private volatile EpisodeSpans spans;

    /**
     * @param seed     run seed: episode {@code k} of user {@code u} draws from (seed, u, k)
     * @param watchdog longest to wait for any call's outcome before declaring the client stuck (zero: forever)
     */
    public EpisodeRunner(Scenario scenario, ModelClient client, RunRecorder recorder, Resilience resilience, long seed, Duration watchdog) {
        this(scenario, client, recorder, resilience, seed, watchdog, null);
    }

    /**
     * @param spendLimit what every attempt must fit under before it is sent, or null for no limit
     */
    public EpisodeRunner(Scenario scenario, ModelClient client, RunRecorder recorder, Resilience resilience, long seed, Duration watchdog,
                         SpendLimit spendLimit) {
        this.spendLimit = spendLimit;
        this.scenario = scenario;
        this.client = client;
        this.recorder = recorder;
        this.guard = new Guard(resilience);
        this.seed = seed;
        this.watchdogNanos = watchdog.toNanos();
        this.tokens = TokenEstimator.forModel(client.model());
        this.usage = new UsageCheck(tokens);
        this.ledger = new Ledger(client, recorder);
        this.subAgents = Executors.newCachedThreadPool(r -> LoadThreads.create("soaklab-subagent", r));
    }

    public Scenario scenario() {
        return scenario;
    }

    /**
     * Traces every episode that starts from now on ({@code --otlp-endpoint}, {@code --trace-file}),
     * or none ({@code null}); set before the load starts.
     */
    public void traceWith(EpisodeSpans spans) {
        this.spans = spans;
    }

    /** The resilience policy at work, shared by every episode. */
    public Guard guard() {
        return guard;
    }

    /**
     * Runs one episode whose first call is intended at {@code intendedStart}, and records it.
     *
     * @throws InterruptedException when the load stops mid-episode; the episode is not recorded
     */
    public Outcome run(int user, long episode, long intendedStart) throws InterruptedException {
        Run run = new Run(user, episode, intendedStart);
        try {
            scenario.run(run);
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            // a bug in a scenario (soaklab's or the user's) is a failed episode on record, and the load's to report
            run.fail("soaklab_error: " + e);
            run.record();
            throw e instanceof Error err ? new IllegalStateException(err) : (RuntimeException) e;
        }
        run.record();
        return new Outcome(!run.failed(), run.lastEnd.get());
    }

    /**
     * Records an episode that was never started (an open load shedding an arrival it had no room
     * for): a failed episode with no calls, so that the loss is counted, not hidden.
     */
    public void shed(int user, long episode, long intendedStart, String why) {
        recorder.recordEpisode(new EpisodeRecord(user, episode, scenario.name(), false, why, intendedStart, intendedStart, 0, 0,
                Usage.NONE, 0, Map.of(), Map.of(), BigDecimal.ZERO));
    }

    /** Keeps every request sent from now in {@code writer} ({@code --record-requests}). */
    public void recordRequests(io.soaklab.internal.record.RequestLine.Writer writer) {
        ledger.recordRequests(writer);
    }

    /** Attempts waiting for the endpoint now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Attempts that reached the endpoint (or the watchdog) so far. */
    public long attempts() {
        return attemptsMade.get();
    }

    /**
     * Waits up to {@code timeout} for one more call to complete (any episode's); true if one did.
     * A JMH benchmark counts these, so its score is calls completed per second.
     */
    public boolean awaitCall(long timeout, TimeUnit unit) throws InterruptedException {
        return completedCalls.tryAcquire(timeout, unit);
    }

    /**
     * Ends sending and records every call not yet on record: as {@link ErrorClass#OPEN}, with how
     * far it got and its age (from its intended start), or as it ended if it just did. The record of
     * a run holds every call it sent, each once; a call asked for afterwards is not sent (its episode
     * stops, as at any run's end).
     *
     * @return the calls recorded open
     */
    public List<CallResult> endRun(long nowNanos) {
        return ledger.end(nowNanos);
    }

    /**
     * Every call not yet on record now: in flight (as far as it has got), waiting to retry, or just
     * ended and about to be recorded, each as an {@link ErrorClass#OPEN} result; nothing is changed.
     */
    public List<CallResult> openCalls(long nowNanos) {
        return ledger.open(nowNanos);
    }

    /** Stops the sub-agent pool. */
    @Override
    public void close() {
        subAgents.shutdownNow();
    }

    /** A well-mixed seed from three numbers (SplitMix64 finaliser). */
    static long mix(long seed, long a, long b) {
        long z = seed + 0x9E3779B97F4A7C15L * (a + 1) + 0xC2B2AE3D27D4EB4FL * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Where a lane is in time: the intended start of its next call. One thread moves it at a time. */
    private static final class Timeline {
        long position;
        int step;

        Timeline(long position) {
            this.position = position;
        }
    }

    /** One agent's lane of calls inside an episode. */
    private class Lane implements Agent {
        final String role;
        final Timeline timeline;
        /** The lane's number in the episode's trace ({@link EpisodeSpans#MAIN} for the main lane and its views). */
        int traceLane = EpisodeSpans.MAIN;
        Run run;
        SplittableRandom random;
        /** The waits between retries: their own stream, so that retries do not change the scenario's draws. */
        SplittableRandom jitter;

        Lane(String role, Timeline timeline) {
            this.role = role;
            this.timeline = timeline;
        }

        void bind(Run owner, SplittableRandom random, SplittableRandom jitter) {
            this.run = owner;
            this.random = random;
            this.jitter = jitter;
        }

        @Override
        public String role() {
            return role;
        }

        @Override
        public Agent as(String newRole) {
            Lane view = new Lane(newRole, timeline);
            view.bind(run, random, jitter);
            view.traceLane = traceLane;
            return view;
        }

        @Override
        public SplittableRandom random() {
            return random;
        }

        @Override
        public CallResult call(ChatRequest request) throws InterruptedException {
            Ledger.Entry[] current = new Ledger.Entry[1]; // the call's entry not yet on record: an attempt in flight, or its retry wait
            try {
                return call(request, current);
            } catch (InterruptedException | RuntimeException | Error left) {
                // the episode left the call (a sibling sub-agent failed, the scenario threw, the load stopped): it is recorded, once
                ledger.abandon(current[0], "the episode stopped before the call's end was recorded (" + left.getClass().getSimpleName() + ")");
                throw left;
            }
        }

        private CallResult call(ChatRequest request, Ledger.Entry[] current) throws InterruptedException {
            long first = timeline.position;
            long intended = first;
            int step = timeline.step++;
            Ledger.Entry waiting = null; // the call while it waits to retry: on record as open if the run ends meanwhile
            for (int attempt = 1; ; attempt++) {
                waitUntil(intended);
                CallInfo info = new CallInfo(run.user, run.index, role, step, attempt, true, first);
                CallResult r;
                BigDecimal held = spendLimit == null ? null : spendLimit.reserve(request);
                if (spendLimit != null && held == null) {
                    long failedAfter = Math.max(0, System.nanoTime() - intended);
                    r = CallResult.failure(intended, failedAfter, failedAfter, ErrorClass.SPEND_LIMIT,
                            "the spend limit (--max-spend " + spendLimit.limit().toPlainString() + ") left no room for this call: no request sent");
                    BigDecimal refused = ledger.record(waiting, r, info, null).cost().total();
                    run.spend(refused);
                    if (run.trace != null) {
                        run.trace.attempt(traceLane, info, request, r, refused);
                    }
                    run.add(role, r, true, r.e2eNanos() + intended - first);
                    timeline.position = intended + r.e2eNanos();
                    run.lastEnd.accumulateAndGet(timeline.position, Math::max);
                    return r;
                }
                Ledger.Entry entry = waiting;
                Guard.Pass pass = guard.permit(System.nanoTime());
                if (pass == Guard.Pass.DENIED) {
                    long failedAfter = Math.max(0, System.nanoTime() - intended);
                    r = CallResult.failure(intended, failedAfter, failedAfter, ErrorClass.CIRCUIT_OPEN, "circuit breaker open: no request sent");
                } else {
                    inFlight.incrementAndGet();
                    try {
                        entry = ledger.send(request, info, intended, usage, waiting);
                        current[0] = entry;
                        r = await(entry.future, intended);
                    } catch (InterruptedException ended) {
                        release(held);
                        throw ended;
                    } finally {
                        inFlight.decrementAndGet();
                    }
                    attemptsMade.incrementAndGet();
                    r = usage.check(request, r);
                }
                Guard.Decision next = guard.afterAttempt(r, pass, attempt, System.nanoTime(), jitter);
                boolean last = !next.retry();
                Ledger.Recorded recorded;
                CallInfo as = last ? info : new CallInfo(run.user, run.index, role, step, attempt, false, first);
                try {
                    recorded = ledger.record(entry, r, as, last ? null : new CallInfo(run.user, run.index, role, step, attempt + 1, true, first));
                } catch (InterruptedException ended) {
                    release(held); // the run's end recorded the call, at no cost
                    throw ended;
                }
                waiting = recorded.waiting();
                current[0] = waiting;
                BigDecimal cost = recorded.cost().total();
                run.spend(cost);
                if (run.trace != null) {
                    run.trace.attempt(traceLane, as, request, r, cost);
                }
                if (held != null) {
                    spendLimit.settle(held, cost);
                }
                long end = intended + r.e2eNanos();
                run.add(role, r, last, end - first);
                if (last) {
                    if (!r.ok() && (attempt > 1 || RETRY_REFUSED.contains(next.stop()))) {
                        event("retries_ended", "reason", next.stop(), "attempts", attempt, "error", r.error().wireName());
                    }
                    timeline.position = end;
                    run.lastEnd.accumulateAndGet(end, Math::max);
                    if (completedCalls.availablePermits() < MAX_UNCLAIMED) {
                        completedCalls.release();
                    }
                    return r;
                }
                intended = end + next.delayNanos();
            }
        }

        private void release(BigDecimal held) {
            if (held != null) {
                spendLimit.settle(held, BigDecimal.ZERO);
            }
        }

        @Override
        public void pause(Duration time) {
            timeline.position += time.toNanos();
        }

        @Override
        public void tool(String name, Duration time) {
            long start = timeline.position;
            timeline.position += time.toNanos();
            if (run.trace != null) {
                run.trace.tool(traceLane, name, start, timeline.position);
            }
        }

        @Override
        public long elapsedNanos() {
            return timeline.position - run.start;
        }

        @Override
        public void event(String type, Object... fields) {
            recorder.recordEvent(run.user, run.index, role, timeline.position, type, fields);
        }

        @Override
        public void count(String metric, double amount) {
            run.metrics.computeIfAbsent(metric, k -> new DoubleAdder()).add(amount);
        }
    }

    /** One episode in progress: its main lane, and what the episode as a whole holds. */
    private final class Run extends Lane implements Episode {
        final int user;
        final long index;
        final long start;
        final long episodeSeed;
        final AtomicInteger lanes = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicLong lastEnd;
        final UsageTally tokens = new UsageTally();
        final LongAdder lostTokens = new LongAdder();
        final Map<String, RoleTally> roles = new ConcurrentHashMap<>();
        final Map<String, DoubleAdder> metrics = new ConcurrentHashMap<>();
        volatile String reason;
        private BigDecimal cost = BigDecimal.ZERO;
        /** The episode's trace in the making, or null when it is not traced. */
        final EpisodeSpans.Episode trace;

        Run(int user, long index, long start) {
            super("agent", new Timeline(start));
            this.user = user;
            this.index = index;
            this.start = start;
            this.lastEnd = new AtomicLong(start);
            this.episodeSeed = mix(seed, user, index);
            bind(this, new SplittableRandom(episodeSeed), new SplittableRandom(episodeSeed ^ 0x5DEECE66DL));
            EpisodeSpans tracing = spans;
            this.trace = tracing == null ? null : tracing.begin(user, index, scenario.name(), start);
        }

        @Override
        public int user() {
            return user;
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public <T> List<T> parallel(List<String> roleNames, Branch<T> branch) throws InterruptedException {
            long at = timeline.position;
            List<Lane> subLanes = new ArrayList<>(roleNames.size());
            List<Future<T>> futures = new ArrayList<>(roleNames.size());
            java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(roleNames.size());
            for (int i = 0; i < roleNames.size(); i++) {
                long laneSeed = mix(episodeSeed, lanes.incrementAndGet(), 7);
                Lane lane = new Lane(roleNames.get(i), new Timeline(at));
                lane.bind(this, new SplittableRandom(laneSeed), new SplittableRandom(laneSeed ^ 0x5DEECE66DL));
                if (trace != null) {
                    lane.traceLane = trace.lane(traceLane, lane.role, at);
                }
                subLanes.add(lane);
                int n = i;
                futures.add(subAgents.submit(() -> {
                    try {
                        return branch.run(lane, n);
                    } finally {
                        if (trace != null) {
                            trace.laneEnd(lane.traceLane, lane.timeline.position);
                        }
                        ended.countDown();
                    }
                }));
            }
            List<T> results = new ArrayList<>(futures.size());
            try {
                for (Future<T> f : futures) {
                    results.add(f.get());
                }
            } catch (InterruptedException | ExecutionException e) {
                // Stop the others and wait until they have: the episode is recorded only once all its lanes are still.
                futures.forEach(f -> f.cancel(true));
                boolean interrupted = e instanceof InterruptedException;
                try {
                    ended.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException again) {
                    interrupted = true;
                }
                if (interrupted) {
                    throw new InterruptedException();
                }
                Throwable cause = e.getCause();
                if (cause instanceof InterruptedException ie) {
                    throw ie;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("a sub-agent failed", cause);
            }
            long end = at;
            for (Lane lane : subLanes) {
                end = Math.max(end, lane.timeline.position);
            }
            timeline.position = Math.max(timeline.position, end); // what comes next waits for the slowest
            return results;
        }

        synchronized void spend(BigDecimal amount) {
            cost = cost.add(amount);
        }

        synchronized BigDecimal cost() {
            return cost;
        }

        @Override
        public void fail(String why) {
            synchronized (this) {
                if (reason == null) {
                    reason = why == null ? "failed" : why;
                }
            }
        }

        @Override
        public boolean failed() {
            return reason != null;
        }

        void record() {
            Map<String, RoleShare> roleTotals = new HashMap<>();
            roles.forEach((role, t) -> roleTotals.put(role, t.share()));
            Map<String, Double> metricTotals = new HashMap<>();
            metrics.forEach((k, v) -> metricTotals.put(k, v.sum()));
            EpisodeRecord done = new EpisodeRecord(user, index, scenario.name(), reason == null, reason, start, lastEnd.get(),
                    calls.get(), attempts.get(), tokens.sum(), lostTokens.sum(), roleTotals, metricTotals, cost());
            // traced only when on record: an episode ending after the run's record was sealed is neither (its trace counts unfinished)
            if (recorder.recordEpisode(done) && trace != null) {
                trace.end(done);
            }
        }

        /** Tallies one attempt; {@code busyNanos}: the call's time from its first intended start, retries included. */
        void add(String role, CallResult r, boolean last, long busyNanos) {
            Usage u = r.usage();
            attempts.incrementAndGet();
            tokens.add(u);
            if (!last) {
                lostTokens.add(u.promptTokens() + u.completionTokens());
            }
            RoleTally perRole = roles.computeIfAbsent(role, k -> new RoleTally());
            perRole.usage.add(u);
            if (last) {
                calls.incrementAndGet();
                perRole.last(!r.ok(), busyNanos / 1000);
            }
        }
    }

    /** Waits for the call; a stuck client becomes a classified failure after the watchdog time. */
    private CallResult await(CompletableFuture<CallResult> call, long intended) throws InterruptedException {
        try {
            return watchdogNanos <= 0 ? call.get() : call.get(watchdogNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(false);
            return CallResult.failure(intended, -1, System.nanoTime() - intended, ErrorClass.CLIENT_ERROR,
                    "no outcome from the client within " + Duration.ofNanos(watchdogNanos).toSeconds() + " s");
        } catch (ExecutionException e) {
            return CallResult.failure(intended, -1, System.nanoTime() - intended, ErrorClass.CLIENT_ERROR, "client failed: " + e.getCause());
        }
    }

    /** Parks until {@code deadline}. */
    static void waitUntil(long deadline) throws InterruptedException {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
