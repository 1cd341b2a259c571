package io.soaklab.internal.analysis;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDataTest {

    @TempDir
    Path dir;

    @Test
    void readsWindowsTotalsStepsAndSpendBackFromTheFiles() throws Exception {
        SyntheticRun.write(dir, 3);
        RunData run = RunData.load(dir);
        assertEquals(RunStatus.COMPLETE, run.status());
        assertEquals(3, run.windows().size());
        for (WindowStats w : run.windows()) {
            assertEquals(11, w.calls());
            assertEquals(1, w.errorCount());
            assertEquals((w.index() + 1) * 100_000, w.latency(Metric.TTFT).p50(), 100);
            assertEquals(10, w.latency(Metric.TTFT).count());
            assertTrue(w.endMillis() >= w.startMillis());
        }
        Percentiles ttft = run.totals().get(Metric.TTFT);
        assertEquals(30, ttft.count());
        assertEquals(200_000, ttft.p50(), 200);
        assertEquals(300_000, ttft.max(), 300);
        RunData.CallTotals c = run.calls();
        assertEquals(33, c.calls());
        assertEquals(3, c.errors().get(ErrorClass.HTTP_429));
        assertEquals(3 * (10 * 1000 + 100 * 45), c.promptTokens());
        assertEquals(3000, c.completionTokens());
        // (43,500 input x $1 + 3,000 output x $10) per million = $0.0735, exactly
        assertEquals(0, new BigDecimal("0.0735").compareTo(c.spend()), c.spend().toPlainString());
        assertEquals(10, run.steps().size());
        assertEquals(1900.0, run.steps().get(9).meanPromptTokens());
        assertEquals(3, run.steps().get(9).calls());
        Episodes episodes = run.episodes();
        assertEquals(3, episodes.ok());
        assertEquals(0, episodes.failed());
        assertEquals(14_500, episodes.tokensPerEpisode().get("prompt"));
        assertEquals(27.0, episodes.metricSums().get("tool_calls"));
        assertEquals(10_000_000, episodes.duration().p50(), 20_000);
        Episodes.Accuracy probes = episodes.probeByLength().get(8000);
        assertEquals(3, probes.questions());
        assertEquals(2, probes.exact(), "windows 0 and 2 answered exactly");
        assertEquals((1.0 + 0.2 + 1.0) / 3, probes.meanSimilarity(), 1e-9);
        assertEquals(1, run.windows().get(1).probes().questions());
        assertEquals(0, run.windows().get(1).probes().exact());
        assertEquals(3, episodes.probeByDepth().get(1).questions(), "depth 0.3 is in the second fifth");
        assertEquals(List.of("agent"), List.copyOf(run.roles().keySet()));
        assertEquals(33, run.roles().get("agent").calls());
        assertEquals(List.of(SyntheticRun.HOSTILE), run.errorSamples().get(ErrorClass.HTTP_429));
        assertTrue(run.notes().isEmpty(), run.notes().toString());
        assertNull(run.jmh());
    }

    @Test
    void aKilledRunReadsAsFarAsItsFilesGo() throws Exception {
        RunManifest m = SyntheticRun.write(dir, 2);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        new RunManifest(m.soaklab(), m.format(), m.runId(), RunStatus.RUNNING, null, m.created(), m.started(), null, gone.pid(), null,
                m.host(), m.versions(), m.config(), m.endpoint(), m.windowsPlanned(), 2, null, null).write(dir);
        Files.writeString(dir.resolve(RunFile.HISTOGRAMS.fileName()), "Tag=ttft,2.000,1.000,0.100,HISTFAAAAC3", StandardOpenOption.APPEND);
        Files.writeString(dir.resolve(RunFile.CALLS.fileName()), "{\"phase\":\"measure\",\"window\":2,\"step\":0,\"e2e_us\":100,\"error\":\"ok\",\"prompt_tokens\":1000,\"completion_tokens\":100}\n"
                + "{\"phase\":\"measure\",\"window\":2,\"st", StandardOpenOption.APPEND);
        RunData run = RunData.load(dir);
        assertEquals(RunStatus.CRASHED, run.status());
        assertEquals(3, run.windows().size(), "two closed windows and the one the run never closed");
        WindowStats partial = run.windows().get(2);
        assertEquals(WindowStats.Source.PARTIAL, partial.source());
        assertEquals(1, partial.calls());
        assertEquals(23, run.calls().calls(), "22 in closed windows and one in the window the run never closed");
        String notes = String.join("\n", run.notes());
        assertTrue(notes.contains("did not finish"), notes);
        assertTrue(notes.contains("histograms.hlog has 1 damaged line"), notes);
        assertTrue(notes.contains("calls.jsonl line 24 is incomplete"), notes);
        assertTrue(notes.contains("Window 3 never closed"), notes);
    }

    @Test
    void aFolderThatIsNotARunIsRefusedPlainly() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> RunData.load(dir));
        assertTrue(e.getMessage().endsWith("no run.json: not a soaklab run folder"), e.getMessage());
    }
}
