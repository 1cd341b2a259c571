package io.soaklab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.record.Metric;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** The benchmark run by plain JMH, with JMH's own options, makes and reports a run by itself. */
class AgentSoakTest {

    @TempDir
    Path tmp;

    @Test
    void plainJmhOptionsMapOntoARun() throws Exception {
        Path dir = tmp.resolve("jmh-run");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(AgentSoak.class.getName() + ".soak")
                .param("run", dir.toString())
                .param("concurrency", "8")
                .param("seed", "9")
                .warmupIterations(0)
                .measurementIterations(2)
                .measurementTime(TimeValue.seconds(3)) // default endpoint: calls of about 3 s
                .forks(1)
                .verbosity(VerboseMode.SILENT)
                .build()).run();
        RunResult result = results.iterator().next();
        double calls = result.getSecondaryResults().get("calls").getScore();
        assertTrue(calls > 0.5, "calls/s " + calls);

        RunManifest manifest = RunManifest.read(dir);
        assertEquals(RunStatus.COMPLETE, manifest.status());
        assertEquals(8, manifest.config().workload().concurrency(), "-p concurrency");
        assertEquals(2, manifest.windowsPlanned(), "-i");
        assertEquals(3000, manifest.config().schedule().window().toMillis(), "-r");
        assertEquals(9, manifest.config().workload().seed());
        RunData run = RunData.load(dir);
        assertEquals(2, run.windows().size());
        assertTrue(run.totals().get(Metric.TTFT).count() > 0);
        assertTrue(Files.exists(dir.resolve("report.html")), "the standalone run writes its own report");
    }
}
