package io.soaklab.cli;

import io.soaklab.internal.text.Durations;
import io.soaklab.run.RunConfig;
import io.soaklab.sim.SimConfig;
import io.soaklab.sim.SimProfiles;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Default option values, taken from the configuration classes themselves so that the help text
 * and the behaviour can never disagree. {@code demo} differs from {@code run} in four of them.
 */
class Defaults implements CommandLine.IDefaultValueProvider {

    final Map<String, String> values = new HashMap<>();

    Defaults() {
        RunConfig run = RunConfig.builder().build();
        values.put("--concurrency", Integer.toString(run.workload().concurrency()));
        values.put("--duration", Durations.format(run.schedule().duration()));
        values.put("--window", Durations.format(run.schedule().window()));
        values.put("--warmup", Durations.format(run.schedule().warmup()));
        values.put("--scenario", run.workload().scenario());
        values.put("--think-time", Durations.format(run.workload().thinkTime()));
        values.put("--ramp-up", Durations.format(run.workload().rampUp()));
        values.put("--max-in-flight", Integer.toString(run.workload().maxInFlight()));
        values.put("--seed", Long.toString(run.workload().seed()));
        values.put("--forks", Integer.toString(run.schedule().forks()));
        values.put("--max-failed-windows", Integer.toString(run.schedule().maxFailedWindows()));
        values.put("--error-backoff", Durations.format(run.workload().errorBackoff()));
        values.put("--connect-timeout", Durations.format(run.target().timeouts().connect()));
        values.put("--first-token-timeout", Durations.format(run.target().timeouts().firstToken()));
        values.put("--idle-timeout", Durations.format(run.target().timeouts().idle()));
        values.put("--call-timeout", Durations.format(run.target().timeouts().call()));
        values.put("--billing", run.pricing().billing().toString());
        values.put("--api", run.target().api().wireName());
        values.put("--scrape-interval", Durations.format(run.observe().scrapeInterval()));
        values.put("--metrics-host", run.observe().metricsHost());
        values.put("--trace-sample", Double.toString(run.observe().sample()));
        values.put("--sim-profile", SimProfiles.DEFAULT);
        values.put("--profile", SimProfiles.DEFAULT);
        values.put("--host", SimConfig.defaults().host());
        values.put("--port", "8080");
    }

    /** Overrides one default. */
    Defaults with(String option, String value) {
        values.put(option, value);
        return this;
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        return arg instanceof CommandLine.Model.OptionSpec option ? values.get(option.longestName()) : null;
    }

    /**
     * The defaults of {@code soaklab sweep}: stages of one settling and three measured 10 s windows, a ladder by twos,
     * bisection to 10 %, within 30 minutes.
     */
    static final class Sweep extends Defaults {
        Sweep() {
            with("--window", "10s").with("--warmup", "10s").with("--settle", "10s").with("--stage-windows", "3").with("--factor", "2")
                    .with("--precision", "10%").with("--budget", "30m").with("--arrivals", "poisson")
                    .with("--max-failed-windows", "0"); // a stage past the knee may fail every call: the search goes on below it
            values.remove("--concurrency"); // a range, and no default: the sweep is of users or of arrivals, as asked
        }
    }

    /** The defaults of {@code soaklab run}. */
    static final class Run extends Defaults {
    }

    /**
     * The defaults of {@code soaklab demo}: 16 sessions in ten 7 s windows after a 5 s warmup, enough windows for the
     * report's trend tests (8 or more), in about a minute and a half.
     */
    static final class Demo extends Defaults {
        Demo() {
            with("--duration", "70s").with("--window", "7s").with("--concurrency", "16").with("--warmup", "5s");
        }
    }
}
