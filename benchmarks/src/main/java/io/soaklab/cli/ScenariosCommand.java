package io.soaklab.cli;

import io.soaklab.scenario.ScenarioSpec;
import io.soaklab.scenario.Scenarios;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code soaklab scenarios}: the built-in scenarios, one line each; {@code --show} prints one as YAML, {@code --check} reads a file. */
@Command(name = "scenarios", mixinStandardHelpOptions = true,
        description = {"List the built-in scenarios, one line each.",
            "--show NAME prints one as YAML, a starting point for your own; --check FILE reads a scenario file and says what is wrong with it."})
final class ScenariosCommand implements Callable<Integer> {

    @Option(names = "--show", paramLabel = "NAME", description = "Print a built-in scenario's YAML.")
    String show;

    @Option(names = "--check", paramLabel = "FILE", description = "Read a scenario file and report its first problem, if any.")
    Path check;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (show != null) {
            out.print(Scenarios.yaml(show));
            out.flush();
            return 0;
        }
        if (check != null) {
            ScenarioSpec s = Scenarios.read(check);
            out.println(check + ": scenario " + s.name() + " (" + s.kind().wireName() + "): " + s.description());
            return 0;
        }
        int width = Scenarios.names().stream().mapToInt(String::length).max().orElse(0);
        for (String name : Scenarios.names()) {
            ScenarioSpec s = Scenarios.spec(name);
            out.printf("%-" + width + "s  %-6s  %s%n", name, s.kind().wireName(), s.description());
        }
        out.println();
        out.println("Run one: soaklab run --scenario NAME; your own: soaklab run --scenario FILE.yaml (schema: docs/scenarios.md)");
        return 0;
    }
}
