package io.soaklab.internal.analysis;

import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.ModelPrice;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.protocol.Usage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What a workload will cost at a given volume: the measured cost per task, resampled (bootstrap)
 * for its uncertainty, times tasks per day, month by month with growth; scenarios (high growth, a
 * colder cache); how sensitive the monthly spend is to the cache-hit rate, context growth and
 * retries; and the same token trace priced as other models.
 *
 * <p>The bands (P10, P50, P90) are the uncertainty of the mean cost per task measured in the run:
 * 2,000 resamples of its tasks. A single day's own randomness around that mean shrinks with
 * volume (as 1/√tasks) and is left out. Money is exact decimal arithmetic.
 *
 * <pre>{@code
 * Projection p = Projection.of(runDir, tariff, catalog, new Projection.Parameters(
 *         new BigDecimal("20000"), new BigDecimal("0.08"), 12, List.of("claude-sonnet-5-5"), LocalDate.of(2026, 12, 1)));
 * BigDecimal firstMonth = p.scenarios().get(0).months().get(0).p50();
 * }</pre>
 */
public final class Projection {

    /** Bootstrap resamples behind every band. */
    public static final int RESAMPLES = 2000;
    private static final long SEED = 20261121L;
    private static final BigDecimal PICO = BigDecimal.ONE.movePointRight(12);

    /**
     * What to project.
     *
     * @param tasksPerDay    volume today
     * @param growthPerMonth compound growth of the volume, as a fraction (0.08 is 8 % a month)
     * @param months         how many months
     * @param models         other catalog models to price the same tokens as
     * @param start          the first month's first day
     * @param ranges         what the forecast is unsure of ({@link Forecast})
     */
    public record Parameters(BigDecimal tasksPerDay, BigDecimal growthPerMonth, int months, List<String> models, LocalDate start,
                             Forecast.Ranges ranges) {

        /** The volume and growth as given, with the forecast's default ranges ({@link Forecast.Ranges#around}). */
        public Parameters(BigDecimal tasksPerDay, BigDecimal growthPerMonth, int months, List<String> models, LocalDate start) {
            this(tasksPerDay, growthPerMonth, months, models, start, Forecast.Ranges.around(growthPerMonth.doubleValue()));
        }

        public Parameters {
            Objects.requireNonNull(tasksPerDay, "tasksPerDay");
            Objects.requireNonNull(growthPerMonth, "growthPerMonth");
            Objects.requireNonNull(ranges, "ranges");
            models = List.copyOf(models);
            if (tasksPerDay.signum() <= 0) {
                throw new IllegalArgumentException("--volume must be above zero");
            }
            if (growthPerMonth.compareTo(BigDecimal.ONE.negate()) <= 0) {
                throw new IllegalArgumentException("--growth must be above -100%");
            }
            if (months < 1 || months > 120) {
                throw new IllegalArgumentException("--months must be between 1 and 120, was " + months);
            }
        }
    }

    /** P10, P50 and P90 of an amount. */
    public record Band(BigDecimal p10, BigDecimal p50, BigDecimal p90) {
        public Band times(BigDecimal factor) {
            return new Band(p10.multiply(factor), p50.multiply(factor), p90.multiply(factor));
        }
    }

    /** One month of a scenario: its days, its tasks, its spend. */
    public record Month(LocalDate start, LocalDate end, BigDecimal tasks, Band spend) {
    }

    /** A scenario: a name, what it assumes, its cost per task, and its months. */
    public record Scenario(String name, String assumes, BigDecimal growthPerMonth, Band perTask, List<Month> months) {
        /** The months' amounts, each in cents as the files write it, added up: the files' rows add up to it to the cent. */
        public BigDecimal total(Function<Band, BigDecimal> which) {
            BigDecimal t = BigDecimal.ZERO;
            for (Month m : months) {
                t = t.add(io.soaklab.internal.cost.Cost.cents(which.apply(m.spend())));
            }
            return t;
        }
    }

