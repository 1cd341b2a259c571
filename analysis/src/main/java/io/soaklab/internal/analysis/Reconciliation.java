package io.soaklab.internal.analysis;

import io.soaklab.internal.analysis.ProviderExport.Kind;
import io.soaklab.internal.analysis.ProviderExport.UsageRow;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.TokenKind;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A provider's own account of a model's usage and bill, set beside what the run measured and what
 * the projection says: the provider's requests and tokens by kind, their mix (how much of the input
 * was read from or written to the cache, input and output per request), those tokens priced by
 * soaklab's catalog under the one billing rule ({@link io.soaklab.internal.cost.Tariff}), what the provider billed, and the
 * differences that matter said in words, each against a stated threshold.
 *
 * <p>The export's rows are the model's: the run's priced model by default, or the model named
 * (as the export spells it: a fine-tune, a deployment) when the run's is not the one production
 * uses. A dated snapshot ({@code gpt-5.4-mini-2026-03-17}) is the model. Each row is priced at the
 * catalog's prices in force on its bucket's day, under the tier the export names ({@code batch},
 * {@code flex}, {@code priority}), else the run's; Anthropic's {@code 200k-1M} context window at the
 * long tier.
 *
 * <pre>{@code
 * Reconciliation r = Reconciliation.of(run, ProviderExport.read(files), null, projection);   // projection: null without --volume
 * r.differences().stream().filter(Reconciliation.Difference::flagged).forEach(d -> System.out.println(d.says()));
 * }</pre>
 */
public final class Reconciliation {

    /** Cache shares this many points apart are flagged. */
    public static final int SHARE_POINTS = 10;
    /** Sizes, costs per request and spend a day this far apart (a fraction of the measured) are flagged. */
    public static final double RATIO = 0.25;
    /** A bill this far from soaklab's prices for the same tokens (a fraction) is flagged. */
    public static final double PRICES = 0.02;

    /**
     * Requests and tokens by kind, and the mix they make.
     *
     * @param requests requests (calls), or -1 where they were not counted
     * @param tokens   tokens by kind; output includes reasoning wherever it is compared (no export splits it off)
     */
    public record Mix(long requests, Map<TokenKind, Long> tokens) {
        public Mix {
            Map<TokenKind, Long> all = new EnumMap<>(TokenKind.class);
            for (TokenKind k : TokenKind.values()) {
                all.put(k, tokens.getOrDefault(k, 0L));
            }
            tokens = Collections.unmodifiableMap(all);
        }

        /** Input tokens: fresh, read from and written to the cache. */
        public long input() {
            return tokens.get(TokenKind.FRESH_INPUT) + tokens.get(TokenKind.CACHE_READ) + writes();
        }

        /** Cache writes of both lifetimes. */
        public long writes() {
            return tokens.get(TokenKind.CACHE_WRITE_5M) + tokens.get(TokenKind.CACHE_WRITE_1H);
        }

        /** Output tokens, reasoning included. */
        public long output() {
            return tokens.get(TokenKind.OUTPUT) + tokens.get(TokenKind.REASONING);
        }

        /** Cache reads as a fraction of the input; NaN without input. */
        public double cacheReadShare() {
            return input() == 0 ? Double.NaN : (double) tokens.get(TokenKind.CACHE_READ) / input();
        }

        /** Cache writes as a fraction of the input; NaN without input. */
        public double cacheWriteShare() {
            return input() == 0 ? Double.NaN : (double) writes() / input();
        }

        /** Input tokens a request; NaN when requests were not counted. */
        public double inputPerRequest() {
            return requests > 0 ? (double) input() / requests : Double.NaN;
        }

        /** Output tokens a request; NaN when requests were not counted. */
        public double outputPerRequest() {
            return requests > 0 ? (double) output() / requests : Double.NaN;
        }
    }

    /**
     * One figure on both sides, and what its difference means.
     *
     * @param figure    its name in {@code reconcile.json}: {@code cache_read_share}, {@code output_per_request}...
     * @param provider  the provider's value (fractions for shares, dollars for money)
     * @param measured  the run's, or the projection's
     * @param threshold from how far apart it is flagged, in words
     * @param flagged   whether it is that far apart
     * @param says      the difference in words
     */
    public record Difference(String figure, double provider, double measured, String threshold, boolean flagged, String says) {
    }

    /**
     * What a provider billed, from a cost export.
     *
     * @param tokens     what the model's token lines add up to
     * @param byKind     the same by kind of token
     * @param other      the model's other lines (web search, code execution...)
     * @param unassigned lines that name no model: with {@code allModels}, the whole export
     * @param allModels  true when no line names a model (an export not grouped by line item or description): the bill is
     *                   every model's, and is not compared with the model's tokens
     * @param currency   the export's currency
     */
    public record Bill(BigDecimal tokens, Map<TokenKind, BigDecimal> byKind, BigDecimal other, BigDecimal unassigned, boolean allModels,
                       String currency) {
    }

