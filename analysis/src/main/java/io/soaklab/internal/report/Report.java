package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.Slos;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.run.Slo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code report.html} and {@code charts/*.png} into a run folder, from the folder's files
 * alone. The page works offline; every value taken from the files is HTML-escaped.
 *
 * <pre>{@code
 * Path page = Report.write(RunData.load(runDir));
 * }</pre>
 */
public final class Report {

    /** The page's file name in the run folder. */
    public static final String FILE = RunFile.REPORT.fileName();
    /** The charts' folder in the run folder. */
    public static final String CHARTS = RunFile.CHARTS.fileName();

    static final Map<Metric, String> LABELS = Map.ofEntries(
            Map.entry(Metric.TTFT, "Time to first token"),
            Map.entry(Metric.TTFT_SENT, "TTFT from send (uncorrected)"),
            Map.entry(Metric.ITL, "Inter-token gap"),
            Map.entry(Metric.TPOT, "Time per output token"),
            Map.entry(Metric.E2E, "Call latency (E2E)"),
            Map.entry(Metric.E2E_FAILED, "Failed-call latency"),
            Map.entry(Metric.ATTEMPT, "Attempt latency (each try)"),
            Map.entry(Metric.TTFT_TOOL, "Time to first tool call"),
            Map.entry(Metric.EPISODE, "Episode duration"),
            Map.entry(Metric.SCHEDULE_LAG, "Schedule lag (generator)"));

    private Report() {
    }

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // charts are drawn off screen, also without a display
        }
    }

    /** The report's page in run folder {@code dir}. */
    public static Path page(Path dir) {
        return RunFile.REPORT.in(dir);
    }

    /**
     * Writes the report of {@code run}; returns the page. A projection made by {@code soaklab cost}
     * ({@code cost.json}) is made again and shown.
     */
    public static Path write(RunData run) throws IOException {
        return write(run, Slo.parseAll(run.manifest().config().slo()));
    }

    /**
     * Writes the report of {@code run}, holding it to {@code slos} instead of the objectives it was
     * run with; returns the page.
     */
    public static Path write(RunData run, List<Slo> slos) throws IOException {
        Projection projection = null;
        String problem = null;
        try {
            projection = CostFiles.reproject(run);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        return write(run, projection, problem, slos);
    }

    /** Writes the report of {@code run} with {@code projection} (or none); returns the page. */
    public static Path write(RunData run, Projection projection) throws IOException {
        return write(run, projection, null, Slo.parseAll(run.manifest().config().slo()));
    }

    private static Path write(RunData run, Projection projection, String projectionProblem, List<Slo> slos) throws IOException {
        WindowsCsv.write(run);
        Charts drawer = new Charts(run, RunFile.CHARTS.in(run.dir()));
        List<Charts.Chart> charts = drawer.drawAll();
        List<Charts.Chart> costCharts = drawer.drawCost(projection);
        Slos held = slos.isEmpty() ? null : Slos.evaluate(run, slos);
        if (io.soaklab.internal.analysis.Capacity.isSweep(run)) {
            SweepCsv.write(io.soaklab.internal.analysis.Capacity.of(run), run.dir());
        }
        String html = new Page(run, charts, costCharts, projection, projectionProblem, held).render();
        Path page = page(run.dir());
        replace(page, html.getBytes(StandardCharsets.UTF_8));
        return page;
    }

    /** The run folder's charts folder, where every chart of the report is drawn. */
    static Path charts(Path runDir) {
        return RunFile.CHARTS.in(runDir);
    }

    /** Writes {@code file} through a temporary file and a rename: a reader never sees half of it. */
    static void replace(Path file, byte[] bytes) throws IOException {
        io.soaklab.internal.record.AtomicWrite.replace(file, bytes, false);
    }

    static final String CSS = String.join("\n",
            "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}",
            "h1{font-size:1.6em;margin-bottom:.2em}h1 .id{font-weight:normal;color:#666;font-size:.7em}",
            "h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1em}",
            "table{border-collapse:collapse;margin:.5em 0;font-size:.92em}th,td{padding:.25em .7em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}",
            "thead th{background:#f5f5f5}tbody th{font-weight:normal;color:#555;white-space:nowrap}td{font-variant-numeric:tabular-nums}",
            ".status{padding:.6em .9em;border-radius:4px}.ok{background:#e8f5e9}.warn{background:#fff4e5}.bad{background:#fdecea}.info{background:#e3f2fd}",
            ".lead{font-size:1.05em}li.worse{color:#a00}.dim{color:#777;font-size:.9em}.notes{background:#fff8e1;padding:.6em 2em}",
            ".sample{font-family:ui-monospace,monospace;font-size:.85em;color:#555;word-break:break-word}",
            "figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#666;font-size:.9em}",
            "footer{margin-top:3em;color:#999;font-size:.8em}dt{font-weight:bold;margin-top:.5em}");
}