    /** The first month's spend (its tasks x the mean cost per task) under one change to the measured usage. */
    public record Sensitivity(String change, BigDecimal firstMonth, BigDecimal difference) {
    }

    /**
     * The same tokens priced as another model, converted to its provider's caching rule: its mean
     * cost per task, with its uncertainty, and its first month.
     *
     * @param conversion how the usage was converted to the other provider's cache ("" when the rule is the same)
     * @param tokenizer  how far the other provider's tokenizer may move the counts, priced, with its source ("" for the same provider)
     */
    public record Reprice(String model, String prices, BigDecimal perTask, Band perTaskBand, Band firstMonth, String conversion,
                          String tokenizer) {

        /** What the reader must know about the comparison, in a sentence or two. */
        public String caveat() {
            String c = conversion.isEmpty() ? "the measured tokens as they were" : conversion;
            return tokenizer.isEmpty() ? c : c + "; " + tokenizer;
        }
    }

    private final Parameters parameters;
    private final Costs costs;
    private final Band perTask;
    private final Band perDay;
    private final List<Scenario> scenarios;
    private final List<Sensitivity> sensitivities;
    private final List<Reprice> reprices;
    private final String catalog;
    private final List<String> warnings;
    private final Forecast forecast;

    private Projection(Parameters parameters, Costs costs, Band perTask, List<Scenario> scenarios, List<Sensitivity> sensitivities,
                       List<Reprice> reprices, String catalog, List<String> warnings, Forecast forecast) {
        this.parameters = parameters;
        this.costs = costs;
        this.perTask = perTask;
        this.perDay = perTask.times(parameters.tasksPerDay());
        this.scenarios = scenarios;
        this.sensitivities = sensitivities;
        this.reprices = reprices;
        this.catalog = catalog;
        this.warnings = warnings;
        this.forecast = forecast;
    }

    /**
     * Projects the run in {@code dir}.
     *
     * @throws IllegalArgumentException when the run has no measured task, or a model is not in the catalog
     */
    public static Projection of(Path dir, Tariff tariff, PriceCatalog catalog, Parameters p) throws IOException {
        CallTrace trace = CallTrace.read(dir);
        return of(trace, TaskList.read(dir, trace), tariff, catalog, p);
    }

    /**
     * Projects {@code run}: from the calls' usage it kept when loaded ({@link RunData.Reading#withCallUsage()}),
     * else from its files, read once more.
     *
     * @throws IllegalArgumentException when the run has no measured task, or a model is not in the catalog
     */
    public static Projection of(RunData run, Tariff tariff, PriceCatalog catalog, Parameters p) throws IOException {
        return run.trace() == null ? of(run.dir(), tariff, catalog, p) : of(run.trace(), run.tasks(), tariff, catalog, p);
    }

