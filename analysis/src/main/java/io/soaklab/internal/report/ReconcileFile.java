package io.soaklab.internal.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.soaklab.internal.analysis.ProviderExport;
import io.soaklab.internal.analysis.ProviderExport.Kind;
import io.soaklab.internal.analysis.Reconciliation;
import io.soaklab.internal.analysis.Reconciliation.Mix;
import io.soaklab.internal.cost.TokenKind;
import io.soaklab.internal.layout.RunFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * {@code soaklab cost --reconcile}'s file and text: {@code reconcile.json} in the run folder (the
 * provider's figures, the measured ones, the projection's, every difference compared and what it
 * says; money as exact decimal strings), and the table it prints. Its field names are the
 * constants below, which {@code results/README.md} documents.
 */
public final class ReconcileFile {

    static final String MODEL = "model";
    static final String PROVIDER = "provider";
    static final String EXPORT_MODELS = "export_models";
    static final String EXPORTS = "exports";
    static final String FILE = "file";
    static final String KIND = "kind";
    static final String START = "start";
    static final String END = "end";
    static final String PAGES = "pages";
    static final String BUCKETS = "buckets";
    static final String USAGE_DAYS = "usage_days";
    static final String COST_DAYS = "cost_days";
    static final String PROVIDER_FIGURES = "provider_figures";
    static final String MEASURED = "measured";
    static final String RUN_ID = "run_id";
    static final String REQUESTS = "requests";
    static final String TOKENS = "tokens";
    static final String CACHE_READ_SHARE = "cache_read_share";
    static final String CACHE_WRITE_SHARE = "cache_write_share";
    static final String INPUT_PER_REQUEST = "input_per_request";
    static final String OUTPUT_PER_REQUEST = "output_per_request";
    static final String COST_USD = "cost_usd";
    static final String COST_BY_KIND_USD = "cost_by_kind_usd";
    static final String COST_PER_REQUEST_USD = "cost_per_request_usd";
    static final String PER_DAY_USD = "per_day_usd";
    static final String BILLED = "billed";
    static final String TOKENS_USD = "tokens_usd";
    static final String BY_KIND_USD = "by_kind_usd";
    static final String OTHER_USD = "other_usd";
    static final String UNASSIGNED_USD = "unassigned_usd";
    static final String ALL_MODELS = "all_models";
    static final String CURRENCY = "currency";
    static final String PROJECTED = "projected";
    static final String TASKS_PER_DAY = "tasks_per_day";
    static final String PER_DAY_P10_USD = "per_day_p10_usd";
    static final String PER_DAY_P90_USD = "per_day_p90_usd";
    static final String DIFFERENCES = "differences";
    static final String FIGURE = "figure";
    static final String THRESHOLD = "threshold";
    static final String FLAGGED = "flagged";
    static final String SAYS = "says";
    static final String NOTES = "notes";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String ROW = "%-36s %18s %18s%n";

    private ReconcileFile() {
    }

    /** Writes {@code reconcile.json} into the run folder; returns where. */
    public static Path write(Reconciliation r) throws IOException {
        Path file = RunFile.RECONCILE.in(r.run().dir());
        Report.replace(file, MAPPER.writeValueAsBytes(json(r)));
        return file;
    }

