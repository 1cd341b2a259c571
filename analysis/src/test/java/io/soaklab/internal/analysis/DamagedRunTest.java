package io.soaklab.internal.analysis;

import io.soaklab.internal.record.IntervalLog;
import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs whose files were damaged or cut off are reported honestly: every rate over the time its calls cover, no window lost silently. */
class DamagedRunTest {

    private static final long MS = 1_000_000;
    private static final int WINDOWS = 6;
    private static final int CALLS = 10;

    @TempDir
    Path dir;

    /** Six windows of real time, ten calls in each, call i of window w with a TTFT of (w + 1) × 100 ms. */
    private Path write(String name) throws Exception {
        Path run = Files.createDirectories(dir.resolve(name));
        RunConfig config = RunConfig.builder().concurrency(2).window(Duration.ofMillis(100)).duration(Duration.ofMillis(100L * WINDOWS))
                .priceAs(RunConfig.UNPRICED).build();
        PriceCatalog.builtIn().writeTo(run);
        RunManifest manifest = RunManifest.create(run, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true));
        try (RunRecorder recorder = RunRecorder.open(run, TimeBase.now())) {
            for (int w = 0; w < WINDOWS; w++) {
                recorder.beginWindow(false);
                long start = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    long ttft = (w + 1) * 100 * MS;
                    recorder.recordCall(new CallResult(System.nanoTime() - ttft - 50 * MS, MS, -1, ttft / 2, ttft, ttft + 50 * MS, 200, ErrorClass.OK,
                            null, new Usage(1000, 100, 0, 0, Usage.Source.SERVER), "x", 20, 19 * MS, 2 * MS, "stop", null, List.of(), -1, null, -1,
                            "", 100, -1, Set.of()), 0, w, i);
                }
                while (System.nanoTime() - start < 40 * MS) {
                    Thread.sleep(5); // the window spans real time: rates have something to divide by
                }
                recorder.endWindow();
            }
        }
        manifest.withWindowsCompleted(WINDOWS).ended(RunStatus.COMPLETE, null).write(run);
        return run;
    }

    private static List<String> hlog(Path run) throws Exception {
        return new ArrayList<>(Files.readAllLines(run.resolve(RunFile.HISTOGRAMS.fileName())));
    }

    @Test
    void aDamagedLineInTheMiddleCostsOnlyItsOwnIntervalWhichIsRebuiltFromTheCalls() throws Exception {
        Path original = write("intact");
        RunData intact = RunData.load(original);
        Path run = Files.createDirectories(dir.resolve("damaged"));
        try (var files = Files.list(original)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, run.resolve(f.getFileName()));
            }
        }
        List<String> lines = hlog(run);
        int mark2 = lines.indexOf("#" + IntervalLog.WINDOW_MARK + "2]");
        String ttft = lines.get(mark2 + 1);
        assertTrue(ttft.startsWith("Tag=ttft,"), ttft);
        lines.set(mark2 + 1, ttft.substring(0, ttft.length() - 12) + "!!garbage!!"); // window 2's TTFT interval, damaged in the middle
        int mark4 = lines.indexOf("#" + IntervalLog.WINDOW_MARK + "4]");
        for (int i = 0; i <= Metric.values().length; i++) {
            lines.remove(mark4); // window 4 gone altogether, its mark with it
        }
        Files.write(run.resolve(RunFile.HISTOGRAMS.fileName()), lines);

        RunData damaged = RunData.load(run);
        assertEquals(WINDOWS, damaged.windows().size(), "no window is lost, none shifted");
        assertEquals(WindowStats.Source.REBUILT, damaged.windows().get(2).source());
        assertEquals(WindowStats.Source.REBUILT, damaged.windows().get(4).source());
        for (int w : new int[] {0, 1, 3, 5}) {
            assertEquals(WindowStats.Source.HISTOGRAMS, damaged.windows().get(w).source());
        }
        for (int w = 0; w < WINDOWS; w++) {
            WindowStats d = damaged.windows().get(w);
            WindowStats i = intact.windows().get(w);
            assertEquals(CALLS, d.calls());
            assertEquals(i.startMillis(), d.startMillis(), "window " + w + " in its place in time");
            assertEquals(i.endMillis(), d.endMillis(), "window " + w);
            assertEquals(i.latency(Metric.TTFT).p50(), d.latency(Metric.TTFT).p50(), i.latency(Metric.TTFT).p50() / 500.0,
                    "window " + w + "'s TTFT, from the log or rebuilt from the calls");
            assertEquals(i.latency(Metric.E2E).p99(), d.latency(Metric.E2E).p99(), i.latency(Metric.E2E).p99() / 500.0);
        }
        assertEquals(intact.measuredSeconds(), damaged.measuredSeconds(), 1e-9, "the rate divides the same calls by the same time");
        assertEquals(intact.calls().calls(), damaged.calls().calls());
        assertEquals(intact.totals().get(Metric.TTFT).count(), damaged.totals().get(Metric.TTFT).count());
        String notes = String.join("\n", damaged.notes());
        assertTrue(notes.contains("histograms.hlog has 1 damaged line; the lines after it were read."), notes);
        assertTrue(notes.contains("The latency of windows 3, 5 was rebuilt from calls.jsonl"), notes);
    }

    @Test
    void aLostWindowMarkShiftsNothingAndAWindowCutAtALineEndIsRebuilt() throws Exception {
        Path original = write("marks");
        RunData intact = RunData.load(original);
        List<String> lines = hlog(original);
        lines.remove("#" + IntervalLog.WINDOW_MARK + "3]"); // window 3's mark gone, its intervals intact
        int mark1 = lines.indexOf("#" + IntervalLog.WINDOW_MARK + "1]");
        lines.remove(mark1 + Metric.values().length); // window 1's last interval gone, cut at a line end
        lines.remove(mark1 + Metric.values().length - 1);
        Files.write(original.resolve(RunFile.HISTOGRAMS.fileName()), lines);
        RunData read = RunData.load(original);
        assertEquals(WINDOWS, read.windows().size());
        for (int w = 0; w < WINDOWS; w++) {
            assertEquals(intact.windows().get(w).startMillis(), read.windows().get(w).startMillis(), "window " + w + " not shifted");
            assertEquals(intact.windows().get(w).latency(Metric.TTFT).p50(), read.windows().get(w).latency(Metric.TTFT).p50(), 500, "window " + w);
        }
        assertEquals(WindowStats.Source.HISTOGRAMS, read.windows().get(3).source(), "a lost mark loses nothing");
        assertEquals(WindowStats.Source.REBUILT, read.windows().get(1).source(), "what window 1 lost is rebuilt from its calls");
        assertEquals(intact.windows().get(1).latency(Metric.SCHEDULE_LAG).count(), read.windows().get(1).latency(Metric.SCHEDULE_LAG).count(),
                "its last metric, rebuilt");
    }

    @Test
    void aKilledRunsRateUsesTheTimeItsCallsCoverTheUnclosedWindowIncluded() throws Exception {
        Path run = write("killed");
        List<String> lines = hlog(run);
        int mark = lines.indexOf("#" + IntervalLog.WINDOW_MARK + (WINDOWS - 1) + "]");
        Files.write(run.resolve(RunFile.HISTOGRAMS.fileName()), lines.subList(0, mark)); // killed before the last window closed
        RunManifest m = RunManifest.read(run);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        new RunManifest(m.soaklab(), m.format(), m.runId(), RunStatus.RUNNING, null, m.created(), m.started(), null, gone.pid(), null,
                m.host(), m.versions(), m.config(), m.endpoint(), m.windowsPlanned(), WINDOWS - 1, null, null).write(run);

        RunData killed = RunData.load(run);
        assertEquals(RunStatus.CRASHED, killed.status());
        assertEquals(WINDOWS, killed.windows().size());
        WindowStats partial = killed.windows().get(WINDOWS - 1);
        assertEquals(WindowStats.Source.PARTIAL, partial.source());
        assertEquals(CALLS, partial.calls());
        long firstStart = killed.windows().get(0).startMillis();
        long lastEnd = partial.endMillis();
        assertEquals(killed.windows().get(WINDOWS - 2).endMillis(), partial.startMillis(), "it starts where the last closed window ended");
        double truth = (double) (WINDOWS * CALLS) / ((lastEnd - firstStart) / 1000.0);
        double reported = killed.calls().calls() / killed.measuredSeconds();
        assertEquals(truth, reported, truth * 0.01, "every call divided by the time the calls cover");
        assertEquals(6 * 100_000, partial.latency(Metric.TTFT).p50(), 600, "the unclosed window's latency, rebuilt from its calls");
        assertTrue(String.join("\n", killed.notes()).contains("Window 6 never closed"), killed.notes().toString());
    }

    @Test
    void absurdValuesAreSkippedAndCountedLikeAnyBadLineAndNothingBreaks() throws Exception {
        Path run = write("absurd");
        RunData before = RunData.load(run);
        String good = Files.readAllLines(run.resolve(RunFile.CALLS.fileName())).get(0);
        List<String> bad = List.of(
                good.replace("\"prompt_tokens\":1000", "\"prompt_tokens\":-5000"),
                good.replace("\"error\":\"ok\"", "\"error\":\"exploded\""),
                good.replace("\"completion_tokens\":100", "\"completion_tokens\":99999999999999999999999"),
                good.replace("\"e2e_us\":", "\"e2e_us\":-"),
                good.replace("\"window\":0", "\"window\":-1"),
                good.replace("\"cached_tokens\":0", "\"cached_tokens\":-1"));
        Files.write(run.resolve(RunFile.CALLS.fileName()), bad, StandardOpenOption.APPEND);
        Files.writeString(run.resolve(RunFile.CALLS.fileName()), good + "\n", StandardOpenOption.APPEND); // a good line after the bad ones counts

        RunData after = RunData.load(run);
        assertEquals(6, after.calls().badLines(), after.notes().toString());
        assertEquals(before.calls().calls() + 1, after.calls().calls());
        assertEquals(before.calls().promptTokens() + 1000, after.calls().promptTokens(), "no negative token reached a sum");
        assertEquals(before.calls().completionTokens() + 100, after.calls().completionTokens());
        String notes = String.join("\n", after.notes());
        assertTrue(notes.contains("is not a valid call record and was skipped: prompt_tokens -5000 is out of range"), notes);
        assertTrue(notes.contains("unknown error class 'exploded'"), notes);
        assertTrue(notes.contains("1 more lines of calls.jsonl were skipped for the same reasons."), notes);
        Costs costs = Costs.of(run, PriceCatalog.builtIn().tariff("gpt-5.4-mini", io.soaklab.internal.cost.Billing.STANDARD));
        assertTrue(costs.total().signum() > 0 && costs.taskCosts().stream().allMatch(c -> c.signum() >= 0), "prices never see the absurd lines");
        assertTrue(Files.readString(Report.write(after)).contains("lines skipped"), "the report says so, and is written");
        assertEquals(BigDecimal.ZERO, after.calls().spend(), "the run itself is unpriced");
    }

    @Test
    void aLineNamingAFarWindowCostsTheObjectivesNothing() throws Exception {
        Path run = write("far");
        List<io.soaklab.internal.run.Slo> objectives = io.soaklab.internal.run.Slo.parseAll("ttft.p99=2s,errors=50%,episode.p95=100s");
        String call = Files.readAllLines(run.resolve(RunFile.CALLS.fileName())).get(0);
        Files.writeString(run.resolve(RunFile.CALLS.fileName()), call.replace("\"window\":0", "\"window\":99999999") + "\n",
                StandardOpenOption.APPEND);
        Files.writeString(run.resolve(RunFile.EPISODES.fileName()), "{\"phase\":\"measure\",\"window\":2147483647,\"user\":0,\"episode\":99,"
                + "\"ok\":true,\"duration_us\":1,\"calls\":1,\"attempts\":1}\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        // a window number a hundred million (or two billion) windows out: no array of that size, no failure
        RunData after = RunData.load(run, RunData.Reading.of(objectives));
        int windows = after.windows().size();
        assertEquals(7, windows, "six closed windows, and the counts put a line past them in the window a run never closed");
        for (Slos.Verdict v : after.slos().verdicts()) {
            assertEquals(windows, v.perWindow().size(), v.toString());
        }
        assertEquals(after.slos().verdicts(), Slos.evaluate(after, List.of(objectives.get(1), objectives.get(0), objectives.get(2))).verdicts()
                .stream().sorted(java.util.Comparator.comparing(v -> objectives.indexOf(v.slo()))).toList(),
                "the objectives' own pass reads it the same as the load's one pass");
    }

    @Test
    void aTruthLogThatCannotBeReadEndsTheMatchWithANoteNotAHang() throws Exception {
        Path run = write("truth");
        byte[] damaged = "{\"id\":\"x\",\"outcome\":\"complete\",\"first_token_us\":1,\"end_us\":2}\n\u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(run.resolve(io.soaklab.sim.EmbeddedEndpoint.TRUTH_FILE), damaged); // 0xff: not UTF-8, read again and again it stays so
        RunData after = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMinutes(2), () -> RunData.load(run));
        assertTrue(String.join("\n", after.notes()).contains("sim-truth.jsonl could not be read to its end"), after.notes().toString());
        assertTrue(after.calls().calls() > 0, "the rest of the run reads as before");
    }
}
