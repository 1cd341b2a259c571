package io.soaklab.internal.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soaklab.internal.analysis.Costs;
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
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cost command's files: the forecast files ({@link ForecastCsv}), the measured spend as FOCUS
 * rows ({@link FocusFile}) and {@code cost.json} (what was asked, so that {@code soaklab report}
 * can make the same projection again), and the summary it prints.
 */
public final class CostFiles {

    /** The forecast, month by month: one future, its rows add up to the printed total. */
    public static final String FORECAST = RunFile.FORECAST.fileName();
    /** The scenarios and re-priced models, month by month: one future per scenario. */
    public static final String SCENARIOS = RunFile.FORECAST_SCENARIOS.fileName();
    /** The projection's parameters. */
    public static final String JSON = RunFile.COST_JSON.fileName();
    /** The price file {@code soaklab cost --prices} compared models with. */
    public static final String COMPARE_PRICES = RunFile.PRICES_COMPARE.fileName();

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private CostFiles() {
    }

    /**
     * Projects {@code run} and keeps the result: the forecast files, {@code focus.csv}, {@code cost.json}, and the report.
     *
     * @throws IllegalArgumentException when the run is not priced, has no task, or names an unknown model
     */
    public static Projection project(RunData run, Projection.Parameters parameters) throws IOException {
        return project(run, parameters, null);
    }

    /**
     * The same, pricing {@code --models} also from {@code prices} (a price file of one's own, kept in
     * the run folder as {@code prices-compare.yaml} so that the projection can be made again).
     */
    public static Projection project(RunData run, Projection.Parameters parameters, Path prices) throws IOException {
        Costs costs = run.costs();
        if (costs == null) {
            throw new IllegalArgumentException("run " + run.dir() + " is not priced (" + String.join("; ", run.notes()) + ")");
        }
        if (prices != null) {
            PriceCatalog.read(prices); // a bad file fails here, naming itself, before anything is written
            Files.copy(prices, RunFile.PRICES_COMPARE.in(run.dir()), StandardCopyOption.REPLACE_EXISTING);
        }
        Projection p = Projection.of(run, costs.tariff(), catalog(run), parameters);
        ForecastCsv.write(run, p, catalog(run));
        FocusFile.write(run); // the measured spend, apart from the projection
        ObjectNode json = MAPPER.createObjectNode();
        json.put("tasks_per_day", parameters.tasksPerDay().toPlainString());
        json.put("growth_per_month", parameters.growthPerMonth().toPlainString());
        json.put("months", parameters.months());
        json.put("start", parameters.start().toString());
        json.putPOJO("models", parameters.models());
        Forecast.Ranges r = parameters.ranges();
        ObjectNode ranges = json.putObject("ranges");
        ranges.put("volume_low", r.volumeLow()).put("volume_high", r.volumeHigh()).put("growth_low", r.growthLow())
                .put("growth_high", r.growthHigh()).put("cache_swing_points", r.cacheSwingPoints()).put("retry_high", r.retryHigh());
        Report.replace(RunFile.COST_JSON.in(run.dir()), MAPPER.writeValueAsBytes(json));
        Report.write(run, p);
        return p;
    }

    /** True when run folder {@code dir} holds a projection {@code soaklab cost} made ({@code cost.json}): the report makes it again. */
    public static boolean projected(Path dir) {
        return Files.exists(RunFile.COST_JSON.in(dir));
    }

    /** The projection {@code cost.json} asks for, made again; null when there is none. */
    static Projection reproject(RunData run) throws IOException {
        Path file = RunFile.COST_JSON.in(run.dir());
        if (!Files.exists(file) || run.costs() == null) {
            return null;
        }
        JsonNode n = MAPPER.readTree(file.toFile());
        List<String> models = new ArrayList<>();
        n.path("models").forEach(m -> models.add(m.asText()));
        BigDecimal growth = new BigDecimal(n.path("growth_per_month").asText("0"));
        JsonNode r = n.path("ranges");
        Forecast.Ranges ranges = r.isObject() ? new Forecast.Ranges(r.path("volume_low").asDouble(1), r.path("volume_high").asDouble(1),
                r.path("growth_low").asDouble(growth.doubleValue()), r.path("growth_high").asDouble(growth.doubleValue()),
                r.path("cache_swing_points").asDouble(10), r.path("retry_high").asDouble(0))
                : Forecast.Ranges.around(growth.doubleValue()); // a cost.json from before the forecast
        Projection.Parameters p = new Projection.Parameters(new BigDecimal(n.path("tasks_per_day").asText("1")), growth,
                n.path("months").asInt(12), models, LocalDate.parse(n.path("start").asText(LocalDate.now().withDayOfMonth(1).plusMonths(1).toString())),
                ranges);
        return Projection.of(run, run.costs().tariff(), catalog(run), p);
    }

    /** The run's prices, with the file {@code soaklab cost --prices} kept, if any, for the models it compares. */
    private static PriceCatalog catalog(RunData run) {
        Path compare = RunFile.PRICES_COMPARE.in(run.dir());
        return Files.exists(compare) ? run.catalog().with(PriceCatalog.read(compare)) : run.catalog();
    }

    /** Where {@code soaklab cost} writes the forecast month by month in run folder {@code dir}. */
    public static Path forecast(Path dir) {
        return ForecastCsv.forecast(dir);
    }

