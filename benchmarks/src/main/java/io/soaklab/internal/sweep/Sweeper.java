package io.soaklab.internal.sweep;

import io.soaklab.internal.analysis.Capacity;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.bench.SoakLauncher;
import io.soaklab.internal.record.StageLine;
import io.soaklab.internal.record.WindowSummary;
import io.soaklab.internal.report.Report;
import io.soaklab.internal.report.SweepSections;
import io.soaklab.internal.run.EndpointCheck;
import io.soaklab.internal.run.Slo;
import io.soaklab.internal.text.Durations;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.run.Soak;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a capacity sweep ({@code soaklab sweep}): one run, its load moved stage by stage as
 * {@link Search} says, each stage's windows recorded like any run's and tagged in
 * {@code sweep.jsonl}. After each stage it reads the stage back from the run folder
 * ({@link Capacity}, the rule the report uses too) and chooses the next. Windows tile time: the
 * next window opens as one closes, and the sweep decides while it runs; when it stops, that last
 * window holds what was still open and belongs to no stage.
 *
 * <p>The load runs on the sweep's own clock, not in JMH: JMH fixes its iterations before it
 * starts, and a sweep's number of stages follows from what it measures.
 */
public final class Sweeper {

    /** Longest the check call to a remote endpoint may take. */
    private static final Duration ENDPOINT_CHECK_LIMIT = Duration.ofSeconds(60);

    private Sweeper() {
    }

