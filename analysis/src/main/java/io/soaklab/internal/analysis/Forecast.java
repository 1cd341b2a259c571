package io.soaklab.internal.analysis;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The spend forecast a finance reader can plan with: each month's and the horizon's spend as a
 * distribution over what is uncertain, not only over the measurement. Each of
 * {@value #DRAWS} simulated futures draws the mean cost per task (a bootstrap resample of the
 * measured tasks), the volume and the growth within their ranges, how far a real API's cache hits
 * differ from the measured ones, and how many more calls are retried; the months compound the
 * growth, so the band widens with the horizon. The base figure is the mean; the band is P10 to
 * P90 of the simulated spend. Price versions in force each month apply as in the projection.
 *
 * <pre>{@code
 * Forecast f = projection.forecast();
 * f.total().mean();   // the expected spend over the horizon
 * f.total().p90();    // one future in ten spends more than this
 * }</pre>
 */
public final class Forecast {

    /** Simulated futures. */
    public static final int DRAWS = 4000;
    private static final long SEED = 20261202L;

    /**
     * What finance is unsure of, as ranges; each is drawn uniformly within its range.
     *
     * @param volumeLow        the lowest volume, as a fraction of the given one (0.9: 10 % lower)
     * @param volumeHigh       the highest, likewise
     * @param growthLow        the lowest growth a month (a fraction: 0.05 is 5 %)
     * @param growthHigh       the highest
     * @param cacheSwingPoints how far a real API's cache hits may differ from the measured, in points of the prompt, either way
     * @param retryHigh        the most extra retried calls, per call (0.05: up to 5 more per 100); each re-sends a whole call
     */
    public record Ranges(double volumeLow, double volumeHigh, double growthLow, double growthHigh, double cacheSwingPoints, double retryHigh) {
        public Ranges {
            if (!(volumeLow > 0 && volumeLow <= volumeHigh) || growthLow > growthHigh || growthLow <= -1 || cacheSwingPoints < 0
                    || cacheSwingPoints > 100 || retryHigh < 0) {
                throw new IllegalArgumentException("forecast ranges must be low <= high, volume above zero, growth above -100%,"
                        + " a cache swing of 0 to 100 points and retries not negative");
            }
        }

        /** The given volume and growth exactly, a cache swing of 10 points either way, no more retries than measured. */
        public static Ranges around(double growth) {
            return new Ranges(1, 1, growth, growth, 10, 0);
        }

        /** Nothing uncertain but the measurement: the projection's own band. */
        public static Ranges none(double growth) {
            return new Ranges(1, 1, growth, growth, 0, 0);
        }
    }

    /** An amount's mean and its P10, P50 and P90 over the simulated futures. */
    public record Spread(BigDecimal mean, BigDecimal p10, BigDecimal p50, BigDecimal p90) {
    }

    /** One month: its days, its tasks (the mean over the futures) and its spend. */
    public record Month(LocalDate start, LocalDate end, BigDecimal tasks, Spread spend) {
    }

    private final Ranges ranges;
    private final List<Month> months;
    private final Spread total;

    private Forecast(Ranges ranges, List<Month> months, Spread total) {
        this.ranges = ranges;
        this.months = months;
        this.total = total;
    }

