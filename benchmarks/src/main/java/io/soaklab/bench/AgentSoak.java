package io.soaklab.bench;

import io.soaklab.protocol.Api;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.sim.SimProfiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Control;

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
@Fork(1)
@Warmup(iterations = 0)
@Measurement(iterations = 6, time = 10, timeUnit = TimeUnit.SECONDS)
public class AgentSoak extends SoakBenchmark {

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

    @Override
    protected boolean prepared(BenchmarkParams params) {
        return !run.isEmpty() && RunManifest.exists(Path.of(run));
    }

    @Override
    protected Path runFolder(BenchmarkParams params, RunConfig config) {
        return run.isEmpty() ? super.runFolder(params, config) : Path.of(run);
    }

    /** The run JMH's options describe: {@code -i} windows of {@code -r}, after {@code -wi} of {@code -w} warmup. */
    @Override
    protected RunConfig config(BenchmarkParams params) {
        return standaloneConfig(params);
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

    /** Waits for the next call any user completes ({@link SoakBenchmark#awaitCall}). */
    @Benchmark
    public void soak(Calls calls, Control control) throws InterruptedException {
        awaitCall(calls, control);
    }
}
