package io.soaklab.cli;

import io.soaklab.internal.analysis.Forecast;
import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.analysis.ProviderExport;
import io.soaklab.internal.analysis.Reconciliation;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.report.CostFiles;
import io.soaklab.internal.report.ReconcileFile;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunManifest;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code soaklab cost RUN_DIR --volume 20000/day}: what the workload will cost, month by month; with
 * {@code --reconcile FILE}, a provider's usage or cost export set beside what the run measured (and
 * beside the projection, when a volume is given too).
 */
@Command(name = "cost", mixinStandardHelpOptions = true,
        description = {"Project a run's measured cost per task to your daily and monthly volume.",
            "A forecast month by month (the mean, and P10 to P90 over the volume and growth ranges, cache hits and retries), scenarios,"
                + " sensitivities, and the same tokens at other models' prices.",
            "It writes forecast.csv (the forecast: its months add up to the printed total), forecast-scenarios.csv (one future per"
                + " scenario: never add two up), focus.csv (the measured spend as FOCUS 1.2 rows) and cost.json into the run folder,"
                + " and adds the projection to its report.",
            "With --reconcile FILE it sets a provider's own usage or cost export beside the run: the provider's tokens, their mix and"
                + " cost at soaklab's prices, what it billed, against the measured calls (and the projection's spend a day when --volume is"
                + " given; --reconcile alone makes no projection), and writes reconcile.json."})
