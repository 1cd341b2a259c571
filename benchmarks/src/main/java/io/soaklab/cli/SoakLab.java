package io.soaklab.cli;

import io.soaklab.internal.text.InvalidSetting;
import io.soaklab.protocol.Api;
import io.soaklab.internal.run.Versions;
import io.soaklab.internal.text.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * {@code soaklab}: the command line. Exit codes: 0 a run complete with every call succeeded (or a
 * command that did its job); 1 a run that failed (the endpoint failed every call for
 * {@code --max-failed-windows} windows, the load generator crashed) or an internal error; 2 a usage
 * mistake, or an endpoint the check before the run could not use; 3 a run complete with failed
 * calls, or with no call that ended; 4 a run stopped early on purpose (Ctrl-C, a signal, {@code --max-spend}).
 */
@Command(name = "soaklab",
        mixinStandardHelpOptions = true,
        versionProvider = SoakLab.Version.class,
        description = "A JMH-driven performance and cost lab for LLM agents.",
        subcommands = {RunCommand.class, SweepCommand.class, MergeCommand.class, ReplayCommand.class, DemoCommand.class, ScenariosCommand.class, ReportCommand.class, CompareCommand.class, CostCommand.class, PricesCommand.class,
            SimCommand.class, JmhCommand.class,
            CommandLine.HelpCommand.class})
public final class SoakLab implements Runnable {

    /** Exit code of a run complete with every call succeeded, or a command that did its job. */
    static final int OK = 0;
    /** Exit code of a run that failed or crashed, or of a failure that is not the user's. */
    static final int FAILED = 1;
    /** Exit code of a usage mistake, or of an endpoint the check before the run found unusable. */
    static final int USAGE = 2;
    /** Exit code of a run that completed with some calls failed, or with no call that ended. */
    static final int WITH_FAILURES = 3;
    /** Exit code of a run stopped early on purpose: Ctrl-C, a signal, {@code --max-spend}. */
    static final int STOPPED = 4;

    /** The exit code of a run that ended as {@code outcome} says. */
    static int exitCode(io.soaklab.internal.bench.SoakLauncher.Outcome outcome) {
        return switch (outcome.status()) {
            case COMPLETE -> outcome.failed() == 0 && outcome.calls() > 0 ? OK : WITH_FAILURES; // no call ended: not a healthy run either
            case ABORTED -> STOPPED;
            default -> FAILED;
        };
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests: never exits the JVM). */
    static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int execute(PrintWriter out, PrintWriter err, String... args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SoakLab());
        for (CommandLine sub : cli.getSubcommands().values()) { // "soaklab run -V" says the same as "soaklab -V"
            sub.getCommandSpec().versionProvider(new Version());
        }
        cli.registerConverter(Duration.class, text -> {
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
        cli.registerConverter(Api.class, text -> {
            try {
                return Api.of(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
        cli.registerConverter(BigDecimal.class, text -> { // --max-spend 25, 25.50 or $25
            try {
                return new BigDecimal(text.strip().replace("$", "").replace(",", ""));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not an amount: write e.g. 25 or 25.50");
            }
        });
        cli.setParameterExceptionHandler(SoakLab::badArguments);
        cli.setExecutionExceptionHandler(SoakLab::failed);
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        err.println(command + ": " + firstLine(e.getMessage()) + " (see '" + command + " --help')");
        err.flush();
        return USAGE;
    }

    /**
     * A setting as the command line names it: max_in_flight is --max-in-flight, the embedded
     * endpoint's latency.decode_tokens_per_second is --sim-decode-tps, timeouts.idle is --idle-timeout;
     * one no flag sets keeps its name.
     */
    static String flag(String setting) {
        String sim = SimOptions.FLAGS.get(setting);
        if (sim != null) {
            return sim;
        }
        if (setting.startsWith("timeouts.")) { // timeouts.first_token is --first-token-timeout
            return "--" + setting.substring("timeouts.".length()).replace('_', '-') + "-timeout";
        }
        if (setting.startsWith("OTEL_")) { // an environment variable is named as it is
            return setting;
        }
        return setting.contains(".") ? setting : "--" + setting.replace('_', '-');
    }

    private static int failed(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        String command = cli.getCommandSpec().qualifiedName();
        if (e instanceof IllegalArgumentException || e instanceof UsageException) {
            String message = e instanceof InvalidSetting invalid ? invalid.message(SoakLab::flag) : e.getMessage();
            err.println(command + ": " + firstLine(message));
            err.flush();
            return USAGE;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            err.println(command + ": " + firstLine(e.getMessage()));
            err.flush();
            return FAILED;
        }
        err.println(command + ": internal error, please report it with the trace below");
        e.printStackTrace(err);
        err.flush();
        return FAILED;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "failed";
        }
        return message.strip().lines().findFirst().orElse(message);
    }

    /** A mistake in what the user asked for, found while running. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Prints soaklab's and JMH's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"soaklab " + Versions.soaklab(), "JMH " + org.openjdk.jmh.util.Version.getPlainVersion(),
                "Java " + System.getProperty("java.runtime.version")};
        }
    }
}