    /**
     * Simulates the futures.
     *
     * @param perTaskMeans bootstrap resample means of the cost per task
     * @param cacheMinus   the cost per task with the swing's points fewer cache hits, relative to the measured (1.2: 20 % more)
     * @param cachePlus    with the swing's points more
     * @param priceChange  each month's cost per task relative to the run's prices
     */
    static Forecast simulate(double[] perTaskMeans, double cacheMinus, double cachePlus, double[] priceChange, Projection.Parameters p,
                             Ranges ranges) {
        int n = p.months();
        double[][] spend = new double[n][DRAWS];
        double[] tasksSum = new double[n];
        double[] totals = new double[DRAWS];
        double volume = p.tasksPerDay().doubleValue();
        SplittableRandom random = new SplittableRandom(SEED);
        for (int d = 0; d < DRAWS; d++) {
            double perTask = perTaskMeans[random.nextInt(perTaskMeans.length)];
            double v = volume * uniform(random, ranges.volumeLow(), ranges.volumeHigh());
            double g = uniform(random, ranges.growthLow(), ranges.growthHigh());
            double swing = uniform(random, -ranges.cacheSwingPoints(), ranges.cacheSwingPoints());
            double reach = ranges.cacheSwingPoints() == 0 ? 1 : swing / ranges.cacheSwingPoints(); // -1..1, between the priced ends
            double cache = 1 + (reach >= 0 ? (cachePlus - 1) * reach : (cacheMinus - 1) * -reach);
            double retries = 1 + uniform(random, 0, ranges.retryHigh());
            double factor = 1;
            for (int m = 0; m < n; m++) {
                LocalDate start = p.start().plusMonths(m);
                long days = start.plusMonths(1).toEpochDay() - start.toEpochDay();
                double tasks = v * factor * days;
                tasksSum[m] += tasks;
                spend[m][d] = tasks * perTask * Math.max(0, cache) * retries * priceChange[m];
                totals[d] += spend[m][d];
                factor *= 1 + g;
            }
        }
        List<Month> months = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            LocalDate start = p.start().plusMonths(m);
            months.add(new Month(start, start.plusMonths(1), BigDecimal.valueOf(tasksSum[m] / DRAWS).setScale(0, RoundingMode.HALF_EVEN),
                    spread(spend[m])));
        }
        Spread total = spread(totals);
        BigDecimal mean = BigDecimal.ZERO; // the months' means in cents, added up: the forecast file's rows add up to it to the cent
        for (Month m : months) {
            mean = mean.add(m.spend().mean());
        }
        return new Forecast(ranges, List.copyOf(months), new Spread(mean, total.p10(), total.p50(), total.p90()));
    }

    private static double uniform(SplittableRandom random, double low, double high) {
        double u = random.nextDouble(); // drawn even for an empty range: every future draws the same sequence
        return low + (high - low) * u;
    }

    private static Spread spread(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Spread(cents(sum / sorted.length), cents(rank(sorted, 10)), cents(rank(sorted, 50)), cents(rank(sorted, 90)));
    }

    private static double rank(double[] sorted, int percent) {
        return sorted[Math.max(0, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }

    private static BigDecimal cents(double amount) {
        return BigDecimal.valueOf(amount).setScale(2, RoundingMode.HALF_EVEN);
    }

    public Ranges ranges() {
        return ranges;
    }

    /** Month by month. */
    public List<Month> months() {
        return months;
    }

    /**
     * The whole horizon: each future's months added up, then the spread over the futures; its mean
     * is the months' means added up (in cents, as they are written).
     */
    public Spread total() {
        return total;
    }

    /** What the band covers, in one sentence. */
    public String covers() {
        List<String> what = new ArrayList<>();
        what.add("the measured cost per task (resampled)");
        if (ranges.volumeHigh() > ranges.volumeLow()) {
            what.add(String.format(java.util.Locale.ROOT, "a volume %+.0f %% to %+.0f %%", 100 * (ranges.volumeLow() - 1), 100 * (ranges.volumeHigh() - 1)));
        }
        if (ranges.growthHigh() > ranges.growthLow()) {
            what.add(String.format(java.util.Locale.ROOT, "growth of %.1f %% to %.1f %% a month", 100 * ranges.growthLow(), 100 * ranges.growthHigh()));
        }
        if (ranges.cacheSwingPoints() > 0) {
            what.add(String.format(java.util.Locale.ROOT, "cache hits up to %.0f points either way", ranges.cacheSwingPoints()));
        }
        if (ranges.retryHigh() > 0) {
            what.add(String.format(java.util.Locale.ROOT, "up to %.0f more retried calls per 100", 100 * ranges.retryHigh()));
        }
        return "P10 to P90 of " + DRAWS + " simulated futures drawing " + String.join(", ", what)
                + "; not covered: a change of model or provider, prices not yet announced, tokenizer differences.";
    }
}