    private static Projection of(CallTrace trace, TaskList tasks, Tariff tariff, PriceCatalog catalog, Parameters p) {
        Costs base = Costs.of(trace, tasks, tariff, UnaryOperator.identity());
        if (base.perTask().count() == 0) {
            throw new IllegalArgumentException("the run has no measured task (episode) to project from");
        }
        Band perTask = bootstrap(base.taskCosts());
        List<String> warnings = new ArrayList<>();
        BigDecimal[] priceChange = priceChanges(trace, tasks, tariff, catalog, p, base, warnings);
        List<Scenario> scenarios = new ArrayList<>();
        scenarios.add(scenario("base", "volume grows " + percent(p.growthPerMonth()) + " a month; cost per task as measured", p,
                p.growthPerMonth(), perTask, priceChange));
        BigDecimal high = p.growthPerMonth().multiply(BigDecimal.valueOf(2)).max(p.growthPerMonth().add(new BigDecimal("0.05")));
        scenarios.add(scenario("high-growth", "volume grows " + percent(high) + " a month", p, high, perTask, priceChange));
        UsageChanges.CacheRule rule = UsageChanges.CacheRule.of(base);
        Costs cold = Costs.of(trace, tasks, tariff, u -> UsageChanges.moveCache(u, -0.5, true, rule));
        scenarios.add(scenario("low-cache-hit", "half the cache reads miss and are billed " + (rule == UsageChanges.CacheRule.WRITTEN
                ? "as cache writes (Anthropic writes a missed prefix again)" : "as fresh input") + "; growth as base", p,
                p.growthPerMonth(), bootstrap(cold.taskCosts()), priceChange));

        // each change is priced with the plain mean of the changed tasks: so is the baseline it is measured against
        BigDecimal baseline = firstMonthTasks(p).multiply(base.perTask().mean());
        List<Sensitivity> sensitivities = new ArrayList<>();
        record Change(String name, UnaryOperator<Usage> change) {
        }
        for (Change c : List.of(
                new Change("cache hits -10 points (of prompt tokens)", u -> UsageChanges.moveCache(u, -0.10, false, rule)),
                new Change("cache hits +10 points", u -> UsageChanges.moveCache(u, 0.10, false, rule)),
                new Change("context +10 % (every input token)", u -> UsageChanges.growContext(u, 1.10)),
                new Change("context +25 %", u -> UsageChanges.growContext(u, 1.25)),
                new Change("output +25 %", u -> UsageChanges.growOutput(u, 1.25)))) {
            Costs changed = Costs.of(trace, tasks, tariff, c.change());
            BigDecimal first = firstMonthTasks(p).multiply(changed.perTask().mean());
            sensitivities.add(new Sensitivity(c.name(), first, first.subtract(baseline)));
        }
        // a retry re-sends and pays for a whole call: 10 more retries per 100 calls cost about 10 % more
        BigDecimal retried = baseline.multiply(new BigDecimal("1.10"));
        sensitivities.add(new Sensitivity("retries +10 per 100 calls (each re-sends the whole call)", retried, retried.subtract(baseline)));

        List<Reprice> reprices = new ArrayList<>();
        for (String model : p.models()) {
            reprices.add(Reprices.of(trace, tasks, base, tariff, catalog, model, firstMonthTasks(p)));
        }
        for (String model : p.models()) {
            retirement(catalog, model, p, warnings);
        }
        double[] change = new double[priceChange.length];
        for (int m = 0; m < change.length; m++) {
            LocalDate first = p.start().plusMonths(m);
            change[m] = priceChange[m].doubleValue() / (first.plusMonths(1).toEpochDay() - first.toEpochDay());
        }
        // the cost per task at the cache swing's ends, relative to the measured (moveCache keeps each call's hits possible)
        double swing = p.ranges().cacheSwingPoints() / 100;
        double measuredMean = base.perTask().mean().doubleValue();
        double fewer = 1;
        double more = 1;
        if (swing > 0 && measuredMean > 0) {
            fewer = Costs.of(trace, tasks, tariff, u -> UsageChanges.moveCache(u, -swing, false, rule)).perTask().mean().doubleValue() / measuredMean;
            more = Costs.of(trace, tasks, tariff, u -> UsageChanges.moveCache(u, swing, false, rule)).perTask().mean().doubleValue() / measuredMean;
        }
        Forecast forecast = Forecast.simulate(resampleMeans(base.taskCosts()), fewer, more, change, p, p.ranges());
        return new Projection(p, base, perTask, List.copyOf(scenarios), List.copyOf(sensitivities), List.copyOf(reprices),
                catalog.describe(), warnings.stream().distinct().toList(), forecast);
    }

