package io.soaklab.internal.bench;

import io.soaklab.bench.AgentSoak;
import io.soaklab.internal.analysis.JmhResult;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.internal.report.Report;
import io.soaklab.internal.run.EndpointCheck;
import io.soaklab.internal.run.Preflight;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunFolder;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.run.Soak;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.internal.text.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Version;

/**
 * Runs a soak end to end: the run folder and {@code run.json}, the embedded endpoint when no
 * remote one is given (in this JVM, apart from the load generator JMH forks), the JMH run of
 * {@link AgentSoak}, and the report. A run stopped by a signal is marked aborted and still gets
 * its report; one whose load generator died is marked crashed.
 *
 * <pre>{@code
 * SoakLauncher.Outcome done = SoakLauncher.launch(config, Path.of("results/my-run"), System.err);
 * }</pre>
 */
public final class SoakLauncher {

    /** Longest the pre-flight estimate may sample for. */
    static final Duration PREFLIGHT_LIMIT = Duration.ofSeconds(60);

    /** The benchmark every soak runs. */
    static final String BENCHMARK = AgentSoak.class.getName() + ".soak";

    /** Longest the endpoint check may wait for its answer. */
    static final Duration ENDPOINT_CHECK_LIMIT = Duration.ofSeconds(60);

    /**
     * How a run ended.
     *
     * @param dir     its folder
     * @param status  its final status
     * @param report  its report page
     * @param problem why it did not complete, or {@code null}
     * @param calls   measured calls that ended
     * @param failed  of those, calls that failed
     * @param open    calls still open when the run ended
     */
    public record Outcome(Path dir, RunStatus status, Path report, String problem, long calls, long failed, long open) {
        /** True when the run completed, calls ended in it, and every one of them succeeded. */
        public boolean healthy() {
            return status == RunStatus.COMPLETE && failed == 0 && calls > 0;
        }
    }

    private SoakLauncher() {
    }

    /**
     * Runs {@code config} into the new folder {@code dir}, printing progress to {@code err}.
     *
     * @throws IllegalArgumentException for a configuration that cannot run (a message for the user)
     */
    public static Outcome launch(RunConfig config, Path dir, PrintStream err) throws IOException {
        return launch(config, dir, err, true);
    }

