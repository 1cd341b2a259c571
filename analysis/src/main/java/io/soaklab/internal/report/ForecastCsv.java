package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Forecast;
import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.cost.ModelPrice;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.run.RunManifest;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The projection as files a spreadsheet takes, each one future so that adding its rows up never
 * counts spend twice:
 * <ul>
 *   <li>{@code forecast.csv}: the forecast month by month, the mean and P10 / P50 / P90 of the
 *       simulated futures; its months' means add up, to the cent, to the total {@code soaklab cost}
 *       prints (percentiles do not add up: a month's P90 is not part of the total's);</li>
 *   <li>{@code forecast-scenarios.csv}: the scenarios and the re-priced models, a {@code scenario}
 *       column naming each; every scenario is a whole alternative future: add rows within one
 *       scenario (its P50s add up to its printed total), never across.</li>
 * </ul>
 * Forecasts are not charges incurred, so they are not FOCUS rows: the measured spend is
 * {@link FocusFile}'s. A projection of an older soaklab ({@code cost.csv}, scenarios and models in
 * one file) is removed when these are written.
 */
final class ForecastCsv {

    static final List<String> FORECAST_COLUMNS = List.of("month_start", "month_end", "currency", "provider", "model", "tasks",
            "spend_mean", "spend_p10", "spend_p50", "spend_p90", "run_id", "run_config_hash", "catalog_version", "measured_on");
    static final List<String> SCENARIO_COLUMNS = List.of("scenario", "month_start", "month_end", "currency", "provider", "model",
            "tasks", "spend_p10", "spend_p50", "spend_p90", "cost_per_task_p50", "assumes");

    private ForecastCsv() {
    }

    /** Writes both files into the run's folder; {@code compare} prices the re-priced models. */
    static void write(RunData run, Projection p, PriceCatalog compare) throws IOException {
        ModelPrice price = p.costs().tariff().price();
        RunManifest m = run.manifest();
        String hash = RunManifest.configHash(run.dir());
        String measuredOn = m.config().target().embedded() ? "embedded simulator" : m.config().target().endpoint().getHost();
        CsvRows forecast = new CsvRows(FORECAST_COLUMNS);
        for (Forecast.Month month : p.forecast().months()) {
            forecast.row().cell(time(month.start())).cell(time(month.end())).cell(price.currency()).cell(price.provider()).cell(price.model())
                    .cell(month.tasks().toPlainString()).cell(money(month.spend().mean())).cell(money(month.spend().p10()))
                    .cell(money(month.spend().p50())).cell(money(month.spend().p90())).cell(m.runId()).cell(hash)
                    .cell(run.catalog().version()).cell(measuredOn);
        }
        Report.replace(RunFile.FORECAST.in(run.dir()), forecast.bytes());

        CsvRows scenarios = new CsvRows(SCENARIO_COLUMNS);
        for (Projection.Scenario s : p.scenarios()) {
            for (Projection.Month month : s.months()) {
                scenario(scenarios, s.name(), month, month.spend(), price, s.perTask().p50(), s.assumes());
            }
        }
        List<Projection.Month> base = p.scenarios().get(0).months();
        for (Projection.Reprice r : p.reprices()) {
            ModelPrice other = compare.price(r.model());
            for (Projection.Month month : base) {
                scenario(scenarios, "reprice:" + r.model(), month, r.perTaskBand().times(month.tasks()), other, r.perTask(),
                        "the base volume at " + r.prices() + "; " + r.caveat());
            }
        }
        Report.replace(RunFile.FORECAST_SCENARIOS.in(run.dir()), scenarios.bytes());
        Files.deleteIfExists(RunFile.COST_CSV_BEFORE.in(run.dir()));
    }

    private static void scenario(CsvRows csv, String name, Projection.Month month, Projection.Band spend, ModelPrice price,
                                 BigDecimal perTask, String assumes) {
        csv.row().cell(name).cell(time(month.start())).cell(time(month.end())).cell(price.currency()).cell(price.provider())
                .cell(price.model()).cell(month.tasks().setScale(0, RoundingMode.HALF_EVEN).toPlainString()).cell(money(spend.p10()))
                .cell(money(spend.p50())).cell(money(spend.p90())).cell(perTask.setScale(6, RoundingMode.HALF_EVEN).toPlainString())
                .cell(assumes);
    }

    /** A month's first instant, UTC, as FOCUS writes date-times. */
    private static String time(LocalDate day) {
        return FocusFile.TIME.format(day.atStartOfDay(ZoneOffset.UTC));
    }

    private static String money(BigDecimal amount) {
        return Cost.cents(amount).toPlainString();
    }

    /** Where the forecast is, in run folder {@code dir}. */
    static Path forecast(Path dir) {
        return RunFile.FORECAST.in(dir);
    }
}