    /**
     * Each month's days, each weighed by that day's cost per task relative to the run's prices (the
     * catalog's version in force that day, the run's usage priced at it; 1 at the run's prices): a
     * month at the run's prices is its number of days. Says when prices change, end, and when the
     * model retires inside the horizon.
     */
    private static BigDecimal[] priceChanges(CallTrace trace, TaskList tasks, Tariff tariff, PriceCatalog catalog, Parameters p, Costs base,
                                             List<String> warnings) {
        BigDecimal[] ratio = new BigDecimal[p.months()];
        for (int m = 0; m < ratio.length; m++) {
            LocalDate first = p.start().plusMonths(m);
            ratio[m] = BigDecimal.valueOf(first.plusMonths(1).toEpochDay() - first.toEpochDay());
        }
        String model = tariff.price().model();
        List<ModelPrice> versions;
        try {
            versions = catalog.versions(model);
        } catch (IllegalArgumentException notListed) {
            return ratio; // priced from a file of one's own that the catalog does not hold: no history
        }
        java.util.Map<ModelPrice, BigDecimal> byVersion = new java.util.HashMap<>();
        boolean endedSaid = false;
        BigDecimal measured = base.perTask().mean();
        if (measured.signum() == 0) {
            return ratio;
        }
        for (int m = 0; m < p.months(); m++) {
            // each day at the version in force that day: a change on the 7th prices the month's last days only
            LocalDate first = p.start().plusMonths(m);
            LocalDate end = first.plusMonths(1);
            BigDecimal sum = BigDecimal.ZERO;
            for (LocalDate day = first; day.isBefore(end); day = day.plusDays(1)) {
                ModelPrice inForce = versions.get(0);
                for (ModelPrice v : versions) {
                    if (!v.effective().isAfter(day)) {
                        inForce = v;
                    }
                }
                if (inForce.until() != null && day.isAfter(inForce.until()) && !endedSaid) {
                    endedSaid = true;
                    warnings.add(model + "'s last prices ended on " + inForce.until() + " and none follow them: the months after are priced at"
                            + " them, which the provider no longer charges");
                }
                sum = sum.add(inForce.equals(tariff.price()) ? BigDecimal.ONE : byVersion.computeIfAbsent(inForce, v -> relative(trace, tasks,
                        tariff, v, measured, model, warnings)));
            }
            ratio[m] = sum;
        }
        retirement(catalog, model, p, warnings);
        return ratio;
    }

    /** The cost per task at version {@code v}'s prices relative to the run's; 1, with a warning, when it cannot be billed that way. */
    private static BigDecimal relative(CallTrace trace, TaskList tasks, Tariff tariff, ModelPrice v, BigDecimal measured, String model,
                                       List<String> warnings) {
        try {
            BigDecimal r = Costs.of(trace, tasks, new Tariff(v, tariff.billing()), UnaryOperator.identity()).perTask().mean()
                    .divide(measured, MathContext.DECIMAL128);
            warnings.add(model + "'s prices change on " + v.effective() + " (" + v.source() + "): the days from then are priced at them");
            return r;
        } catch (IllegalArgumentException e) {
            warnings.add(model + "'s prices of " + v.effective() + " cannot be applied (" + e.getMessage() + "): the months after stay at the run's");
            return BigDecimal.ONE;
        }
    }

    /** Warns when {@code model} retires before the projection's last month ends. */
    private static void retirement(PriceCatalog catalog, String model, Parameters p, List<String> warnings) {
        LocalDate retires;
        try {
            retires = catalog.retires(model);
        } catch (IllegalArgumentException notListed) {
            return;
        }
        LocalDate end = p.start().plusMonths(p.months());
        if (retires != null && retires.isBefore(end)) {
            warnings.add(model + " retires on " + retires + (retires.isAfter(p.start()) ? ", inside the projection" : ", before the projection starts")
                    + ": the months from then price a model its provider no longer serves");
        }
    }

    /** The mean cost per task, resampled: P10, P50, P90 of {@value #RESAMPLES} bootstrap means. */
    static Band bootstrap(List<BigDecimal> tasks) {
        long[] sums = resampleSums(tasks);
        Arrays.sort(sums);
        BigDecimal count = BigDecimal.valueOf(tasks.size());
        return new Band(mean(sums[rank(10)], count), mean(sums[rank(50)], count), mean(sums[rank(90)], count));
    }