    /**
     * As {@link #launch(RunConfig, Path, PrintStream)}; {@code checkEndpoint} first sends one small
     * call to a remote endpoint and refuses to start when it is unreachable or refuses the key or model.
     */
    public static Outcome launch(RunConfig config, Path dir, PrintStream err, boolean checkEndpoint) throws IOException {
        Soak.requireApiKey(config.target().apiKeyEnv()); // fail now, not in the forked JVM
        if (config.shard().sharded()) {
            String scenario = config.workload().scenario();
            if (!config.workload().open() && io.soaklab.scenario.Scenarios.isReplay(scenario)
                    && io.soaklab.scenario.Scenarios.schedule(io.soaklab.scenario.Scenarios.of(io.soaklab.scenario.Scenarios.resolve(scenario))) == null) {
                // its users take the next session as they finish: which session is whose depends on the machine, so shards would repeat some
                throw new IllegalArgumentException("a replay at speed max cannot be split into shards: replay it at its recorded speed, or on one machine");
            }
            // JMH's lock keeps two benchmarks off one machine; shards of one soak may share one, and then mean to
            System.setProperty("jmh.ignoreLock", "true");
        }
        requireJmhLock();
        if (checkEndpoint && !config.target().embedded()) {
            EndpointCheck check = EndpointCheck.run(config, ENDPOINT_CHECK_LIMIT);
            if (check.fatal()) {
                throw new IllegalArgumentException(check.line());
            }
            err.println("soaklab: " + check.line());
        }
        preflight(config, err);
        if (config.target().embedded()) {
            RunFolder.create(dir); // the endpoint's truth log goes into it
        }
        EmbeddedEndpoint embedded = config.target().embedded() ? EmbeddedEndpoint.startIn(config.target().sim(), dir) : null;
        try {
            RunManifest.Endpoint where = embedded != null
                    ? new RunManifest.Endpoint(embedded.baseUrl(), true)
                    : new RunManifest.Endpoint(config.target().endpoint(), false);
            Soak.prepare(dir, config, where).withVersion("jmh", Version.getPlainVersion()).write(dir);
            io.soaklab.scenario.ScenarioSpec kept = io.soaklab.scenario.Scenarios.kept(dir);
            boolean timedReplay = !config.workload().open() && kept != null && kept.kind() == io.soaklab.scenario.ScenarioSpec.Kind.REPLAY
                    && kept.replay().timed();
            String load = config.workload().open() ? config.workload().scenarioName() + " episodes arriving " + config.workload().arrival()
                    : timedReplay ? config.workload().scenarioName() + " sessions arriving at their recorded times"
                            + (kept.replay().speed() == 1 ? "" : " / " + java.math.BigDecimal.valueOf(kept.replay().speed()).stripTrailingZeros().toPlainString())
                    : config.workload().concurrency() + " " + config.workload().scenarioName() + " users";
            err.printf("soaklab: %s against %s%s, %d windows of %s%s%n", load,
                    where.url(), where.embedded() ? " (embedded, " + config.target().sim().profile() + ", " + config.target().api().wireName() + ")"
                            : " (" + config.target().api().wireName() + ")", config.schedule().windows(), Durations.format(config.schedule().window()),
                    config.settling().isZero() ? "" : " after " + (config.workload().rampUp().isZero() ? "" : Durations.format(config.workload().rampUp()) + " of ramp-up"
                            + (config.schedule().warmup().isZero() ? "" : " and ")) + (config.schedule().warmup().isZero() ? "" : Durations.format(config.schedule().warmup()) + " of warmup"));
            err.println("soaklab: run folder " + dir.toAbsolutePath());

            Ending ending = new Ending(dir, embedded, err);
            Thread onSignal = new Thread(() -> ending.onSignal(config.schedule().forks() > 0), "soaklab-launcher-shutdown");
            Runtime.getRuntime().addShutdownHook(onSignal);
            String problem = null;
            try {
                if (config.schedule().forks() == 0) {
                    forgetEndedState();
                }
                new Runner(options(config, dir, where)).run();
            } catch (RunnerException e) {
                problem = rootMessage(e);
            }
            Outcome outcome = ending.end(problem, false);
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // a signal arrived: the hook reports, with this same outcome
            }
            return outcome;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** Before spending real money: what the run will roughly cost, from a few episodes on a fast embedded endpoint. */
    private static void preflight(RunConfig config, PrintStream err) {
        if (config.target().embedded()) {
            return;
        }
        Tariff tariff = config.tariff(PriceCatalog.load(config.pricing().prices()));
        if (tariff == null) {
            return;
        }
        err.println("soaklab: pre-flight: sampling " + config.workload().scenarioName() + " on the embedded endpoint to estimate the spend...");
        try {
            Preflight p = Preflight.estimate(config, tariff, PREFLIGHT_LIMIT);
            err.println(p == null ? "soaklab: pre-flight: no sampled episode finished within " + Durations.format(PREFLIGHT_LIMIT) + "; no estimate"
                    : "soaklab: " + p.describe(tariff).replace("\n", "\nsoaklab: "));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // an estimate is a courtesy: a temporary folder that cannot be made must not stop the run
            err.println("soaklab: pre-flight: no estimate (" + rootMessage(e) + ")");
        }
    }

    /**
     * Run in this JVM (forks 0), JMH keeps the benchmark's state in a static field of its generated
     * class and clears it only when a trial ends normally: after a run that ended early (its spend
     * limit, its failed windows), the next run in the same JVM would be handed that state, set up
     * for the last run, its trial set-up skipped. The field is cleared before each run here.
     */
    private static void forgetEndedState() {
        try {
            Class<?> generated = Class.forName(AgentSoak.class.getPackageName() + ".jmh_generated." + AgentSoak.class.getSimpleName() + "_soak_jmhTest");
            for (java.lang.reflect.Field f : generated.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && f.getType().getSimpleName().endsWith("_jmhType")) {
                    f.setAccessible(true);
                    f.set(null, null);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another JMH's generated code: nothing kept that this knows how to clear
        }
    }

    /**
     * Ends a run exactly once, whoever gets there first: the launching thread when JMH returns, or
     * the shutdown hook after Ctrl-C or a signal. The other waits and shares the outcome.
     */
    private static final class Ending {
        private final Path dir;
        private final EmbeddedEndpoint embedded;
        private final PrintStream err;
        private Outcome outcome;

        Ending(Path dir, EmbeddedEndpoint embedded, PrintStream err) {
            this.dir = dir;
            this.embedded = embedded;
            this.err = err;
        }

        /** Marks the run if its load generator could not, writes the report; the first call wins. */
        synchronized Outcome end(String problem, boolean bySignal) throws IOException {
            if (outcome != null) {
                return outcome;
            }
            RunManifest after = RunManifest.read(dir);
            if (after.status() == RunStatus.RUNNING) {
                after = bySignal
                        ? after.ended(RunStatus.ABORTED, "stopped by a signal before the end")
                        : after.ended(RunStatus.CRASHED, "the load generator ended without closing the run"
                                + (problem == null ? "" : ": " + problem));
                after.write(dir);
            }
            RunData run = RunData.load(dir);
            Path report = Report.write(run);
            outcome = new Outcome(dir, after.status(), report, after.status() == RunStatus.COMPLETE ? null
                    : after.message() != null ? after.message() : problem, run.calls().calls(), run.calls().errorCount(), run.calls().open());
            return outcome;
        }

        /** Ctrl-C or a signal: let the load generator close its window, then end the run. */
        void onSignal(boolean forked) {
            if (forked) {
                // Ctrl-C reaches the forked JVM too; a plain SIGTERM to this process does not: pass it on.
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
                ProcessHandle.current().descendants().forEach(child -> {
                    try {
                        child.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        child.destroyForcibly();
                    }
                });
            } else {
                awaitEnded(10_000); // the load runs in this JVM: its own hook is closing the run now
            }
            try {
                err.println("soaklab: stopped; report " + end(null, true).report().toAbsolutePath());
            } catch (IOException | RuntimeException e) {
                err.println("soaklab: stopped; could not write the report: " + e.getMessage());
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }

        private void awaitEnded(long millis) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < deadline) {
                try {
                    if (RunManifest.read(dir).status().ended()) {
                        return;
                    }
                    Thread.sleep(50);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** JMH options for the run: one measurement iteration per window. */
    static Options options(RunConfig config, Path dir, RunManifest.Endpoint where) {
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include("^" + Pattern.quote(BENCHMARK) + "$")
                .param("run", dir.toAbsolutePath().toString())
                .param("scenario", config.workload().scenario())
                .param("endpoint", where.url().toString())
                .param("api", config.target().api().wireName())
                .param("simProfile", config.target().sim().profile())
                .param("model", config.target().model())
                .param("apiKeyEnv", config.target().apiKeyEnv() == null ? "" : config.target().apiKeyEnv())
                .param("seed", Long.toString(config.workload().seed()))
                .param("concurrency", Integer.toString(config.workload().concurrency()))
                .param("arrival", config.workload().arrival() == null ? "" : config.workload().arrival())
                .threads(1) // the JMH thread only counts completions; the users have their own threads
                .forks(config.schedule().forks())
                .warmupIterations(config.settling().isZero() ? 0 : 1) // ramp-up and warmup: never measured
                .measurementIterations(config.schedule().windows())
                .measurementTime(TimeValue.milliseconds(config.schedule().window().minus(config.alignSlack()).toMillis()))
                // JMH's own 10-minute iteration timeout would cut windows longer than that.
                .timeout(TimeValue.seconds(config.iterationTimeout().toSeconds()))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(JmhResult.file(dir).toString())
                // soaklab prints one progress line per window; JMH's own lines would bury them.
                .verbosity(VerboseMode.SILENT);
        if (!config.settling().isZero()) {
            Duration settling = config.settling().compareTo(config.alignSlack().multipliedBy(2)) > 0 ? config.settling().minus(config.alignSlack())
                    : config.settling();
            jmh.warmupTime(TimeValue.milliseconds(settling.toMillis()));
        }
        return jmh.build();
    }

    /**
     * JMH refuses to start while another JMH run holds its lock file, but only after soaklab would
     * have made the run folder: check first, and say what it means.
     */
    static void requireJmhLock() throws IOException {
        if (Boolean.getBoolean("jmh.ignoreLock")) {
            return;
        }
        java.io.File lockFile = new java.io.File(System.getProperty("java.io.tmpdir"), "jmh.lock");
        if (!lockFile.exists()) {
            return;
        }
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(lockFile, "rw");
             java.nio.channels.FileLock lock = raf.getChannel().tryLock()) {
            if (lock == null) {
                throw new IllegalArgumentException("another JMH run (another soak?) holds " + lockFile
                        + "; two soaks on one machine disturb each other's numbers. Wait for it, or set"
                        + " SOAKLAB_JAVA_OPTS=-Djmh.ignoreLock=true to run anyway");
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IllegalArgumentException("a JMH run in this JVM holds " + lockFile);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m.strip().lines().findFirst().orElse(m);
    }
}
