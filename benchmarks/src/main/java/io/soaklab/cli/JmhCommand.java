package io.soaklab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code soaklab jmh ...}: JMH's own command line, for those who know it. */
@Command(name = "jmh",
        description = {"Run JMH's own command line on soaklab's benchmarks, e.g.",
            "  soaklab jmh AgentSoak -p concurrency=16 -i 6 -r 5s -rf json",
            "-i is the number of windows, -r their length, -p concurrency=N the number of sessions (leave -t at 1).",
            "Run 'soaklab jmh -h' for JMH's options and 'soaklab jmh -l' for the benchmarks."})
final class JmhCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