    static ObjectNode json(Reconciliation r) {
        ObjectNode out = MAPPER.createObjectNode();
        out.put(MODEL, r.model());
        out.put(PROVIDER, r.export().provider().id());
        r.names().forEach(out.putArray(EXPORT_MODELS)::add);
        ArrayNode exports = out.putArray(EXPORTS);
        for (ProviderExport.Part p : r.export().parts()) {
            exports.addObject().put(FILE, p.file().getFileName().toString()).put(KIND, p.kind().name().toLowerCase(Locale.ROOT))
                    .put(START, String.valueOf(p.start())).put(END, String.valueOf(p.end())).put(PAGES, p.pages()).put(BUCKETS, p.buckets());
        }
        out.put(USAGE_DAYS, plain(r.days(Kind.USAGE)));
        out.put(COST_DAYS, plain(r.days(Kind.COST)));
        if (r.provider() != null) {
            ObjectNode theirs = mix(out.putObject(PROVIDER_FIGURES), r.provider());
            theirs.put(COST_USD, plain(r.priced().total()));
            money(theirs.putObject(COST_BY_KIND_USD), r.priced().amounts());
            theirs.put(COST_PER_REQUEST_USD, r.provider().requests() > 0 ? plain(per(r.priced().total(), r.provider().requests())) : null);
            theirs.put(PER_DAY_USD, r.days(Kind.USAGE) == null ? null : plain(r.priced().total().divide(r.days(Kind.USAGE), MathContext.DECIMAL64)));
        } else {
            out.putNull(PROVIDER_FIGURES);
        }
        if (r.bill() != null) {
            Reconciliation.Bill b = r.bill();
            ObjectNode billed = out.putObject(BILLED);
            billed.put(TOKENS_USD, plain(b.tokens()));
            money(billed.putObject(BY_KIND_USD), b.byKind());
            billed.put(OTHER_USD, plain(b.other())).put(UNASSIGNED_USD, plain(b.unassigned())).put(ALL_MODELS, b.allModels()).put(CURRENCY, b.currency());
            billed.put(PER_DAY_USD, b.allModels() || r.days(Kind.COST) == null ? null
                    : plain(b.tokens().add(b.other()).divide(r.days(Kind.COST), MathContext.DECIMAL64)));
        } else {
            out.putNull(BILLED);
        }
        ObjectNode ours = mix(out.putObject(MEASURED), r.measured());
        ours.put(RUN_ID, r.run().manifest().runId());
        ours.put(COST_USD, plain(r.run().costs().total()));
        money(ours.putObject(COST_BY_KIND_USD), r.run().costs().byKind());
        ours.put(COST_PER_REQUEST_USD, r.measured().requests() > 0 ? plain(per(r.run().costs().total(), r.measured().requests())) : null);
        if (r.projection() != null) {
            ObjectNode projected = out.putObject(PROJECTED);
            projected.put(TASKS_PER_DAY, plain(r.projection().parameters().tasksPerDay()));
            projected.put(PER_DAY_USD, plain(r.projection().perDay().p50())).put(PER_DAY_P10_USD, plain(r.projection().perDay().p10()))
                    .put(PER_DAY_P90_USD, plain(r.projection().perDay().p90()));
        } else {
            out.putNull(PROJECTED);
        }
        ArrayNode differences = out.putArray(DIFFERENCES);
        for (Reconciliation.Difference d : r.differences()) {
            differences.addObject().put(FIGURE, d.figure()).put(PROVIDER, d.provider()).put(MEASURED, d.measured()).put(THRESHOLD, d.threshold())
                    .put(FLAGGED, d.flagged()).put(SAYS, d.says());
        }
        r.notes().forEach(out.putArray(NOTES)::add);
        return out;
    }

    private static ObjectNode mix(ObjectNode node, Mix m) {
        if (m.requests() >= 0) {
            node.put(REQUESTS, m.requests());
        } else {
            node.putNull(REQUESTS);
        }
        ObjectNode tokens = node.putObject(TOKENS);
        m.tokens().forEach((k, n) -> tokens.put(k.field(), n));
        number(node, CACHE_READ_SHARE, m.cacheReadShare());
        number(node, CACHE_WRITE_SHARE, m.cacheWriteShare());
        number(node, INPUT_PER_REQUEST, m.inputPerRequest());
        number(node, OUTPUT_PER_REQUEST, m.outputPerRequest());
        return node;
    }

