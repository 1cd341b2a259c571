package io.soaklab.internal.layout;

import java.nio.file.Path;

/**
 * Every file of a run folder, by name. Each has exactly one owner ({@link #owner()}): the one type
 * that writes it and reads it back, the only one that opens it ({@code RunFolderOwnersTest} holds the code to it), so a field is added
 * in one place and every reader sees it. The format as a whole is versioned in {@code run.json}
 * ({@link #FORMAT_VERSION}); schemas: {@code results/README.md}.
 *
 * <pre>{@code
 * Path calls = RunFile.CALLS.in(runDir);   // only CallLine opens it
 * }</pre>
 */
public enum RunFile {
    /** Configuration and status. */
    RUN("run.json", "configuration and status", "io.soaklab.run.RunManifest"),
    /** HdrHistogram interval log. */
    HISTOGRAMS("histograms.hlog", "HdrHistogram interval log, one interval per metric per window (microseconds)", "io.soaklab.internal.record.IntervalLog"),
    /** The scenario as run. */
    SCENARIO("scenario.yaml", "the scenario as it was run", "io.soaklab.scenario.Scenarios"),
    /** One line per call attempt. */
    CALLS("calls.jsonl", "one line per call attempt", "io.soaklab.internal.record.CallLine"),
    /** One line per finished episode. */
    EPISODES("episodes.jsonl", "one line per finished episode", "io.soaklab.internal.record.EpisodeLine"),
    /** One line per event inside an episode. */
    EVENTS("events.jsonl", "one line per event inside an episode (compactions, tool failures, probe answers...)", "io.soaklab.internal.record.EventLine"),
    /** The load generator's health per window. */
    GENERATOR("generator.jsonl", "the load generator's GC, CPU, heap and threads, per window", "io.soaklab.internal.record.GeneratorLine"),
    /** The server's own Prometheus series, one line per scrape. */
    SERVER_METRICS("server-metrics.jsonl", "the server's own Prometheus metrics, one line per scrape (only what changed, a full line now and then)",
            "io.soaklab.internal.record.ServerMetricsLine"),
    /** A capacity sweep's stages, one line each. */
    SWEEP("sweep.jsonl", "a capacity sweep's stages: each one's level and windows (soaklab sweep)", "io.soaklab.internal.record.StageLine"),
    /** A capacity sweep's curves, one row per stage. */
    SWEEP_CSV("sweep.csv", "a capacity sweep's curves: per stage, offered and achieved load, latency percentiles, goodput, cost per task, verdict",
            "io.soaklab.internal.report.SweepCsv"),
    /** Every request sent, with --record-requests. */
    REQUESTS("requests.jsonl.gz", "every request the run sent, its exact body and enough to send it again (--record-requests; gzip)",
            "io.soaklab.internal.record.RequestLine"),
    /** The run's episodes as OpenTelemetry traces, OTLP/JSON. */
    TRACES("traces.jsonl", "the run's episodes as OpenTelemetry traces: one OTLP/JSON export request per line (--trace-file)",
            "io.soaklab.internal.trace.TraceFile"),
    /** What became of the run's traces. */
    TRACE_EXPORT("trace-export.json", "what became of the run's traces: episodes traced, spans sent, failed and dropped per destination",
            "io.soaklab.internal.trace.ExportSummary"),
    /** The embedded endpoint's account of every request. */
    SIM_TRUTH("sim-truth.jsonl", "the embedded endpoint's own account of every request", "io.soaklab.internal.sim.TruthLine"),
    /** One row per measured window. */
    WINDOWS("windows.csv", "one row per window: percentiles, rates, errors by class, probes, spend", "io.soaklab.internal.report.WindowsCsv"),
    /** The price catalog the run is billed with. */
    PRICES("prices.yaml", "the price catalog the run was priced with", "io.soaklab.internal.cost.PriceCatalog"),
    /** The user's own prices. */
    PRICES_OWN("prices-own.yaml", "your own prices, on top of the catalog", "io.soaklab.internal.cost.PriceCatalog"),
    /** The spend forecast, month by month. */
    FORECAST("forecast.csv", "the spend forecast, month by month: mean and band (soaklab cost)", "io.soaklab.internal.report.ForecastCsv"),
    /** The projection's scenarios and re-priced models, one future each. */
    FORECAST_SCENARIOS("forecast-scenarios.csv", "the projection's scenarios and re-priced models, month by month (soaklab cost)",
            "io.soaklab.internal.report.ForecastCsv"),
    /** An older soaklab's projection, scenarios and models in one file: removed when the forecast files are written. */
    COST_CSV_BEFORE("cost.csv", "an older soaklab's projection (removed by soaklab cost)", "io.soaklab.internal.report.ForecastCsv"),
    /** The projection's parameters. */
    COST_JSON("cost.json", "the projection's parameters", "io.soaklab.internal.report.CostFiles"),
    /** The measured spend as FOCUS 1.2 cost and usage rows. */
    FOCUS("focus.csv", "the measured spend as FOCUS 1.2 rows, hour by hour (soaklab cost)", "io.soaklab.internal.report.FocusFile"),
    /** The prices {@code soaklab cost} compared other models at. */
    PRICES_COMPARE("prices-compare.yaml", "the prices soaklab cost compared other models at", "io.soaklab.internal.report.CostFiles"),
    /** A provider's usage or cost export set beside the run's measured and projected figures. */
    RECONCILE("reconcile.json", "a provider's usage or cost export set beside the run's measured and projected figures (soaklab cost --reconcile)",
            "io.soaklab.internal.report.ReconcileFile"),
    /** JMH's own result, written by JMH. */
    JMH("jmh.json", "JMH's own result", "io.soaklab.internal.analysis.JmhResult"),
    /** The report. */
    REPORT("report.html", "the report", "io.soaklab.internal.report.Report"),
    /** The report's charts. */
    CHARTS("charts", "the report's charts", "io.soaklab.internal.report.Report");

    /**
     * The run folder's format version, written into {@code run.json}. A folder without one was written
     * before the format was versioned (2026-12-02) and reads as version 1. Raised when a field changes
     * meaning or a reader of an earlier soaklab could misread a file; a new optional field does not.
     * 2: the call timeouts grouped in {@code run.json}; 3: its whole configuration in groups (workload,
     * schedule, target, pricing). Folders of every earlier format read the same.
     */
    public static final int FORMAT_VERSION = 3;

    private final String fileName;
    private final String description;
    private final String owner;

    RunFile(String fileName, String description, String owner) {
        this.fileName = fileName;
        this.description = description;
        this.owner = owner;
    }

    /** The one type that writes this file and reads it back (JMH writes {@code jmh.json}; its owner says where, and reads it). */
    public String owner() {
        return owner;
    }

    /** The file's name in a run folder. */
    public String fileName() {
        return fileName;
    }

    /** What it holds, in a few words. */
    public String description() {
        return description;
    }

    /** This file in run folder {@code dir}. Called by the file's owner only. */
    public Path in(Path dir) {
        return dir.resolve(fileName);
    }

    @Override
    public String toString() {
        return fileName;
    }
}