    /** Runs the sweep {@code config} describes into the new folder {@code dir}, printing its stages to {@code err}. */
    public static SoakLauncher.Outcome run(RunConfig config, Path dir, PrintWriter err, boolean checkEndpoint) throws IOException, InterruptedException {
        RunConfig.Sweep sweep = config.sweep();
        Soak.requireApiKey(config.target().apiKeyEnv());
        if (checkEndpoint && !config.target().embedded()) {
            EndpointCheck check = EndpointCheck.run(config, ENDPOINT_CHECK_LIMIT);
            if (check.fatal()) {
                throw new IllegalArgumentException(check.line());
            }
            err.println("soaklab: " + check.line());
        }
        Soak.prepare(dir, config, null);
        List<Slo> slos = Slo.parseAll(config.slo());
        Duration window = config.schedule().window();
        int settle = sweep.settleWindows(window, config.workload().rampUp());
        int budget = config.schedule().windows();
        err.printf("soaklab: sweep of %s from %s to %s (%s), stages of %d settling and %d measured windows of %s, at most %s; objectives %s%n",
                sweep.kind() == RunConfig.Sweep.Kind.USERS ? "concurrent " + config.workload().scenarioName() + " users"
                        : config.workload().scenarioName() + " arrivals (" + config.workload().arrival().substring(0, config.workload().arrival().indexOf(':')) + ")",
                sweep.level(sweep.from()), sweep.level(sweep.to()), config.target().embedded() ? "embedded endpoint" : config.target().endpoint(),
                settle, sweep.stageWindows(), Durations.format(window), Durations.format(config.schedule().duration()), config.slo());
        err.println("soaklab: run folder " + dir.toAbsolutePath());
        Search search = new Search(sweep);
        String why;
        RunStatus status = RunStatus.COMPLETE;
        Soak soak = Soak.open(dir, false);
        // stopped by a signal: the run is closed (aborted) and still has its report, stages and curves
        Thread onSignal = new Thread(() -> {
            soak.close(RunStatus.ABORTED, "stopped by a signal during the sweep");
            try {
                Report.write(RunData.load(dir, RunData.Reading.of(slos)));
            } catch (IOException | RuntimeException e) {
                err.println("soaklab: could not write the report: " + e.getMessage());
            }
            err.flush();
        }, "soaklab-sweep-shutdown");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            soak.start();
            if (!config.schedule().warmup().isZero()) {
                soak.beginWindow(true);
                park(System.nanoTime() + config.schedule().warmup().toNanos());
                soak.endWindow();
            }
            Windows windows = new Windows(soak, window, budget, settle + sweep.stageWindows());
            List<Capacity.Stage> stages = List.of();
            RunData last = null;
            int stage = 0;
            while (true) {
                Search.Step step = search.next(stages);
                if (step.stops()) {
                    why = step.stop();
                    break;
                }
                int needs = settle + sweep.stageWindows();
                if (windows.open() + needs + 1 > budget) {
                    why = "the time budget (--budget " + Durations.format(config.schedule().duration()) + ") has no room for another stage of "
                            + Durations.format(window.multipliedBy(needs));
                    break;
                }
                String spend = spendBudget(config, last, stages, step.level(), needs, sweep);
                if (spend != null) {
                    why = spend;
                    break;
                }
                if (stage > 0) {
                    Capacity.Stage before = stages.get(stages.size() - 1);
                    String stuck = null;
                    if (before.met()) {
                        soak.level(step.level(), config.workload().rampUp());
                    } else if (sweep.kind() == RunConfig.Sweep.Kind.RATE) {
                        stuck = drain(soak, windows, sweep, stages, config, err);
                        soak.level(step.level(), config.workload().rampUp());
                    } else {
                        soak.level(step.level(), config.workload().rampUp());
                        stuck = windDown(soak, windows, sweep, step.level(), config, err);
                    }
                    if (stuck != null) {
                        why = stuck;
                        break;
                    }
                    if (!before.met()) {
                        windows.toBoundary(); // the stage settles whole windows, not what is left of the one the wait ended in
                    }
                }
                StageLine.append(dir, new StageLine(stage, step.level(), step.how(), windows.open(), settle, sweep.stageWindows(),
                        java.time.Instant.now().toEpochMilli() * 1000));
                windows.pass(needs);
                last = RunData.load(dir, RunData.Reading.of(slos));
                Capacity capacity = Capacity.of(last);
                stages = capacity.stages();
                err.println("soaklab: " + SweepSections.stageLine(capacity, stages.get(stages.size() - 1)));
                stage++;
            }
            soak.close(status, Capacity.ENDED + why);
        } catch (StoppedException e) {
            why = e.getMessage();
            status = null;
        } catch (IOException | RuntimeException e) {
            String ended = soak.endedEarly();
            if (ended == null) {
                soak.close(RunStatus.FAILED, "the sweep failed: " + e.getMessage()); // the record so far stays, with its report
                err.println("soaklab: the sweep failed: " + e.getMessage());
            } // else the run ended under the sweep (a signal): reading it back failed for that reason, not for its own
            why = null;
            status = null;
        } finally {
            soak.close(); // no-op when closed above
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook writes the report
            }
        }
        RunData run = RunData.load(dir, RunData.Reading.of(slos));
        Path report = Report.write(run);
        Capacity capacity = Capacity.of(run);
        if (status != null) {
            err.println("soaklab: sweep ended: " + why);
        }
        err.println("soaklab: " + SweepSections.sentence(capacity));
        RunManifest after = run.manifest();
        return new SoakLauncher.Outcome(dir, after.status(), report, after.status() == RunStatus.COMPLETE ? null : after.message(),
                run.calls().calls(), run.calls().errorCount(), 0);
    }

    /** Why the spend budget ({@code --max-spend}) has no room for a stage at {@code level}: the last stage's spend, scaled to it; null when it has. */
    private static String spendBudget(RunConfig config, RunData run, List<Capacity.Stage> stages, double level, int windows, RunConfig.Sweep sweep) {
        BigDecimal max = config.pricing().maxSpend();
        if (max == null || run == null || run.costs() == null || stages.isEmpty()) {
            return null;
        }
        Capacity.Stage last = stages.get(stages.size() - 1);
        if (!last.measured() || last.spend() == null) {
            return null;
        }
        BigDecimal spent = run.costs().total().add(run.costs().warmup());
        BigDecimal next = last.spend().multiply(BigDecimal.valueOf(level / last.level() * windows / last.windows()));
        if (spent.add(next).compareTo(max) <= 0) {
            return null;
        }
        return "the spend budget (--max-spend " + max.toPlainString() + ") has no room for a stage at " + sweep.level(level) + ": "
                + io.soaklab.internal.cost.Cost.format(spent) + " spent, and the stage would cost about " + io.soaklab.internal.cost.Cost.format(next);
    }

    /** Longest a wait after an overload takes: episodes and a backlog, not one call, so not the call timeout. */
    static final Duration MAX_DRAIN = Duration.ofMinutes(10);

    /**
     * After an open load's stage missed, the calls it queued would be the next stage's latency:
     * arrivals fall to the lowest level until no more calls are in flight than that level had when it
     * met every objective (at most {@link #MAX_DRAIN}, within the budget). Its windows
     * belong to no stage.
     */
    private static String drain(Soak soak, Windows windows, RunConfig.Sweep sweep, List<Capacity.Stage> stages, RunConfig config, PrintWriter err)
            throws InterruptedException {
        // what the lowest level, at which the drain runs, had in flight when it met every objective: at the highest met level the
        // endpoint's slots may all be busy, and a next stage begun then would wait on them
        long target = Math.max(1, stages.stream().filter(s -> s.measured() && s.met()).min(java.util.Comparator.comparingDouble(Capacity.Stage::level))
                .map(Capacity.Stage::maxInFlight).orElse(1L));
        if (soak.atLevel() && soak.runner().inFlight() <= target) {
            return null;
        }
        soak.level(sweep.from(), Duration.ZERO);
        long deadline = System.nanoTime() + MAX_DRAIN.toNanos();
        int from = windows.open();
        int queued = soak.runner().inFlight();
        while ((!soak.atLevel() || soak.runner().inFlight() > target) && System.nanoTime() < deadline && windows.room() > 0) {
            windows.waitUpTo(20_000_000L);
        }
        if (!soak.atLevel() || soak.runner().inFlight() > target) {
            return stuckWhy(windows, "the backlog of " + queued + " calls the last stage left did not drain");
        }
        err.println("soaklab: drained " + queued + " calls in flight down to " + soak.runner().inFlight() + " at " + sweep.level(sweep.from())
                + " before the next stage (" + (windows.open() - from) + " window(s), in no stage)");
        return null;
    }

    /** Why a drain that did not finish ends the sweep: the budget, or the longest a drain may take. */
    private static String stuckWhy(Windows windows, String what) {
        return windows.room() <= 0 ? what + " while the time budget (--budget) had room to wait"
                : what + " within " + Durations.format(MAX_DRAIN) + ": the endpoint did not recover from the overload";
    }

    /**
     * After a closed load's stage missed and its level fell: the users above the new level end the
     * episodes they are in, and the calls the endpoint queued for them end, before the stage is
     * measured (at most {@link #MAX_DRAIN}, within the budget). Its windows belong to no stage.
     */
    private static String windDown(Soak soak, Windows windows, RunConfig.Sweep sweep, double level, RunConfig config, PrintWriter err)
            throws InterruptedException {
        long deadline = System.nanoTime() + MAX_DRAIN.toNanos();
        int from = windows.open();
        int queued = soak.runner().inFlight();
        while (!soak.atLevel() && System.nanoTime() < deadline && windows.room() > 0) {
            windows.waitUpTo(20_000_000L);
        }
        if (!soak.atLevel()) {
            return stuckWhy(windows, "the users above " + sweep.level(level) + " did not end their episodes");
        }
        if (windows.open() > from) {
            err.println("soaklab: waited for the users above " + sweep.level(level) + " to end their episodes (" + queued + " calls were in flight; "
                    + (windows.open() - from) + " window(s), in no stage)");
        }
        return null;
    }


    /** The run's windows on the sweep's clock: each closed and the next opened at once, on a grid from the first. */
    private static final class Windows {
        private final Soak soak;
        private final long t0;
        private final long windowNanos;
        private int open;

        /** Windows the budget allows, the closing one included. */
        private final int budget;
        /** Windows a stage needs: a drain leaves them. */
        private final int stage;

        Windows(Soak soak, Duration window, int budget, int stage) {
            this.budget = budget;
            this.stage = stage;
            this.soak = soak;
            this.windowNanos = window.toNanos();
            soak.beginWindow(false);
            this.t0 = System.nanoTime();
        }

        /** Windows a drain may still take, leaving their room to the window it ends in, a stage and the closing window. */
        int room() {
            return budget - (open + 1 + stage + 1);
        }

        /** The window open now, counted from 0. */
        int open() {
            return open;
        }

        /** Lets {@code n} windows pass. */
        void pass(int n) throws InterruptedException {
            for (int i = 0; i < n; i++) {
                park(t0 + (open + 1) * windowNanos);
                next();
            }
        }

        /** Waits for the window open now to end, and opens the next. */
        void toBoundary() throws InterruptedException {
            pass(1);
        }

        /** Waits up to {@code nanos}, passing a window boundary when one comes. */
        void waitUpTo(long nanos) throws InterruptedException {
            long boundary = t0 + (open + 1) * windowNanos;
            park(Math.min(boundary, System.nanoTime() + nanos));
            if (System.nanoTime() >= boundary) {
                next();
            }
        }

        private void next() {
            if (soak.endWindow() == null) {
                throw new StoppedException(soak.endedEarly());
            }
            open++;
            soak.beginWindow(false);
        }
    }

    private static void park(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** The run ended under the sweep (a signal, the spend limit, every call failing). */
    private static final class StoppedException extends RuntimeException {
        StoppedException(String why) {
            super(why == null ? "the run ended" : why);
        }
    }
}
