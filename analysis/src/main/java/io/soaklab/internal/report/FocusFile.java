package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.cost.Billing;
import io.soaklab.internal.cost.ModelPrice;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Rates;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.internal.cost.TokenKind;
import io.soaklab.internal.layout.RunFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * {@code focus.csv}: the spend a run measured, as FOCUS 1.2 cost and usage rows a FinOps tool
 * takes: one row per hour (UTC), role, kind of token and price tier, with every column FOCUS makes
 * mandatory, and the conditional ones that apply (SKU, unit prices, quantities, tags: run, scenario,
 * endpoint and role). A call falls in the hour it was sent in. Measured spend only: a projection is
 * not a charge incurred and lives in {@code forecast.csv}. The rows'
 * {@code BilledCost} add up to the run's measured spend exactly.
 *
 * <p>What the lab can say and a provider's bill would: {@code ListCost} at soaklab's list prices
 * (where the model is listed), {@code ContractedCost} and {@code BilledCost} at the prices the run
 * was priced with (one's own {@code --prices}, negotiated, or the list's); the billing account is
 * the run, since nothing here was invoiced.
 */
public final class FocusFile {

    /** The file's name in a run folder. */
    public static final String NAME = RunFile.FOCUS.fileName();

    /** FOCUS 1.2's mandatory columns, then the conditional and recommended ones soaklab fills. */
    static final List<String> COLUMNS = List.of(
            "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
            "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost",
            "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
            "ServiceCategory", "ServiceName",
            "ChargeFrequency", "ConsumedQuantity", "ConsumedUnit", "ContractedUnitPrice", "ListUnitPrice", "PricingCategory",
            "ServiceSubcategory", "SkuId", "SkuPriceId", "Tags");

    /** FOCUS date-times: UTC, to the second, with a Z. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private FocusFile() {
    }

    /**
     * Writes {@code focus.csv} into the run's folder.
     *
     * @return the sum of the rows' BilledCost: the run's measured spend
     * @throws IllegalArgumentException when the run is not priced
     */
    public static BigDecimal write(RunData run) throws IOException {
        Costs costs = run.costs();
        if (costs == null) {
            throw new IllegalArgumentException("run " + run.dir() + " is not priced: no spend to export");
        }
        Tariff tariff = costs.tariff();
        ModelPrice price = tariff.price();
        Tariff list = listTariff(price.model(), tariff.billing(), RunData.runDay(run.manifest()));
        String provider = providerName(price.provider());
        String runId = run.manifest().runId();
        CsvRows csv = new CsvRows(COLUMNS);
        BigDecimal billed = BigDecimal.ZERO;
        for (Map.Entry<Costs.Charge, Costs.ChargeSum> row : costs.charges().entrySet()) {
            Costs.Charge k = row.getKey();
            long n = row.getValue().tokens();
            BigDecimal amount = row.getValue().amount();
            billed = billed.add(amount);
            BigDecimal unit = rates(tariff, k.longTier()).of(k.kind());
            BigDecimal listUnit = list == null ? unit : rates(list, k.longTier()).of(k.kind());
            BigDecimal quantity = BigDecimal.valueOf(n).divide(MILLION).stripTrailingZeros();
            ZonedDateTime hour = Instant.ofEpochMilli(k.hourMillis()).atZone(ZoneOffset.UTC);
            ZonedDateTime month = hour.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
            String sku = price.model() + ":" + k.kind().field() + (k.longTier() ? ":long-context" : "");
            csv.row().cell(plain(amount)).cell(runId).cell("soaklab run " + runId + " (measured, not invoiced)").cell(price.currency())
                    .cell(TIME.format(month.plusMonths(1))).cell(TIME.format(month))
                    .cell("Usage").cell(null).cell(k.kind().label() + " of " + price.model() + ", " + tariff.billing() + " billing"
                            + (k.longTier() ? ", long-context tier" : ""))
                    .cell(TIME.format(hour.plusHours(1))).cell(TIME.format(hour)).cell(plain(amount))
                    .cell(plain(amount)).cell(provider).cell(plain(listUnit.multiply(quantity))).cell(quantity.toPlainString()).cell("1M Tokens")
                    .cell(provider).cell(provider).cell("AI and Machine Learning").cell(provider + " " + price.model())
                    .cell("Usage-Based").cell(Long.toString(n)).cell("Tokens").cell(plain(unit)).cell(plain(listUnit)).cell("Standard")
                    .cell("Generative AI").cell(sku).cell(sku + "@" + price.effective() + ":" + tariff.billing()).cell(tags(run, k.role()));
        }
        Report.replace(RunFile.FOCUS.in(run.dir()), csv.bytes());
        return billed;
    }

    /** The same model's tariff at soaklab's list prices in force on {@code day}, or null when the list does not hold it. */
    private static Tariff listTariff(String model, Billing billing, java.time.LocalDate day) {
        try {
            return PriceCatalog.builtIn().tariff(model, billing, day);
        } catch (IllegalArgumentException notListed) {
            return null;
        }
    }

    private static Rates rates(Tariff tariff, boolean longTier) {
        return longTier && tariff.longRates() != null ? tariff.longRates() : tariff.rates();
    }

    private static String providerName(String provider) {
        return switch (provider) {
            case "openai" -> "OpenAI";
            case "anthropic" -> "Anthropic";
            case "google" -> "Google";
            default -> provider;
        };
    }

    /** FOCUS tags: a JSON object of the run, its scenario, its endpoint and the call's role. */
    private static String tags(RunData run, String role) {
        var config = run.manifest().config();
        var tags = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        tags.put("soaklab_run", run.manifest().runId()).put("scenario", config.workload().scenarioName())
                .put("endpoint", config.target().embedded() ? "embedded" : config.target().endpoint().getHost()).put("role", role);
        return tags.toString();
    }

    private static String plain(BigDecimal v) {
        return v.stripTrailingZeros().toPlainString();
    }
}