    /** What a projection assumes, each in a few words. */
    static List<String> assumptions(RunData run, Projection p) {
        Costs c = p.costs();
        ModelPrice price = c.tariff().price();
        List<String> out = new java.util.ArrayList<>(List.of(
                p.parameters().tasksPerDay().toPlainString() + " tasks a day at first, growing " + Projection.percent(p.parameters().growthPerMonth())
                        + " a month, from " + p.parameters().start(),
                "a task costs what the " + c.perTask().count() + " tasks measured in run " + run.manifest().runId() + " cost (scenario "
                        + run.manifest().config().workload().scenario() + "), their failures and retries included",
                "scenario bands from " + Projection.RESAMPLES + " resamples of those tasks: the uncertainty of their mean cost",
                "prices: " + c.tariff().describe() + " from " + run.catalog().describe() + "; " + price.source(),
                "run configuration hash " + RunManifest.configHash(run.dir())
                        + (c.perTask().count() < 30 ? "; only " + c.perTask().count() + " tasks were measured: the bands are rough, run longer" : "")));
        if (run.manifest().config().target().embedded()) {
            out.add("the endpoint was soaklab's embedded simulator: its token counts and cache hits are a model of an API, not a"
                    + " provider's bill");
        }
        out.addAll(p.warnings()); // price changes and retirements inside the horizon
        return out;
    }

    /** The summary {@code soaklab cost} prints. */
    public static String text(RunData run, Projection p) {
        StringBuilder out = new StringBuilder();
        Costs c = p.costs();
        out.append(String.format(Locale.ROOT, "Measured: %d tasks, %s per task on average (the median task %s, P90 %s, P99 %s); %s%n",
                c.perTask().count(), usd(c.perTask().mean()), usd(c.perTask().p50()), usd(c.perTask().p90()), usd(c.perTask().p99()),
                c.perSuccessfulTask() == null ? "no task succeeded" : usd(c.perSuccessfulTask()) + " per successful task"));
        out.append(String.format(Locale.ROOT, "A day at %s tasks: %s (P10 %s to P90 %s of the mean cost per task, resampled)%n", p.parameters().tasksPerDay().toPlainString(),
                usd(p.perDay().p50()), usd(p.perDay().p10()), usd(p.perDay().p90())));
        Forecast f = p.forecast();
        out.append(String.format(Locale.ROOT, "%nForecast (the mean, and P10 to P90 of %d simulated futures)%n", Forecast.DRAWS));
        out.append(String.format(Locale.ROOT, "%-12s %14s %14s %14s %16s%n", "month", "tasks", "mean", "P10", "P90"));
        for (Forecast.Month m : f.months()) {
            out.append(String.format(Locale.ROOT, "%-12s %14s %14s %14s %16s%n", m.start().toString().substring(0, 7),
                    String.format(Locale.ROOT, "%,d", m.tasks().toBigInteger()), usd(m.spend().mean()), usd(m.spend().p10()), usd(m.spend().p90())));
        }
        out.append(String.format(Locale.ROOT, "%-12s %14s %14s %14s %16s%n", "total", "", usd(f.total().mean()), usd(f.total().p10()),
                usd(f.total().p90())));
        out.append("The band: ").append(f.covers()).append(System.lineSeparator());
        out.append(String.format(Locale.ROOT, "%nScenarios, each a whole future: never add two up (each month's P10, P50, P90 of the mean"
                + " cost per task, times its tasks)%n"));
        out.append(String.format(Locale.ROOT, "%-14s %-12s %14s %14s %14s %16s%n", "scenario", "month", "tasks", "P10", "P50", "P90"));
        for (Projection.Scenario s : p.scenarios()) {
            for (Projection.Month m : s.months()) {
                out.append(String.format(Locale.ROOT, "%-14s %-12s %14s %14s %14s %16s%n", s.name(), m.start().toString().substring(0, 7),
                        String.format(Locale.ROOT, "%,d", m.tasks().setScale(0, RoundingMode.HALF_EVEN).toBigInteger()), usd(m.spend().p10()),
                        usd(m.spend().p50()), usd(m.spend().p90())));
            }
            out.append(String.format(Locale.ROOT, "%-14s %-12s %14s %14s %14s %16s%n", s.name(), "total", "", "",
                    usd(s.total(Projection.Band::p50)), ""));
        }
        out.append(String.format(Locale.ROOT, "%nFirst month (tasks x the mean cost per task) if ...%n"));
        for (Projection.Sensitivity s : p.sensitivities()) {
            out.append(String.format(Locale.ROOT, "  %-58s %14s (%s%s)%n", s.change(), usd(s.firstMonth()), s.difference().signum() >= 0 ? "+" : "",
                    usd(s.difference())));
        }
        if (!p.reprices().isEmpty()) {
            out.append(String.format(Locale.ROOT, "%nThe same work at other models' prices, each provider's caching rule applied (another"
                    + " model's behaviour would change the counts too)%n"));
            out.append(String.format(Locale.ROOT, "  %-58s %14s %14s%n", "model", "per task", "first month"));
            for (Projection.Reprice r : p.reprices()) {
                out.append(String.format(Locale.ROOT, "  %-58s %14s %14s%n", r.prices(), usd(r.perTask()), usd(r.firstMonth().p50())));
                out.append("    ").append(r.caveat()).append('.').append(System.lineSeparator());
            }
        }
        out.append(String.format(Locale.ROOT, "%nAssumes: %s.%n", String.join("; ", assumptions(run, p))));
        return out.toString();
    }

    private static String usd(BigDecimal amount) {
        return Format.usd(amount);
    }

}