    private final RunData run;
    private final ProviderExport export;
    private final String model;
    private final Set<String> names;
    private final Mix provider;
    private final Cost priced;
    private final Bill bill;
    private final Mix measured;
    private final Projection projection;
    private final List<Difference> differences = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private Reconciliation(RunData run, ProviderExport export, String model, Set<String> names, Mix provider, Cost priced, Bill bill,
                           Mix measured, Projection projection, List<String> notes) {
        this.run = run;
        this.export = export;
        this.model = model;
        this.names = names;
        this.provider = provider;
        this.priced = priced;
        this.bill = bill;
        this.measured = measured;
        this.projection = projection;
        this.notes.addAll(notes);
    }

    /**
     * Sets {@code export} beside {@code run}.
     *
     * @param model      the model as the export names it, or null for the run's priced model
     * @param projection the projection at the volume asked for, or null when none was
     * @throws IllegalArgumentException when the run is not priced, or the export holds nothing of the model
     */
    public static Reconciliation of(RunData run, ProviderExport export, String model, Projection projection) {
        Costs costs = run.costs();
        if (costs == null) {
            throw new IllegalArgumentException("run " + run.dir() + " is not priced (" + String.join("; ", run.notes()) + "): nothing to reconcile");
        }
        PriceCatalog catalog = run.catalog();
        String runModel = costs.tariff().price().model();
        String wanted = model == null ? runModel : model;
        List<String> notes = new ArrayList<>();
        String pricedAs = runModel;
        if (model != null && !ExportMatch.same(catalog, model, runModel)) {
            try {
                pricedAs = catalog.versions(model).get(0).model();
            } catch (IllegalArgumentException notListed) {
                notes.add(model + " is not in the price catalog: its tokens are priced at the run's model's prices (" + runModel + ")");
            }
        }
        ExportMatch match = ExportMatch.of(export, catalog, wanted, model == null, notes);
        Mix measured = new Mix(costs.byStep().values().stream().mapToLong(Costs.StepCost::calls).sum(), costs.tokensByKind());
        Mix provider = null;
        Cost priced = null;
        if (export.has(Kind.USAGE)) {
            long requests = 0;
            Map<TokenKind, Long> tokens = new EnumMap<>(TokenKind.class);
            for (UsageRow row : match.usage()) {
                requests = row.requests() < 0 || requests < 0 ? -1 : requests + row.requests();
                row.tokens().forEach((k, n) -> tokens.merge(k, n, Long::sum));
            }
            provider = new Mix(requests, tokens);
            priced = ExportPricing.price(match.usage(), catalog, pricedAs, costs.tariff().billing(), notes);
        }
        Bill bill = export.has(Kind.COST) ? ExportPricing.bill(match, export) : null;
        Reconciliation r = new Reconciliation(run, export, pricedAs, match.names(), provider, priced, bill, measured, projection, notes);
        r.compare();
        return r;
    }

    /** The differences, each said in words against its threshold. */
    private void compare() {
        if (provider != null && provider.input() > 0 && measured.input() > 0) {
            share("cache_read_share", "cache-read", provider.cacheReadShare(), measured.cacheReadShare(),
                    "the projection assumes more cache hits than production gets",
                    "production gets more cache hits than the run measured, and the projection overstates input cost");
            share("cache_write_share", "cache-write", provider.cacheWriteShare(), measured.cacheWriteShare(),
                    "the run wrote more of its prompts to the cache than production does: the projection prices more cache writes than production pays for",
                    "production writes more of its prompts to the cache than the run did: the projection prices fewer cache writes than production pays for");
        }
        if (provider != null && provider.requests() > 0 && measured.requests() > 0) {
            size("input_per_request", "input", provider.inputPerRequest(), measured.inputPerRequest(), "input cost");
            size("output_per_request", "output", provider.outputPerRequest(), measured.outputPerRequest(), "output cost");
            double perRequest = priced.total().doubleValue() / provider.requests();
            double perCall = run.costs().total().doubleValue() / measured.requests();
            ratio("cost_per_request", perRequest, perCall, "a production request costs " + Cost.format(BigDecimal.valueOf(perRequest))
                    + " at soaklab's prices against " + Cost.format(BigDecimal.valueOf(perCall)) + " a measured call",
                    "the projection's cost per task is too high for production's requests", "the projection's cost per task is too low for production's requests");
        }
        if (bill != null && priced != null && !bill.allModels() && priced.total().signum() > 0) {
            double off = bill.tokens().doubleValue() / priced.total().doubleValue() - 1;
            boolean flagged = Math.abs(off) >= PRICES;
            differences.add(new Difference("billed_vs_priced", bill.tokens().doubleValue(), priced.total().doubleValue(),
                    percent(PRICES) + " apart", flagged, "the provider billed " + Cost.format(bill.tokens()) + " for these tokens; soaklab's catalog"
                    + " prices them at " + Cost.format(priced.total()) + " (" + signed(off) + ")" + (flagged ? ": the catalog's prices are not what the"
                    + " provider bills (a discount, a price change, a tier the export does not name), and the projection is priced like the catalog"
                    : ": within " + percent(PRICES))));
        }
        if (bill != null && !bill.allModels() && bill.tokens().signum() > 0 && run.costs().total().signum() > 0) {
            for (TokenKind k : TokenKind.values()) {
                double billed = bill.byKind().getOrDefault(k, BigDecimal.ZERO).doubleValue() / bill.tokens().doubleValue();
                double spent = run.costs().byKind().getOrDefault(k, BigDecimal.ZERO).doubleValue() / run.costs().total().doubleValue();
                if (billed > 0 || spent > 0) {
                    boolean flagged = Math.abs(billed - spent) * 100 >= SHARE_POINTS;
                    differences.add(new Difference("bill_share_" + k.field(), billed, spent, SHARE_POINTS + " points apart", flagged,
                            k.label() + ": " + whole(billed) + " of the provider's bill against " + whole(spent) + " of the measured spend"
                                    + (flagged ? "" : ": within " + SHARE_POINTS + " points")));
                }
            }
        }
        BigDecimal perDay = exportPerDay();
        if (projection != null && perDay != null) {
            BigDecimal projected = projection.perDay().p50();
            ratio("spend_per_day", perDay.doubleValue(), projected.doubleValue(), "the export spends " + Cost.format(perDay) + " a day against "
                    + Cost.format(projected) + " projected at " + projection.parameters().tasksPerDay().stripTrailingZeros().toPlainString()
                    + " tasks a day", "the volume or the measured cost per task the projection rests on is too high for production",
                    "the volume or the measured cost per task the projection rests on is too low for production");
        }
    }