    /** The same resamples' means, in dollars: what the forecast draws a future's cost per task from. */
    static double[] resampleMeans(List<BigDecimal> tasks) {
        long[] sums = resampleSums(tasks);
        double[] means = new double[sums.length];
        for (int r = 0; r < sums.length; r++) {
            means[r] = sums[r] / 1e12 / tasks.size();
        }
        return means;
    }

    /** {@value #RESAMPLES} resamples (seeded) of the tasks' costs, each the sum of as many draws as there are tasks, in picodollars. */
    private static long[] resampleSums(List<BigDecimal> tasks) {
        int n = tasks.size();
        long[] pico = new long[n];
        for (int i = 0; i < n; i++) {
            pico[i] = tasks.get(i).multiply(PICO).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        }
        SplittableRandom random = new SplittableRandom(SEED);
        long[] sums = new long[RESAMPLES];
        for (int r = 0; r < RESAMPLES; r++) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += pico[random.nextInt(n)];
            }
            sums[r] = sum;
        }
        return sums;
    }

    private static int rank(int percent) {
        return Math.max(0, (int) Math.ceil(percent / 100.0 * RESAMPLES) - 1);
    }

    private static BigDecimal mean(long picoSum, BigDecimal count) {
        return BigDecimal.valueOf(picoSum).movePointLeft(12).divide(count, 12, RoundingMode.HALF_EVEN);
    }

    private static Scenario scenario(String name, String assumes, Parameters p, BigDecimal growth, Band perTask, BigDecimal[] priceChange) {
        List<Month> months = new ArrayList<>();
        BigDecimal factor = BigDecimal.ONE;
        for (int m = 0; m < p.months(); m++) {
            LocalDate start = p.start().plusMonths(m);
            LocalDate end = start.plusMonths(1);
            long days = end.toEpochDay() - start.toEpochDay();
            BigDecimal tasks = p.tasksPerDay().multiply(factor).multiply(BigDecimal.valueOf(days));
            // tasks a day x the month's days, each day at the prices in force that day (relative to the run's): exact
            months.add(new Month(start, end, tasks, perTask.times(p.tasksPerDay().multiply(factor).multiply(priceChange[m]))));
            factor = factor.multiply(BigDecimal.ONE.add(growth), MathContext.DECIMAL128); // 34 digits: exact enough, and bounded
        }
        return new Scenario(name, assumes, growth, perTask, List.copyOf(months));
    }

    private static BigDecimal firstMonthTasks(Parameters p) {
        LocalDate end = p.start().plusMonths(1);
        return p.tasksPerDay().multiply(BigDecimal.valueOf(end.toEpochDay() - p.start().toEpochDay()));
    }

    /** A growth rate as people write it: {@code 0.08} is {@code 8 %}. */
    public static String percent(BigDecimal fraction) {
        return fraction.movePointRight(2).stripTrailingZeros().toPlainString() + " %";
    }

    public Parameters parameters() {
        return parameters;
    }

    /** The measured costs the projection rests on. */
    public Costs costs() {
        return costs;
    }

    /** The mean cost per task, with its uncertainty. */
    public Band perTask() {
        return perTask;
    }

    /** A day's spend at today's volume. */
    public Band perDay() {
        return perDay;
    }

    /** Base, high growth, low cache hit. */
    public List<Scenario> scenarios() {
        return scenarios;
    }

    public List<Sensitivity> sensitivities() {
        return sensitivities;
    }

    public List<Reprice> reprices() {
        return reprices;
    }

    /** The spend over what finance is unsure of: volume, growth, cache hits, retries, the measurement ({@link Forecast}). */
    public Forecast forecast() {
        return forecast;
    }

    /** What the reader of the projection must know: price changes and retirements inside its horizon. */
    public List<String> warnings() {
        return warnings;
    }

    /** The catalog's name and version. */
    public String catalog() {
        return catalog;
    }
}
