package io.soaklab.bench;

import io.soaklab.analysis.RunData;
import io.soaklab.report.Report;
import io.soaklab.run.Durations;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.run.Soak;
import io.soaklab.sim.EmbeddedEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
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

    /** The benchmark every soak runs. */
    static final String BENCHMARK = AgentSoak.class.getName() + ".soak";

    /**
     * How a run ended.
     *
     * @param dir    its folder
     * @param status its final status
     * @param report its report page
     * @param problem why it did not complete, or {@code null}
     */
    public record Outcome(Path dir, RunStatus status, Path report, String problem) {
    }

    private SoakLauncher() {
    }

    /**
     * Runs {@code config} into the new folder {@code dir}, printing progress to {@code err}.
     *
     * @throws IllegalArgumentException for a configuration that cannot run (a message for the user)
     */
    public static Outcome launch(RunConfig config, Path dir, PrintStream err) throws IOException {
        Soak.requireApiKey(config.apiKeyEnv()); // fail now, not in the forked JVM
        requireJmhLock();
        EmbeddedEndpoint embedded = config.embedded() ? EmbeddedEndpoint.start(config.sim()) : null;
        try {
            RunManifest.Endpoint where = embedded != null
                    ? new RunManifest.Endpoint(embedded.baseUrl(), true)
                    : new RunManifest.Endpoint(config.endpoint(), false);
            Soak.prepare(dir, config, where).withVersion("jmh", Version.getPlainVersion()).write(dir);
            err.printf("soaklab: %d %s sessions against %s%s, %d windows of %s%s%n", config.concurrency(), config.scenario(),
                    where.url(), where.embedded() ? " (embedded)" : "", config.windows(), Durations.format(config.window()),
                    config.warmup().isZero() ? "" : " after " + Durations.format(config.warmup()) + " of warmup");
            err.println("soaklab: run folder " + dir.toAbsolutePath());

            Thread onSignal = new Thread(() -> stopped(dir, embedded, err), "soaklab-launcher-shutdown");
            Runtime.getRuntime().addShutdownHook(onSignal);
            String problem = null;
            try {
                new Runner(options(config, dir, where)).run();
            } catch (RunnerException e) {
                problem = rootMessage(e);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it finishes the run
                }
            }
            RunManifest after = RunManifest.read(dir);
            if (after.status() == RunStatus.RUNNING) {
                after = after.ended(RunStatus.CRASHED, "the load generator ended without closing the run"
                        + (problem == null ? "" : ": " + problem));
                after.write(dir);
            }
            Path report = Report.write(RunData.load(dir));
            return new Outcome(dir, after.status(), report, after.status() == RunStatus.COMPLETE ? null
                    : after.message() != null ? after.message() : problem);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** JMH options for the run: one measurement iteration per window. */
    static Options options(RunConfig config, Path dir, RunManifest.Endpoint where) {
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include("^" + Pattern.quote(BENCHMARK) + "$")
                .param("run", dir.toAbsolutePath().toString())
                .param("scenario", config.scenario())
                .param("endpoint", where.url().toString())
                .param("model", config.model())
                .param("apiKeyEnv", config.apiKeyEnv() == null ? "" : config.apiKeyEnv())
                .param("seed", Long.toString(config.seed()))
                .param("concurrency", Integer.toString(config.concurrency()))
                .threads(1) // the JMH thread only counts completions; the users have their own threads
                .forks(config.forks())
                .warmupIterations(config.warmup().isZero() ? 0 : 1)
                .measurementIterations(config.windows())
                .measurementTime(TimeValue.milliseconds(config.window().toMillis()))
                // JMH's own 10-minute iteration timeout would cut windows longer than that.
                .timeout(TimeValue.seconds(config.iterationTimeout().toSeconds()))
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(dir.resolve("jmh.json").toString())
                // soaklab prints one progress line per window; JMH's own lines would bury them.
                .verbosity(VerboseMode.SILENT);
        if (!config.warmup().isZero()) {
            jmh.warmupTime(TimeValue.milliseconds(config.warmup().toMillis()));
        }
        return jmh.build();
    }

    /** Ctrl-C or a signal: let the load generator close its window, then mark and report the run. */
    private static void stopped(Path dir, EmbeddedEndpoint embedded, PrintStream err) {
        // Ctrl-C reaches the forked JVM too; a plain SIGTERM to this process does not, so pass it on.
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
        ProcessHandle.current().descendants().forEach(child -> {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        });
        try {
            RunManifest m = RunManifest.read(dir);
            if (m.status() == RunStatus.RUNNING) {
                m.ended(RunStatus.ABORTED, "stopped by a signal before the end").write(dir);
            }
            err.println("soaklab: stopped; report " + Report.write(RunData.load(dir)).toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            err.println("soaklab: stopped; could not write the report: " + e.getMessage());
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
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