    private void share(String figure, String name, double theirs, double ours, String lower, String higher) {
        boolean flagged = Math.abs(theirs - ours) * 100 >= SHARE_POINTS;
        differences.add(new Difference(figure, theirs, ours, SHARE_POINTS + " points apart", flagged, "the provider's " + name + " share is "
                + whole(theirs) + " against " + whole(ours) + " measured: " + (!flagged ? "within " + SHARE_POINTS + " points" : theirs < ours ? lower : higher)));
    }

    private void size(String figure, String kind, double theirs, double ours, String what) {
        ratio(figure, theirs, ours, "production's requests average " + String.format(Locale.ROOT, "%,.0f", theirs) + " " + kind + " tokens against "
                + String.format(Locale.ROOT, "%,.0f", ours) + " measured", "the projection overstates " + what, "the projection understates " + what);
    }

    private void ratio(String figure, double theirs, double ours, String said, String lower, String higher) {
        double off = theirs / ours - 1;
        boolean flagged = Math.abs(off) >= RATIO;
        differences.add(new Difference(figure, theirs, ours, percent(RATIO) + " apart", flagged, said + " (" + signed(off) + "): "
                + (!flagged ? "within " + percent(RATIO) : off < 0 ? lower : higher)));
    }

    private static String whole(double fraction) {
        return Math.round(fraction * 100) + "%";
    }

    private static String signed(double fraction) {
        return (fraction >= 0 ? "+" : "") + Math.round(fraction * 100) + "%";
    }

    private static String percent(double fraction) {
        return Math.round(fraction * 100) + "%";
    }

    /** Days covered by the export's buckets of this kind (bucket ends less starts), or null without buckets. */
    public BigDecimal days(Kind kind) {
        Instant start = export.start(kind);
        Instant end = export.end(kind);
        if (start == null || !end.isAfter(start)) {
            return null;
        }
        return BigDecimal.valueOf(Duration.between(start, end).toSeconds()).divide(BigDecimal.valueOf(86_400), MathContext.DECIMAL64);
    }

    /** The export's spend a day: what was billed when a cost export names the model, else its tokens at soaklab's prices; or null. */
    public BigDecimal exportPerDay() {
        if (bill != null && !bill.allModels() && days(Kind.COST) != null) {
            return bill.tokens().add(bill.other()).divide(days(Kind.COST), MathContext.DECIMAL64);
        }
        if (priced != null && days(Kind.USAGE) != null) {
            return priced.total().divide(days(Kind.USAGE), MathContext.DECIMAL64);
        }
        return null;
    }

    /** The run set beside the export. */
    public RunData run() {
        return run;
    }

    public ProviderExport export() {
        return export;
    }

    /** The catalog model the provider's tokens are priced as. */
    public String model() {
        return model;
    }

    /** The model names of the export's rows that were taken (snapshots, a fine-tune...); empty when the export names none. */
    public Set<String> names() {
        return names;
    }

    /** The provider's requests and tokens, or null without a usage export. */
    public Mix provider() {
        return provider;
    }

    /** The provider's tokens at soaklab's prices (by kind; the rows that could not be priced left out), or null without a usage export. */
    public Cost priced() {
        return priced;
    }

    /** What the provider billed, or null without a cost export. */
    public Bill bill() {
        return bill;
    }

    /** The run's measured calls (those with usage) and their tokens. */
    public Mix measured() {
        return measured;
    }

    /** The projection at the volume asked for, or null. */
    public Projection projection() {
        return projection;
    }

    /** Every figure compared, flagged or not, in a stable order. */
    public List<Difference> differences() {
        return Collections.unmodifiableList(differences);
    }

    /** What the reader must know: rows left out, tokens not priced, models assumed. */
    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }
}
