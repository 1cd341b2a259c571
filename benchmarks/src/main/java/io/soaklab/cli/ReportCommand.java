package io.soaklab.cli;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.report.CostFiles;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.internal.run.Slo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code soaklab report RUN_DIR}: rebuild a run's report from its files alone. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild report.html of a run from its files alone (also for a run that was killed).")
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "The run folder, e.g. results/20261121-230000-coding-agent.")
    Path dir;

    @Option(names = "--slo", paramLabel = "SLO,SLO",
            description = "Hold the run to these objectives instead of those it ran with, e.g. ttft.p99=2s,e2e.p99=60s,errors=1%%.")
    String slo;

    @Override
    public Integer call() throws Exception {
        List<Slo> slos = slo == null ? null : Slo.parseAll(slo);
        if (!Files.isDirectory(dir)) {
            throw new SoakLab.UsageException("no such run folder: " + dir);
        }
        if (!RunManifest.exists(dir)) {
            throw new SoakLab.UsageException(dir + " is not a run folder (no " + RunManifest.FILE + ")");
        }
        RunData.Reading reading = slos == null ? RunData.Reading.DEFAULT : RunData.Reading.of(slos);
        RunData run = RunData.load(dir, CostFiles.projected(dir) ? reading.withCallUsage() : reading); // one pass over each file
        if (run.status() == RunStatus.CRASHED && run.manifest().status() == RunStatus.RUNNING) {
            // Nobody else is left to say it: the processes that ran it are gone.
            run.manifest().ended(RunStatus.CRASHED, "its processes ended without closing the run").write(dir);
        }
        Path page = slos == null ? Report.write(run) : Report.write(run, slos);
        spec.commandLine().getOut().println("report: " + page.toAbsolutePath());
        return 0;
    }
}
