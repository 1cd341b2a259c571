package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help works, reads cleanly and says in full what the command is for. */
class HelpTest {

    /** Every command and subcommand, as the words that name it on the command line ({@code []} is soaklab itself). */
    private static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        walk(SoakLab.commandLine(), new ArrayList<>(), out);
        return out;
    }

    private static void walk(CommandLine cli, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            walk(sub.getValue(), next, out);
        }
    }

    @Test
    void everyCommandsHelpExitsZeroWithoutWarnings() {
        List<List<String>> all = commands();
        assertTrue(all.size() >= 11, "soaklab and its ten commands: " + all);
        for (List<String> command : all) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            SoakLabTest.Result r = SoakLabTest.run(args.toArray(String[]::new));
            String name = String.join(" ", args);
            assertEquals(0, r.code(), name + ": " + r.err());
            assertEquals("", r.err(), name + " writes nothing to stderr");
            assertTrue(r.out().contains("Usage: soaklab"), name + ": " + r.out());
            assertFalse(r.out().contains("%%"), name + " shows a percent sign as one: " + r.out());
            assertFalse(r.out().contains("WARN") || r.out().contains("Could not format"), name + ": " + r.out());
        }
    }

    @Test
    void everyCommandIsSummedUpInOneWholeSentence() {
        String top = SoakLabTest.run("--help").out().replaceAll("\\s+", " ");
        for (Map.Entry<String, CommandLine> sub : SoakLab.commandLine().getSubcommands().entrySet()) {
            CommandLine.Model.UsageMessageSpec usage = sub.getValue().getCommandSpec().usageMessage();
            String summary = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
            assertTrue(summary.endsWith("."), sub.getKey() + "'s first line is a whole sentence: '" + summary + "'");
            assertTrue(top.contains(sub.getKey() + " " + summary), "soaklab --help lists " + sub.getKey() + " with '" + summary + "':\n" + top);
        }
    }

    @Test
    void percentSignsInHelpReadAsTyped() {
        assertTrue(SoakLabTest.run("run", "--help").out().replaceAll("\\s+", " ").contains("errors=1%, episode.p95=10m"));
        String cost = SoakLabTest.run("cost", "--help").out().replaceAll("\\s+", ""); // wrapped where the terminal's width says
        assertTrue(cost.contains("e.g.8%/month,orarange,5%..12%/month(default:0%/month)"), cost);
        assertTrue(cost.contains("percall(default:0%:"), cost);
    }

    @Test
    void everyCommandTellsItsVersion() {
        SoakLabTest.Result top = SoakLabTest.run("--version");
        assertEquals(0, top.code());
        assertTrue(top.out().startsWith("soaklab "), top.out());
        assertEquals(top.out(), SoakLabTest.run("cost", "--version").out());
    }

    @Test
    void jmhKeepsItsOwnShortHelpOption() {
        SoakLabTest.Result r = SoakLabTest.run("jmh", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("JMH's own options: soaklab jmh -h"), r.out());
    }
}
