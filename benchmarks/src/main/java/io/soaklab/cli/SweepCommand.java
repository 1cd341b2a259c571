package io.soaklab.cli;

import io.soaklab.internal.bench.SoakLauncher;
import io.soaklab.internal.sweep.Sweeper;
import io.soaklab.load.Arrivals;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunFolder;
import io.soaklab.run.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code soaklab sweep}: the load an endpoint sustains within its objectives, found by stages of
 * rising, then bisected, load inside one run ({@link Sweeper}).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = Defaults.Sweep.class,
        description = {"Find the load an endpoint sustains within its objectives, in one run of stages of rising, then bisected, load.",
            "The report says it in one sentence, with each stage and the curves: latency against throughput, goodput and cost per task",
            "against load (docs/sweep.md).",
            "Example: soaklab sweep --endpoint http://gpu-box:8000/v1 --model M --concurrency 4..512 --slo ttft.p99=2s,errors=1%"})
final class SweepCommand extends LoadOptions {

    @Option(names = {"-c", "--concurrency"}, paramLabel = "FROM..TO",
            description = "Sweep a closed load: concurrent users from FROM up to at most TO, e.g. 4..512.")
    String concurrency;

    @Option(names = "--arrival-rate", paramLabel = "FROM..TO",
            description = "Sweep an open load instead: episodes arriving at FROM up to at most TO, e.g. 1/s..200/s (or /m, /h).")
    String arrivalRate;

    @Option(names = "--arrivals", paramLabel = "poisson|constant",
            description = "Open load: how episodes arrive at each stage's rate (default: ${DEFAULT-VALUE}).")
    String arrivals;

    @Option(names = "--stage-windows", paramLabel = "N",
            description = "Measured windows per stage; each objective's confidence interval comes from them (default: ${DEFAULT-VALUE}).")
    int stageWindows;

    @Option(names = "--settle", paramLabel = "DURATION",
            description = "Left out after each change of load, with the ramp-up; rounded up to whole windows (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--factor", paramLabel = "F",
            description = "The ladder's step: each stage's load is the last one's times F until a stage misses (default: ${DEFAULT-VALUE}).")
    double factor;

    @Option(names = "--precision", paramLabel = "PERCENT",
            description = "Stop once the lowest load that missed is within this of the highest that met (users: or one apart) (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--budget", paramLabel = "DURATION",
            description = "The most the sweep may take, warmup left aside; it stops before a stage that would not fit (default: ${DEFAULT-VALUE}).")
    Duration budget;

    @Override
    public Integer call() throws Exception {
        var parsed = spec.commandLine().getParseResult();
        if ((concurrency == null) == (arrivalRate == null)) {
            throw new SoakLab.UsageException("give the range to sweep: --concurrency FROM..TO (users) or --arrival-rate FROM..TO (e.g. 1/s..200/s)");
        }
        if (slo == null || slo.isBlank()) {
            throw new SoakLab.UsageException("a sweep needs objectives, the load sustained is the load that meets them: --slo ttft.p99=2s,errors=1% for instance");
        }
        if (io.soaklab.scenario.Scenarios.isReplay(scenario)) {
            throw new SoakLab.UsageException("a sweep runs a scenario's episodes, not a replay: a replay's load comes from its recording");
        }
        boolean users = concurrency != null;
        if (users) {
            for (String openOnly : new String[] {"--max-in-flight", "--arrivals"}) {
                if (parsed.hasMatchedOption(openOnly)) {
                    throw new SoakLab.UsageException(openOnly + " is for an open load: sweep --arrival-rate instead");
                }
            }
        } else {
            for (String closedOnly : new String[] {"--think-time", "--error-backoff"}) {
                if (parsed.hasMatchedOption(closedOnly)) {
                    throw new SoakLab.UsageException(closedOnly + " is for a closed load: sweep --concurrency instead");
                }
            }
        }
        double[] range = users ? range("--concurrency", concurrency, true) : range("--arrival-rate", arrivalRate, false);
        String process = arrivals.strip().toLowerCase(Locale.ROOT);
        if (!process.equals("poisson") && !process.equals("constant")) {
            throw new SoakLab.UsageException("--arrivals '" + arrivals + "': poisson or constant");
        }
        RunConfig.Sweep sweep = new RunConfig.Sweep(users ? RunConfig.Sweep.Kind.USERS : RunConfig.Sweep.Kind.RATE, range[0], range[1], factor,
                percent(precision), settle, stageWindows);
        RunConfig.Builder b = settings().duration(budget).forks(0);
        if (users) {
            b.concurrency((int) range[0]);
        } else {
            b.arrival(process + ":" + sweep.level(range[0]));
        }
        RunConfig config = b.build().withSweep(sweep);
        if (RunConfig.UNPRICED.equals(config.pricedAs()) && io.soaklab.internal.run.Slo.parseAll(slo).stream().anyMatch(o -> o.metric().equals("episode.cost"))) {
            throw new SoakLab.UsageException("--slo episode.cost needs prices, and the run is not priced (--price-as none): give --price-as MODEL");
        }
        int stage = sweep.settleWindows(config.schedule().window(), config.workload().rampUp()) + sweep.stageWindows();
        if (config.schedule().windows() < stage + 1) {
            throw new SoakLab.UsageException("--budget " + io.soaklab.internal.text.Durations.format(budget) + " has no room for one stage of "
                    + stage + " windows of " + io.soaklab.internal.text.Durations.format(config.schedule().window()) + ": give a longer budget");
        }
        Path dir = out != null ? out : RunFolder.defaultPath(Path.of("results"), "sweep-" + config.workload().scenarioName(), Instant.now());
        if (out != null) {
            usableFolder(out);
        }
        SoakLauncher.Outcome outcome = Sweeper.run(config, dir, spec.commandLine().getErr(), !noEndpointCheck);
        spec.commandLine().getOut().println("report: " + outcome.report().toAbsolutePath());
        // calls failing above the knee are what a sweep looks for: a complete sweep is a success
        return outcome.status() == RunStatus.COMPLETE ? SoakLab.OK : SoakLab.exitCode(outcome);
    }

    /** {@code FROM..TO}: whole numbers of users, or rates ({@code 1/s..200/s}) in arrivals a second. */
    private static double[] range(String option, String text, boolean whole) {
        String[] parts = text.strip().split("\\.\\.", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new SoakLab.UsageException(option + " '" + text + "': write FROM..TO, e.g. " + (whole ? "4..512" : "1/s..200/s"));
        }
        double[] r = new double[2];
        for (int i = 0; i < 2; i++) {
            String p = parts[i].strip();
            try {
                r[i] = whole ? Integer.parseInt(p) : Arrivals.perSecond(p);
            } catch (NumberFormatException e) {
                throw new SoakLab.UsageException(option + " '" + text + "': '" + p + "' is not a whole number of users");
            } catch (IllegalArgumentException e) {
                throw new SoakLab.UsageException(option + " '" + text + "': " + e.getMessage());
            }
        }
        if (r[0] <= 0 || r[1] < r[0]) {
            throw new SoakLab.UsageException(option + " '" + text + "': FROM must be above zero and TO at least FROM");
        }
        return r;
    }

    /** {@code 10%} or {@code 0.1}. */
    private static double percent(String text) {
        String t = text.strip();
        try {
            return t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100 : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new SoakLab.UsageException("--precision '" + text + "': write a percentage, e.g. 10%");
        }
    }
}
