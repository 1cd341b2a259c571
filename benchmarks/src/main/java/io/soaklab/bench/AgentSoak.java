package io.soaklab.bench;

import io.soaklab.analysis.RunData;
import io.soaklab.protocol.Api;
import io.soaklab.record.WindowSummary;
import io.soaklab.report.Report;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunFolder;
import io.soaklab.run.RunManifest;
import io.soaklab.run.Soak;
import io.soaklab.sim.SimProfiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Control;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * An agent soak as a JMH benchmark. The load runs by itself: {@code concurrency} virtual users,
 * each on its own thread, running agent sessions back to back (closed loop). JMH drives the
 * clock: each measurement iteration is one window, closed into {@code histograms.hlog} at the
 * iteration's end, and the benchmark method waits for completed calls, so the {@code calls}
 * counter reads calls completed per second.
 *
 * <p>Why not one JMH thread per user: JMH ends an iteration only when every thread has finished
 * its current invocation. With model calls that last seconds, every window would stretch and
 * every user would wait at the boundary, showing up as schedule lag the endpoint never caused.
 *
 * <p>{@code soaklab run} prepares a run folder and passes it as {@code -p run=DIR}. Run directly
 * under JMH, the benchmark makes its own folder under {@code results/}; {@code -i} is the number
 * of windows, {@code -r} the window length, {@code -p concurrency=N} the number of users:
 *
 * <pre>
 * java -cp benchmarks/target/soaklab.jar org.openjdk.jmh.Main AgentSoak -p concurrency=16 -i 6 -r 5s -rf json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Threads(1)
@Warmup(iterations = 0)
@Measurement(iterations = 6, time = 10, timeUnit = TimeUnit.SECONDS)
// Iterations end on the clock (the users never hold them up), so JMH's iteration timeout, counted
// from an iteration's start, must only exceed the longest window anyone asks for.
@Timeout(time = 1, timeUnit = TimeUnit.DAYS)
public class AgentSoak {

    /**
     * Run folder prepared by {@code soaklab run}; a new folder to make the run there from JMH's
     * options; empty to make one under {@code results/}.
     */
    @Param("")
    public String run;

    /** Scenario, when the benchmark makes its own run. */
    @Param("coding-agent")
    public String scenario;

    /** API root of a remote endpoint; empty for the embedded one. */
    @Param("")
    public String endpoint;

    /** Protocol: {@code openai} or {@code anthropic}. */
    @Param("openai")
    public String api;

    /** The embedded endpoint's profile, when the benchmark makes its own run. */
    @Param("default")
    public String simProfile;

    /** Model name; empty for the embedded endpoint's. */
    @Param("")
    public String model;

    /** Environment variable holding the API key; empty for none. */
    @Param("")
    public String apiKeyEnv;

    /** Concurrent users (closed load), when the benchmark makes its own run. */
    @Param("8")
    public int concurrency;

    /** Open load: arrivals such as {@code poisson:5/s} ({@link io.soaklab.load.Arrivals}); empty for a closed load. */
    @Param("")
    public String arrival;

    /** Workload seed. */
    @Param("1")
    public long seed;

    private Soak soak;
    private boolean standalone;

    @Setup(Level.Trial)
    public void open(BenchmarkParams params) throws IOException {
        Path dir = run.isEmpty() ? RunFolder.defaultPath(Path.of("results"), io.soaklab.scenario.Scenarios.resolve(scenario).name(), Instant.now())
                : Path.of(run);
        if (!RunManifest.exists(dir)) {
            standalone = true; // run by JMH itself: this benchmark makes the run from JMH's options
            Soak.prepare(dir, standaloneConfig(params), null);
            System.err.println("soaklab: run folder " + dir.toAbsolutePath());
        }
        soak = Soak.open(dir, params.getForks() > 0);
        soak.start();
    }

    private RunConfig standaloneConfig(BenchmarkParams params) {
        Duration window = Duration.ofNanos(params.getMeasurement().getTime().convertTo(TimeUnit.NANOSECONDS));
        Duration warmup = Duration.ofNanos(params.getWarmup().getTime().convertTo(TimeUnit.NANOSECONDS)
                * params.getWarmup().getCount());
        return RunConfig.builder()
                .scenario(scenario)
                .concurrency(concurrency)
                .arrival(arrival.isEmpty() ? null : arrival)
                .window(window)
                .duration(window.multipliedBy(params.getMeasurement().getCount()))
                .warmup(warmup)
                .seed(seed)
                .endpoint(endpoint.isEmpty() ? null : URI.create(endpoint))
                .api(Api.of(api))
                .sim(SimProfiles.get(simProfile).seed(seed).build())
                .model(model.isEmpty() ? null : model)
                .apiKeyEnv(apiKeyEnv.isEmpty() ? null : apiKeyEnv)
                .forks(Math.min(1, params.getForks()))
                .build();
    }

    @Setup(Level.Iteration)
    public void beginWindow(IterationParams iteration) {
        soak.beginWindow(iteration.getType() == IterationType.WARMUP);
    }

    @TearDown(Level.Iteration)
    public void endWindow() {
        WindowSummary window = soak.endWindow();
        if (window != null) {
            System.err.println(soak.progress(window));
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        soak.finish();
        if (standalone) {
            System.err.println("soaklab: report " + Report.write(RunData.load(soak.dir())).toAbsolutePath());
        }
    }

    /** Calls completed, counted by JMH as a rate: the benchmark's real throughput. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Completed {
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            calls = 0;
        }
    }

    /**
     * Waits for the next call any user completes. The invocation in flight when an iteration
     * ends returns without one, so JMH's primary score runs one invocation per iteration high;
     * the {@code calls} counter is exact.
     */
    @Benchmark
    public void soak(Completed completed, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            if (soak.awaitCall(10, TimeUnit.MILLISECONDS)) {
                completed.calls++;
                return;
            }
            String ended = soak.endedEarly();
            if (ended != null) {
                // the run ended itself (the spend limit): JMH stops here, and the launcher reports the run
                throw new IllegalStateException("the run ended: " + ended);
            }
        }
    }
}
