package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.ServerWindows;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code windows.csv}: one row per measured window, for a spreadsheet or a notebook. Latencies
 * are milliseconds, read from the window's interval in {@code histograms.hlog} (so they agree with
 * HdrHistogram's {@code HistogramLogProcessor} on the same log); counts, tokens, errors and spend
 * come from {@code calls.jsonl}. Columns: {@code docs/analysis.md}.
 */
public final class WindowsCsv {

    /** The file's name in the run folder. */
    public static final String FILE = RunFile.WINDOWS.fileName();

    private static final Metric[] METRICS = {Metric.TTFT, Metric.ITL, Metric.TPOT, Metric.E2E, Metric.EPISODE, Metric.SCHEDULE_LAG};

    /** The server's own figures per window ({@link ServerWindows.Window}), in its order. */
    static final List<String> SERVER_COLUMNS = List.of("server_scrapes", "server_running_mean", "server_running_max", "server_waiting_mean",
            "server_waiting_max", "server_kv_cache_usage_mean", "server_kv_cache_usage_max", "server_preemptions_per_s",
            "server_prompt_tokens_per_s", "server_generation_tokens_per_s", "server_requests_finished_per_s", "server_ttft_p50_ms",
            "server_ttft_p99_ms", "server_itl_p99_ms", "server_e2e_p99_ms", "server_queue_time_p99_ms");

    private WindowsCsv() {
    }

    /** Writes {@code run}'s windows into its folder; returns the file. */
    public static Path write(RunData run) throws IOException {
        Set<ErrorClass> seen = EnumSet.noneOf(ErrorClass.class);
        for (WindowStats w : run.windows()) {
            seen.addAll(w.errors().keySet());
        }
        List<String> header = new ArrayList<>(List.of("window", "start", "end", "seconds", "calls", "calls_per_s", "attempts", "retries",
                "input_tokens", "output_tokens", "output_tokens_per_s", "errors", "error_rate"));
        for (ErrorClass c : seen) {
            header.add("errors_" + c.wireName());
        }
        for (Metric m : METRICS) {
            String t = m.tag().replace('-', '_');
            header.addAll(List.of(t + "_count", t + "_p50_ms", t + "_p90_ms", t + "_p99_ms", t + "_p999_ms", t + "_max_ms"));
        }
        header.addAll(List.of("probe_questions", "probe_exact_rate", "spend_usd", "generator_gc_ms", "generator_cpu", "system_cpu",
                "generator_heap_mb", "generator_bound", "calls_sent", "calls_ended", "calls_in_flight", "calls_open_at_end", "latency_source",
                "generator_pause_p99_ms", "generator_pause_max_ms", "silence_ms"));
        ServerWindows server = run.server();
        if (server.present()) { // the server's own metrics: columns only in a run that scraped them
            header.addAll(SERVER_COLUMNS);
        }
        CsvRows csv = new CsvRows(header);
        double windowSeconds = run.manifest().config().schedule().window().toMillis() / 1000.0;
        for (WindowStats w : run.windows()) {
            double s = w.seconds();
            csv.row().cell(w.index() + 1).cell(Instant.ofEpochMilli(w.startMillis())).cell(Instant.ofEpochMilli(w.endMillis())).cell(num(s))
                    .cell(w.calls()).cell(num(w.calls() / s)).cell(w.attempts()).cell(Math.max(0, w.attempts() - w.calls()))
                    .cell(w.promptTokens()).cell(w.completionTokens()).cell(num(w.completionTokens() / s)).cell(w.errorCount())
                    .cell(w.calls() == 0 ? null : num((double) w.errorCount() / w.calls()));
            for (ErrorClass c : seen) {
                csv.cell(w.errors().getOrDefault(c, 0L));
            }
            for (Metric m : METRICS) {
                Percentiles p = w.latency(m);
                csv.cell(p.count());
                for (long v : new long[] {p.p50(), p.p90(), p.p99(), p.p999(), p.max()}) {
                    csv.cell(p.empty() ? null : num(v / 1000.0));
                }
            }
            csv.cell(w.probes().questions()).cell(w.probes().questions() == 0 ? null : num(w.probes().rate())).cell(w.spend().toPlainString());
            WindowStats.Generator g = w.generator();
            csv.cell(g.gcMillis() < 0 ? null : g.gcMillis()).cell(Double.isNaN(g.cpu()) ? null : num(g.cpu()))
                    .cell(Double.isNaN(g.systemCpu()) ? null : num(g.systemCpu())).cell(g.heapMb() < 0 ? null : g.heapMb())
                    .cell(Degradation.generatorBound(w, windowSeconds));
            WindowStats.Traffic t = w.traffic();
            csv.cell(t.started() < 0 ? null : t.started()).cell(t.ended() < 0 ? null : t.ended()).cell(t.inFlight() < 0 ? null : t.inFlight())
                    .cell(w.open()).cell(w.source().name().toLowerCase(Locale.ROOT));
            for (long us : new long[] {g.pauseP99Micros(), g.pauseMaxMicros(), g.silenceMicros()}) {
                csv.cell(us < 0 ? null : num(us / 1000.0));
            }
            if (server.present()) {
                ServerWindows.Window v = server.get(w.index());
                csv.cell(v.scrapes());
                for (double x : new double[] {v.runningMean(), v.runningMax(), v.waitingMean(), v.waitingMax(), v.kvMean(), v.kvMax(),
                        v.preemptionsPerSecond(), v.promptTokensPerSecond(), v.generationTokensPerSecond(), v.finishedPerSecond(), v.ttftP50Ms(),
                        v.ttftP99Ms(), v.itlP99Ms(), v.e2eP99Ms(), v.queueP99Ms()}) {
                    csv.cell(Double.isNaN(x) || Double.isInfinite(x) ? null : num(x));
                }
            }
        }
        Path file = RunFile.WINDOWS.in(run.dir());
        Report.replace(file, csv.bytes());
        return file;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