final class CostCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder.")
    Path dir;

    @Option(names = "--volume", paramLabel = "N/day",
            description = "Tasks (episodes) a day today, e.g. 20000/day, 600000/month or 1000/h; a range, e.g. 15000..25000/day, "
                    + "when unsure (the forecast draws it). Required, unless --reconcile is given.")
    String volume;

    @Option(names = "--reconcile", paramLabel = "FILE",
            description = "A provider's usage or cost export to set beside the run: OpenAI's organization usage (completions) or costs,"
                    + " Anthropic's usage or cost report; the API's JSON as saved, one page, a JSON array of pages or one page a line."
                    + " Repeat it for a usage and a cost export of the same provider. Alone, it reconciles; with --volume, it projects"
                    + " too and sets the projected spend a day beside the export's.")
    List<Path> reconcile = new ArrayList<>();

    @Option(names = "--reconcile-model", paramLabel = "MODEL",
            description = "The model as the export names it, when production's is not the run's priced model (default: the run's;"
                    + " dated snapshots match it).")
    String reconcileModel;

    @Option(names = "--growth", paramLabel = "P%/month", defaultValue = "0%/month",
            description = "Compound growth of the volume a month, e.g. 8%%/month, or a range, 5%%..12%%/month (default: ${DEFAULT-VALUE}).")
    String growth;

    @Option(names = "--cache-swing", paramLabel = "POINTS", defaultValue = "10",
            description = "How far a real API's cache hits may differ from the measured, in points of the prompt either way (default: "
                    + "${DEFAULT-VALUE}).")
    double cacheSwing;

    @Option(names = "--retries", paramLabel = "P%", defaultValue = "0%",
            description = "Up to this many more calls retried than the run measured, per call (default: ${DEFAULT-VALUE}: the"
                    + " measured cost per task holds the run's own retries).")
    String retries;

    @Option(names = "--months", paramLabel = "N", defaultValue = "12", description = "Months to project (default: ${DEFAULT-VALUE}).")
    int months;

    @Option(names = "--models", paramLabel = "MODEL,MODEL", split = ",",
            description = "Also price the same tokens at these catalog models' prices.")
    List<String> models = new ArrayList<>();

    @Option(names = "--prices", paramLabel = "FILE",
            description = "A price file of your own for the --models to compare (format: docs/costs.md); kept in the run folder.")
    Path prices;

    @Option(names = "--start", paramLabel = "YYYY-MM", description = "The first month (default: next month).")
    String start;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (volume == null && reconcile.isEmpty()) {
            throw new IllegalArgumentException("--volume N/day is required (or --reconcile FILE, to set a provider's export beside the run)");
        }
        if (reconcileModel != null && reconcile.isEmpty()) {
            throw new IllegalArgumentException("--reconcile-model names a model of a --reconcile FILE: give the file too");
        }
        Projection.Parameters p = volume == null ? null : parameters();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no such run folder: " + dir);
        }
        if (!RunManifest.exists(dir)) {
            throw new IllegalArgumentException(dir + " is not a run folder (no run.json)");
        }
        ProviderExport export = reconcile.isEmpty() ? null : ProviderExport.read(reconcile); // a bad file fails here, before any work
        // a projection prices the calls again and again: their usage is read once and kept
        RunData run = RunData.load(dir, p == null ? RunData.Reading.DEFAULT : RunData.Reading.DEFAULT.withCallUsage());
        var out = spec.commandLine().getOut();
        Projection projection = null;
        if (p != null) {
            projection = CostFiles.project(run, p, prices);
            out.print(CostFiles.text(run, projection));
            out.println("forecast: " + CostFiles.forecast(dir).toAbsolutePath() + " (scenarios and other models beside it, in "
                    + CostFiles.SCENARIOS + ")");
            out.println("measured spend as FOCUS 1.2: " + dir.resolve(io.soaklab.internal.report.FocusFile.NAME).toAbsolutePath());
            out.println("report: " + Report.page(dir).toAbsolutePath());
        }
        if (export != null) {
            Reconciliation r = Reconciliation.of(run, export, reconcileModel, projection);
            out.print((p != null ? System.lineSeparator() : "") + ReconcileFile.text(r));
            out.println("reconcile.json: " + ReconcileFile.write(r).toAbsolutePath());
        }
        out.flush();
        return 0;
    }

    /** The projection's parameters, from --volume and the options beside it. */
    private Projection.Parameters parameters() {
        LocalDate first = start == null ? LocalDate.now().withDayOfMonth(1).plusMonths(1) : month(start);
        BigDecimal[] volumes = range("--volume", volume, CostCommand::perDay);
        BigDecimal[] growths = range("--growth", growth, CostCommand::growth);
        BigDecimal mid = volumes[0].add(volumes[1]).divide(BigDecimal.valueOf(2), MathContext.DECIMAL64);
        BigDecimal growthMid = growths[0].add(growths[1]).divide(BigDecimal.valueOf(2), MathContext.DECIMAL64);
        if (!Double.isFinite(cacheSwing) || cacheSwing < 0 || cacheSwing > 100) {
            throw new IllegalArgumentException("--cache-swing must be between 0 and 100 points, was " + cacheSwing);
        }
        BigDecimal retryHigh = retries(retries);
        Forecast.Ranges ranges = new Forecast.Ranges(volumes[0].divide(mid, MathContext.DECIMAL64).doubleValue(),
                volumes[1].divide(mid, MathContext.DECIMAL64).doubleValue(), growths[0].doubleValue(), growths[1].doubleValue(), cacheSwing,
                retryHigh.doubleValue());
        return new Projection.Parameters(mid, growthMid, months, models, first, ranges);
    }

    /** {@code 20000/day}, {@code 600000/month} (a 30-day month), {@code 140000/week}, {@code 1000/h}; a plain number is a day's. */
    static BigDecimal perDay(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT).replace("_", "").replace(",", "");
        BigDecimal daysPer = BigDecimal.ONE; // days in the unit the volume is given per
        for (String[] unit : new String[][] {{"/day", "1"}, {"/d", "1"}, {"/month", "30"}, {"/week", "7"}, {"/hour", "0"}, {"/h", "0"}}) {
            if (s.endsWith(unit[0])) {
                s = s.substring(0, s.length() - unit[0].length());
                daysPer = new BigDecimal(unit[1]);
                break;
            }
        }
        BigDecimal n;
        try {
            n = new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--volume '" + text + "': write e.g. 20000/day, 600000/month or 1000/h");
        }
        if (n.signum() <= 0) {
            throw new IllegalArgumentException("--volume must be above zero, was '" + text + "'");
        }
        if (n.compareTo(new BigDecimal("1e12")) > 0) {
            throw new IllegalArgumentException("--volume '" + text + "': more than 10^12 tasks is not a volume anyone bills");
        }
        return daysPer.signum() == 0 ? n.multiply(BigDecimal.valueOf(24)) : n.divide(daysPer, MathContext.DECIMAL64);
    }

    /** {@code 5%} or {@code 0.05}: up to that many more calls retried, per call. */
    static BigDecimal retries(String text) {
        String s = text.strip();
        BigDecimal r;
        try {
            r = s.endsWith("%") ? new BigDecimal(s.substring(0, s.length() - 1).strip()).movePointLeft(2) : new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--retries '" + text + "': write e.g. 5%");
        }
        if (r.signum() < 0 || r.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("--retries must be between 0% and 100%, was '" + text + "'");
        }
        return r;
    }

    /** {@code A..B/unit} as the low and the high, {@code A/unit} as both; each read by {@code one}. */
    static BigDecimal[] range(String flag, String text, java.util.function.Function<String, BigDecimal> one) {
        int dots = text.indexOf("..");
        if (dots < 0) {
            BigDecimal v = one.apply(text);
            return new BigDecimal[] {v, v};
        }
        String high = text.substring(dots + 2);
        int slash = high.indexOf('/');
        String unit = slash < 0 ? "" : high.substring(slash);
        BigDecimal lo = one.apply(text.substring(0, dots) + unit);
        BigDecimal hi = one.apply(high);
        if (lo.compareTo(hi) > 0) {
            throw new IllegalArgumentException(flag + " '" + text + "': the low end comes first");
        }
        return new BigDecimal[] {lo, hi};
    }

    /** {@code 8%/month}, {@code 8%}, {@code 0.08}. */
    static BigDecimal growth(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT).replace("/month", "");
        BigDecimal g;
        try {
            g = s.endsWith("%") ? new BigDecimal(s.substring(0, s.length() - 1).strip()).movePointLeft(2) : new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--growth '" + text + "': write e.g. 8%/month");
        }
        if (!s.endsWith("%") && g.abs().compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("--growth '" + text + "': write a percentage, e.g. 8%/month (a bare number is a fraction: 0.08)");
        }
        if (g.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("--growth '" + text + "': at most 100%/month");
        }
        return g;
    }

    private static LocalDate month(String text) {
        try {
            return YearMonth.parse(text.strip()).atDay(1);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--start '" + text + "': write a month as 2027-01");
        }
    }
}
