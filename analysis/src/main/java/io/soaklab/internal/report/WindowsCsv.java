package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
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

    private WindowsCsv() {
    }

    /** Writes {@code run}'s windows into its folder; returns the file. */
    public static Path write(RunData run) throws IOException {
        Set<ErrorClass> seen = EnumSet.noneOf(ErrorClass.class);
        for (WindowStats w : run.windows()) {
            seen.addAll(w.errors().keySet());
        }
        StringBuilder csv = new StringBuilder("window,start,end,seconds,calls,calls_per_s,attempts,retries,input_tokens,output_tokens,"
                + "output_tokens_per_s,errors,error_rate");
        for (ErrorClass c : seen) {
            csv.append(",errors_").append(c.wireName());
        }
        for (Metric m : METRICS) {
            String t = m.tag().replace('-', '_');
            csv.append(',').append(t).append("_count,").append(t).append("_p50_ms,").append(t).append("_p90_ms,").append(t).append("_p99_ms,")
                    .append(t).append("_p999_ms,").append(t).append("_max_ms");
        }
        csv.append(",probe_questions,probe_exact_rate,spend_usd,generator_gc_ms,generator_cpu,system_cpu,generator_heap_mb,generator_bound,"
                + "calls_sent,calls_ended,calls_in_flight,calls_open_at_end,latency_source\n");
        double windowSeconds = run.manifest().config().window().toMillis() / 1000.0;
        for (WindowStats w : run.windows()) {
            double s = w.seconds();
            csv.append(w.index() + 1).append(',').append(Instant.ofEpochMilli(w.startMillis())).append(',').append(Instant.ofEpochMilli(w.endMillis()))
                    .append(',').append(num(s)).append(',').append(w.calls()).append(',').append(num(w.calls() / s)).append(',')
                    .append(w.attempts()).append(',').append(Math.max(0, w.attempts() - w.calls())).append(',').append(w.promptTokens())
                    .append(',').append(w.completionTokens()).append(',').append(num(w.completionTokens() / s)).append(',')
                    .append(w.errorCount()).append(',').append(w.calls() == 0 ? "" : num((double) w.errorCount() / w.calls()));
            for (ErrorClass c : seen) {
                csv.append(',').append(w.errors().getOrDefault(c, 0L));
            }
            for (Metric m : METRICS) {
                Percentiles p = w.latency(m);
                csv.append(',').append(p.count());
                for (long v : new long[] {p.p50(), p.p90(), p.p99(), p.p999(), p.max()}) {
                    csv.append(',').append(p.empty() ? "" : num(v / 1000.0));
                }
            }
            csv.append(',').append(w.probes().questions()).append(',').append(w.probes().questions() == 0 ? "" : num(w.probes().rate()))
                    .append(',').append(w.spend().toPlainString());
            WindowStats.Generator g = w.generator();
            csv.append(',').append(g.gcMillis() < 0 ? "" : Long.toString(g.gcMillis())).append(',').append(Double.isNaN(g.cpu()) ? "" : num(g.cpu()))
                    .append(',').append(Double.isNaN(g.systemCpu()) ? "" : num(g.systemCpu())).append(',')
                    .append(g.heapMb() < 0 ? "" : Long.toString(g.heapMb())).append(',').append(Degradation.generatorBound(w, windowSeconds));
            WindowStats.Traffic t = w.traffic();
            csv.append(',').append(t.started() < 0 ? "" : Long.toString(t.started())).append(',').append(t.ended() < 0 ? "" : Long.toString(t.ended()))
                    .append(',').append(t.inFlight() < 0 ? "" : Long.toString(t.inFlight())).append(',').append(w.open()).append(',')
                    .append(w.source().name().toLowerCase(Locale.ROOT)).append('\n');
        }
        Path file = RunFile.WINDOWS.in(run.dir());
        Report.replace(file, csv.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
