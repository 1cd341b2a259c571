package io.soaklab.cli;

import io.soaklab.internal.bench.SoakLauncher;
import io.soaklab.internal.trace.OtlpTarget;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunFolder;
import picocli.CommandLine.Option;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** The options of {@code run}, {@code demo} and {@code replay}: a soak at one load, for a duration, alone or as one shard of several. */
abstract class RunOptions extends LoadOptions {

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N",
            description = "Closed load: concurrent users, each running episodes back to back (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--arrival", paramLabel = "SPEC",
            description = "Open load instead: episodes arriving at a rate, whether or not earlier ones ended: constant:5/s, poisson:300/m, "
                    + "ramp:1/s..20/s@10m, step:2/s,5/s@5m, or csv:FILE of timestamps.")
    String arrival;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION",
            description = "Measured time, e.g. 20s, 30m, 8h; rounded up to whole windows (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Run shard I of N of this soak (users I, I+N, ... or every Nth arrival), on one of N machines; merge the folders with soaklab merge.")
    String shard;

    @Option(names = "--shards", paramLabel = "N",
            description = "Run one shard of N, its number taken from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's pod).")
    Integer shards;

    @Option(names = "--start-at", paramLabel = "TIME",
            description = "Start the load at TIME, so that every shard's windows cover the same time: an instant (2026-12-03T05:00:00Z), "
                    + "+DURATION from now, or +DURATION@FILE (the first shard to come writes the instant into FILE, the others read it).")
    String startAt;

    @Option(names = "--forks", paramLabel = "0|1",
            description = "1: the load runs in its own JVM, forked by JMH; 0: in this one (default: ${DEFAULT-VALUE}).")
    int forks;

    RunConfig config() {
        return settings()
                .concurrency(concurrency)
                .arrival(arrival)
                .duration(duration)
                .forks(forks)
                .shard(shardOf(System.getenv("JOB_COMPLETION_INDEX")))
                .build();
    }

    /** The shard {@code --shard} or {@code --shards} names, with {@code --start-at} resolved now; {@link RunConfig.Shard#WHOLE} when neither is given. */
    private RunConfig.Shard shardOf(String jobIndex) {
        if (shard != null && shards != null) {
            throw new SoakLab.UsageException("give --shard I/N or --shards N, not both");
        }
        int index = 0;
        int count = 1;
        if (shard != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\d{1,9})\\s*").matcher(shard);
            if (!m.matches()) {
                throw new SoakLab.UsageException("--shard '" + shard + "': write I/N, e.g. 0/4 for the first of 4 shards");
            }
            index = Integer.parseInt(m.group(1));
            count = Integer.parseInt(m.group(2));
        } else if (shards != null) {
            if (jobIndex == null || jobIndex.isBlank()) {
                throw new SoakLab.UsageException("--shards " + shards + " takes this shard's number from JOB_COMPLETION_INDEX, which is not set "
                        + "(a Kubernetes Indexed Job sets it); elsewhere give --shard I/" + shards);
            }
            try {
                index = Integer.parseInt(jobIndex.strip());
            } catch (NumberFormatException e) {
                throw new SoakLab.UsageException("JOB_COMPLETION_INDEX is '" + jobIndex + "', not a shard number");
            }
            count = shards;
        }
        if (count < 1 || index >= count) {
            throw new SoakLab.UsageException("shard " + index + " of " + count + ": the number must be from 0 to " + Math.max(0, count - 1));
        }
        java.time.Instant start = null;
        if (startAt != null && count > 1 && startAt.strip().startsWith("+") && !startAt.contains("@")) {
            throw new SoakLab.UsageException("--start-at " + startAt.strip() + " gives each shard its own instant (its own now): write "
                    + startAt.strip() + "@FILE with FILE on a volume every shard sees, or one instant (2026-12-03T05:00:00Z)");
        }
        if (startAt != null) {
            try {
                start = io.soaklab.internal.run.StartAt.resolve(startAt, Instant.now());
            } catch (IllegalArgumentException e) {
                throw new SoakLab.UsageException(e.getMessage());
            }
        }
        return count == 1 && start == null ? RunConfig.Shard.WHOLE : new RunConfig.Shard(index, count, start);
    }

    @Override
    public Integer call() throws Exception {
        var parsed = spec.commandLine().getParseResult();
        if (arrival != null) {
            for (String closedOnly : new String[] {"--concurrency", "--think-time", "--error-backoff"}) {
                if (parsed.hasMatchedOption(closedOnly)) {
                    throw new SoakLab.UsageException(closedOnly + " is for a closed load; with --arrival, episodes arrive at its rate"
                            + " (at most --max-in-flight at once)");
                }
            }
        } else if (parsed.hasMatchedOption("--max-in-flight")) {
            throw new SoakLab.UsageException("--max-in-flight is for an open load: give --arrival too");
        }
        RunConfig config = config();
        OtlpTarget otlp = OtlpTarget.resolve(config.observe().otlpEndpoint(), System.getenv()); // refused here, in one line, not in the load
        if ((parsed.hasMatchedOption("--trace-sample") || traceContent) && otlp == null && !traceFile) {
            System.err.println("soaklab: --trace-sample and --trace-content need --otlp-endpoint or --trace-file: nothing is traced");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (window.compareTo(duration) > 0) {
            System.err.println("soaklab: --duration is shorter than --window; measuring one window of " + duration.toSeconds() + " s");
        }
        Path dir = out != null ? out : RunFolder.defaultPath(Path.of("results"), config.workload().scenarioName()
                + (config.shard().sharded() ? "-shard-" + config.shard().index() : ""), Instant.now());
        if (out != null) {
            usableFolder(out);
        }
        PrintStream err = System.err;
        SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, err, !noEndpointCheck);
        int exit = SoakLab.exitCode(outcome);
        if (outcome.open() > 0) {
            err.println("soaklab: " + outcome.open() + (outcome.open() == 1 ? " call was" : " calls were") + " still open when the run ended (on record as 'open'; see the report)");
        }
        if (exit == SoakLab.WITH_FAILURES && outcome.calls() == 0) {
            err.println("soaklab: run complete, but no call ended");
        } else if (exit == SoakLab.WITH_FAILURES) {
            err.printf(java.util.Locale.ROOT, "soaklab: run complete, with %d of %d calls failed (%.1f%%)%n", outcome.failed(), outcome.calls(),
                    100.0 * outcome.failed() / Math.max(1, outcome.calls()));
        } else if (exit != SoakLab.OK) {
            err.println("soaklab: run " + outcome.status().wireName() + (outcome.problem() == null ? "" : ": " + outcome.problem()));
        }
        stdout.println("report: " + outcome.report().toAbsolutePath());
        return exit;
    }
}
