package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Capacity;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.layout.RunFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sweep.csv}: one row per stage of a capacity sweep, the curves' numbers for a spreadsheet:
 * offered and achieved load, latency percentiles (ms), goodput, cost per task, errors and 429s,
 * each objective's value and confidence interval, and the stage's verdict. Columns: {@code docs/analysis.md}.
 */
public final class SweepCsv {

    private SweepCsv() {
    }

    /** Writes {@code c}'s stages into the run folder {@code dir}; returns the file. */
    public static Path write(Capacity c, Path dir) throws IOException {
        List<String> header = new ArrayList<>(List.of("stage", "search", "level", "level_unit", "windows", "seconds", "calls", "calls_per_s",
                "output_tokens_per_s", "episodes", "episodes_per_min", "goodput_per_s", "ttft_p50_ms", "ttft_p99_ms", "e2e_p50_ms", "e2e_p99_ms",
                "episode_p50_ms", "episode_p99_ms", "errors", "error_rate", "rate_limited", "spend_usd", "cost_per_task_usd", "generator_bound",
                "verdict"));
        List<Capacity.Objective> first = c.stages().isEmpty() ? List.of() : c.stages().get(0).objectives();
        for (Capacity.Objective o : first) {
            String name = "slo_" + o.slo().text().replaceAll("=.*", "").replace('.', '_'); // slo_errors is not the errors count
            header.addAll(List.of(name, name + "_ci_low", name + "_ci_high"));
        }
        CsvRows csv = new CsvRows(header);
        for (Capacity.Stage s : c.stages()) {
            csv.row().cell(s.line().stage() + 1).cell(s.line().search().name().toLowerCase(Locale.ROOT)).cell(num(s.level()))
                    .cell(c.sweep().kind().wireName().equals("users") ? "users" : "per_s").cell(s.windows()).cell(num(s.seconds()))
                    .cell(s.calls()).cell(num(s.callsPerSecond())).cell(num(s.outputTokensPerSecond())).cell(s.episodes())
                    .cell(num(s.episodesPerMinute())).cell(num(s.goodput())).cell(ms(s.ttft(), false)).cell(ms(s.ttft(), true))
                    .cell(ms(s.e2e(), false)).cell(ms(s.e2e(), true)).cell(ms(s.episode(), false)).cell(ms(s.episode(), true))
                    .cell(s.errors()).cell(s.calls() == 0 ? "" : num((double) s.errors() / s.calls())).cell(s.rateLimited())
                    .cell(s.spend() == null ? "" : s.spend().toPlainString()).cell(s.costPerTask() == null ? "" : s.costPerTask().toPlainString())
                    .cell(s.generatorBoundWindows()).cell(!s.measured() ? "not_measured" : s.met() ? "met" : "missed");
            for (Capacity.Objective o : s.objectives()) {
                double scale = o.slo().latency() ? 1e-3 : 1; // latencies in ms, as every other column
                csv.cell(num(o.value() * scale)).cell(num(o.low() * scale)).cell(num(o.high() * scale));
            }
        }
        Path file = RunFile.SWEEP_CSV.in(dir);
        Report.replace(file, csv.bytes());
        return file;
    }

    private static String ms(Percentiles p, boolean p99) {
        return p.empty() ? "" : num((p99 ? p.p99() : p.p50()) / 1000.0);
    }

    /** Six significant digits, plain: a spreadsheet reads it exactly as written. */
    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