    private static void number(ObjectNode node, String field, double v) {
        if (Double.isNaN(v)) {
            node.putNull(field);
        } else {
            node.put(field, BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_EVEN));
        }
    }

    private static void money(ObjectNode node, Map<TokenKind, BigDecimal> amounts) {
        amounts.forEach((k, a) -> node.put(k.field(), plain(a)));
    }

    private static BigDecimal per(BigDecimal amount, long n) {
        return amount.divide(BigDecimal.valueOf(n), 12, RoundingMode.HALF_EVEN);
    }

    private static String plain(BigDecimal v) {
        return v == null ? null : v.stripTrailingZeros().toPlainString();
    }

    /** The table {@code soaklab cost --reconcile} prints: the figures side by side, then the differences, flagged ones marked {@code !}. */
    public static String text(Reconciliation r) {
        StringBuilder out = new StringBuilder();
        ProviderExport e = r.export();
        Kind main = e.has(Kind.USAGE) ? Kind.USAGE : Kind.COST;
        out.append(String.format(Locale.ROOT, "Reconciliation of %s: the %s, %s to %s UTC (%s days)%s%n", r.model(), e.describe(),
                when(e.start(main)), when(e.end(main)), days(r.days(main)), r.names().isEmpty() ? "" : ", as " + String.join(", ", r.names())));
        row(out, "", "provider", "measured (" + r.run().manifest().runId() + ")");
        Mix theirs = r.provider();
        Mix ours = r.measured();
        if (theirs != null) {
            row(out, "requests (calls)", theirs.requests() < 0 ? "not counted" : count(theirs.requests()), count(ours.requests()));
            row(out, "input tokens", count(theirs.input()), count(ours.input()));
            for (TokenKind k : new TokenKind[] {TokenKind.FRESH_INPUT, TokenKind.CACHE_READ, TokenKind.CACHE_WRITE_5M, TokenKind.CACHE_WRITE_1H}) {
                row(out, "  " + k.label(), count(theirs.tokens().get(k)), count(ours.tokens().get(k)));
            }
            row(out, "output tokens (reasoning included)", count(theirs.output()), count(ours.output()));
            row(out, "cache-read share of input", share(theirs.cacheReadShare()), share(ours.cacheReadShare()));
            row(out, "cache-write share of input", share(theirs.cacheWriteShare()), share(ours.cacheWriteShare()));
            row(out, "input tokens a request", size(theirs.inputPerRequest()), size(ours.inputPerRequest()));
            row(out, "output tokens a request", size(theirs.outputPerRequest()), size(ours.outputPerRequest()));
            row(out, "cost at soaklab's prices", Format.usd(r.priced().total()), Format.usd(r.run().costs().total()));
            row(out, "  a request", theirs.requests() > 0 ? Format.usd(per(r.priced().total(), theirs.requests())) : "-",
                    ours.requests() > 0 ? Format.usd(per(r.run().costs().total(), ours.requests())) : "-");
            row(out, "  a day", r.days(Kind.USAGE) == null ? "-" : Format.usd(r.priced().total().divide(r.days(Kind.USAGE), MathContext.DECIMAL64)), "");
        } else {
            row(out, "requests (calls)", "-", count(ours.requests()));
            row(out, "measured spend", "-", Format.usd(r.run().costs().total()));
        }
        if (r.bill() != null) {
            Reconciliation.Bill b = r.bill();
            if (b.allModels()) {
                row(out, "billed, every model (" + b.currency() + ")", Format.usd(b.unassigned()), "");
            } else {
                row(out, "billed for the tokens (" + b.currency() + ")", Format.usd(b.tokens()), "");
                for (Map.Entry<TokenKind, BigDecimal> k : b.byKind().entrySet()) {
                    row(out, "  " + k.getKey().label(), Format.usd(k.getValue()), Format.usd(r.run().costs().byKind().get(k.getKey())));
                }
                row(out, "billed for the model's other charges", Format.usd(b.other()), "");
                row(out, "billed a day", r.exportPerDay() == null ? "-" : Format.usd(r.exportPerDay()), "");
                if (b.unassigned().signum() > 0) {
                    row(out, "charges that name no model", Format.usd(b.unassigned()), "");
                }
            }
        }
        if (r.projection() != null) {
            row(out, "projected a day (" + r.projection().parameters().tasksPerDay().stripTrailingZeros().toPlainString() + " tasks)", "",
                    Format.usd(r.projection().perDay().p50()));
        }
        out.append(String.format(Locale.ROOT, "%nDifferences (! flagged: cache shares %d points or more apart, sizes, costs and spend %d%% or more,"
                + " the bill %d%% or more from soaklab's prices)%n", Reconciliation.SHARE_POINTS, Math.round(Reconciliation.RATIO * 100),
                Math.round(Reconciliation.PRICES * 100)));
        for (Reconciliation.Difference d : r.differences()) {
            out.append(d.flagged() ? "  ! " : "    ").append(d.says()).append(System.lineSeparator());
        }
        if (r.differences().isEmpty()) {
            out.append("    nothing to compare: the export holds neither tokens nor a bill of the model").append(System.lineSeparator());
        }
        for (String note : r.notes()) {
            out.append("Note: ").append(note).append('.').append(System.lineSeparator());
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String label, String theirs, String ours) {
        out.append(String.format(Locale.ROOT, ROW, label, theirs, ours).stripTrailing()).append(System.lineSeparator());
    }

    private static String count(long n) {
        return Format.count(n);
    }

    private static String share(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    private static String size(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.1f", v);
    }

    private static String when(Instant t) {
        return t == null ? "?" : WHEN.format(t);
    }

    private static String days(BigDecimal days) {
        return days == null ? "0" : days.setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }
}
