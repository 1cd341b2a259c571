package io.soaklab.cli;

import io.soaklab.internal.analysis.Comparison;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.report.ComparePage;
import io.soaklab.internal.report.Sentences;
import io.soaklab.run.RunManifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code soaklab compare RUN_A RUN_B}: two runs side by side, with what differs and how surely. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare two runs window by window: model A against model B, before and after a prompt change, cache on and off.",
            "Prints what differs (Mann-Whitney on per-window values) and writes compare.html with overlaid charts."})
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_A", description = "The first run folder (the baseline).")
    Path a;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The second run folder.")
    Path b;

    @Option(names = "--out", paramLabel = "DIR", description = "Where compare.html goes (default: RUN_B).")
    Path out;

    @Override
    public Integer call() throws Exception {
        RunData runA = load(a);
        RunData runB = load(b);
        Comparison c = Comparison.of(runA, runB);
        PrintWriter w = spec.commandLine().getOut();
        w.println("A: " + runA.manifest().runId() + " (" + runA.windows().size() + (runA.windows().size() == 1 ? " window)" : " windows)"));
        w.println("B: " + runB.manifest().runId() + " (" + runB.windows().size() + (runB.windows().size() == 1 ? " window)" : " windows)"));
        for (String caveat : Sentences.caveats(c)) {
            w.println("note: " + caveat);
        }
        for (Comparison.Row r : c.rows()) {
            w.println((r.pValue() < Comparison.ALPHA ? (r.worse() ? "  worse  " : "  better ") : "         ") + Sentences.row(r));
        }
        Path page = ComparePage.write(c, out == null ? b : out);
        w.println("compare: " + page.toAbsolutePath());
        w.flush();
        return 0;
    }

    private static RunData load(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new SoakLab.UsageException("no such run folder: " + dir);
        }
        if (!RunManifest.exists(dir)) {
            throw new SoakLab.UsageException(dir + " is not a run folder (no " + RunManifest.FILE + ")");
        }
        return RunData.load(dir);
    }
}
