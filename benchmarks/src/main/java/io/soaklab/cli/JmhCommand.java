package io.soaklab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code soaklab jmh ...}: JMH's own command line, for those who know it. */
@Command(name = "jmh",
        description = {"Run JMH's own command line on soaklab's benchmarks.",
            "For example: soaklab jmh AgentSoak -p concurrency=16 -i 6 -r 5s -rf json",
            "-i is the number of windows, -r their length, -p concurrency=N the number of users (leave -t at 1),",
            "-p scenario=NAME|FILE.yaml the workload, -p arrival=poisson:5/s an open load.",
            "Run 'soaklab jmh -h' for JMH's options and 'soaklab jmh -l' for the benchmarks."})
final class JmhCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    /** Only the long form: {@code -h} is JMH's own help. */
    @Option(names = "--help", usageHelp = true, description = "Show this help and exit (JMH's own options: soaklab jmh -h).")
    boolean help;

    @Override
    public Integer call() throws Exception {
        checkParams();
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }

    /** soaklab's own parameters are checked here, so that a mistake is one line and not a trace from inside JMH. */
    private void checkParams() {
        for (int i = 0; i + 1 < args.size(); i++) {
            if (!args.get(i).equals("-p")) {
                continue;
            }
            String param = args.get(i + 1);
            int eq = param.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = param.substring(0, eq);
            for (String value : param.substring(eq + 1).split(",")) {
                switch (name) {
                    case "scenario" -> io.soaklab.scenario.Scenarios.resolve(value);
                    case "arrival" -> {
                        if (!value.isEmpty()) {
                            io.soaklab.load.Arrivals.parse(value);
                        }
                    }
                    default -> {
                    }
                }
            }
        }
    }
}
