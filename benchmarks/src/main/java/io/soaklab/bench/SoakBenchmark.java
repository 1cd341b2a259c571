package io.soaklab.bench;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.record.WindowSummary;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunFolder;
import io.soaklab.run.RunManifest;
import io.soaklab.run.Soak;
import io.soaklab.scenario.Scenarios;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Control;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The JMH lifecycle of a soak, for a benchmark of one's own: the trial prepares and opens the run
 * (its folder, its endpoint, its users), each iteration is one window closed into the run's
 * histograms, the trial's end finishes the run and writes its report. A soak is then a few lines:
 *
 * <pre>{@code
 * public class MySoak extends SoakBenchmark {
 *     @Override protected RunConfig config(BenchmarkParams params) {
 *         return RunConfig.builder().scenario("agent-team").concurrency(32).window(Duration.ofMinutes(1)).duration(Duration.ofHours(1)).build();
 *     }
 *     @Benchmark public void calls(Calls calls, Control control) throws InterruptedException {
 *         awaitCall(calls, control);
 *     }
 * }
 * }</pre>
 *
 * <p>The users run by themselves, on their own threads (closed load) or on arrivals (open load): JMH
 * drives only the clock. The benchmark method waits for completed calls, so the {@link Calls}
 * counter reads calls completed per second; JMH's iteration count and time are ignored in favour of
 * the configuration's windows when the run makes its own folder (see {@link AgentSoak} for one that
 * takes them from JMH's options).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
// Iterations end on the clock (the users never hold them up), so JMH's iteration timeout, counted
// from an iteration's start, must only exceed the longest window anyone asks for.
@Timeout(time = 1, timeUnit = TimeUnit.DAYS)
public abstract class SoakBenchmark {

    private Soak soak;
    private boolean madeHere;

    /** The run to soak, for a run folder this benchmark makes; called once, at the trial's start. */
    protected abstract RunConfig config(BenchmarkParams params);

    /**
     * The run folder: one already prepared (by {@code soaklab run}) is soaked as it is; otherwise
     * one is made here from {@link #config}. By default a new folder under {@code results/}.
     */
    protected Path runFolder(BenchmarkParams params, RunConfig config) {
        return RunFolder.defaultPath(Path.of("results"), Scenarios.resolve(config.workload().scenario()).name(), Instant.now());
    }

    /** The soak under way, once the trial has started. */
    protected final Soak soak() {
        return soak;
    }

    @Setup(Level.Trial)
    public final void openSoak(BenchmarkParams params) throws IOException, InterruptedException {
        RunConfig config = prepared(params) ? null : config(params);
        Path dir = runFolder(params, config);
        if (!RunManifest.exists(dir)) {
            madeHere = true;
            Soak.prepare(dir, config != null ? config : config(params), null);
            System.err.println("soaklab: run folder " + dir.toAbsolutePath());
        }
        soak = Soak.open(dir, params.getForks() > 0);
        soak.start();
    }

    /** True when {@link #runFolder} names a folder prepared elsewhere, so that no configuration is needed here. */
    protected boolean prepared(BenchmarkParams params) {
        return false;
    }

    @Setup(Level.Iteration)
    public final void beginWindow(IterationParams iteration) {
        soak.beginWindow(iteration.getType() == IterationType.WARMUP);
    }

    @TearDown(Level.Iteration)
    public final void endWindow() {
        WindowSummary window = soak.endWindow();
        if (window != null) {
            System.err.println(soak.progress(window));
        }
    }

    @TearDown(Level.Trial)
    public final void closeSoak() throws IOException {
        soak.finish();
        if (madeHere) {
            System.err.println("soaklab: report " + Report.write(RunData.load(soak.dir())).toAbsolutePath());
        }
    }

    /** Calls completed, counted by JMH as a rate: the benchmark's real throughput. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Calls {
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            calls = 0;
        }
    }

    /**
     * Waits for the next call any user completes, and counts it. The invocation in flight when an
     * iteration ends returns without one, so JMH's primary score runs one invocation per iteration
     * high; the {@code calls} counter is exact.
     *
     * @throws IllegalStateException when the run ended itself (its spend limit): JMH stops there
     */
    protected final void awaitCall(Calls calls, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            if (soak.awaitCall(10, TimeUnit.MILLISECONDS)) {
                calls.calls++;
                return;
            }
            String ended = soak.endedEarly();
            if (ended != null) {
                throw new IllegalStateException("the run ended: " + ended);
            }
        }
    }
}
