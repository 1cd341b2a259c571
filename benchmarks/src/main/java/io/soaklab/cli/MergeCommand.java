package io.soaklab.cli;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.merge.ShardMerge;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code soaklab merge SHARD_DIR... --out DIR}: the run folders of a soak's shards made one run
 * folder, with its report. Exit 0 when every shard completed and every call succeeded, 3 when
 * they completed with failed calls, 1 when a shard is missing, crashed, failed or was stopped
 * (what the others recorded is merged all the same), 2 for folders that are not one soak's shards.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge the run folders of a soak's shards (soaklab run --shard I/N) into one run folder, and write its report.")
final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHARD_DIR", arity = "1..*",
            description = "The shards' run folders, or a folder holding them (e.g. /results/soak with shard-0, shard-1, ...).")
    List<Path> shards;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The merged run folder: new, or empty.")
    Path out;

    @Option(names = "--no-report", negatable = false, description = "Merge only; soaklab report DIR writes the report later.")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        ShardMerge.Result merged;
        try {
            merged = ShardMerge.merge(ShardMerge.folders(shards, out), out);
        } catch (IllegalArgumentException e) {
            throw new SoakLab.UsageException(e.getMessage());
        }
        for (String w : merged.warnings()) {
            spec.commandLine().getErr().println("soaklab: " + w);
        }
        var m = merged.manifest();
        long present = m.shards().stream().filter(s -> s.status() != null).count();
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "merged %d of %d shards: %,d calls in %d windows, into %s%n", present, m.shards().size(),
                merged.calls(), merged.windows(), out.toAbsolutePath());
        if (noReport) {
            return m.status() == RunStatus.COMPLETE ? SoakLab.OK : SoakLab.FAILED;
        }
        RunData run = RunData.load(out);
        spec.commandLine().getOut().println("report: " + Report.write(run).toAbsolutePath());
        if (m.status() != RunStatus.COMPLETE) {
            return SoakLab.FAILED;
        }
        return run.calls().errorCount() > 0 ? SoakLab.WITH_FAILURES : SoakLab.OK;
    }
}
