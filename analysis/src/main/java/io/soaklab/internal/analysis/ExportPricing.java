package io.soaklab.internal.analysis;

import io.soaklab.internal.analysis.ProviderExport.CostRow;
import io.soaklab.internal.analysis.ProviderExport.UsageRow;
import io.soaklab.internal.cost.Billing;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.internal.cost.TokenKind;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An export's rows in money: its usage at soaklab's prices, by the one billing rule
 * ({@link Tariff#cost(Map, boolean)}), and its cost lines added up into the model's bill.
 */
final class ExportPricing {

    private ExportPricing() {
    }

    /** Each row at the catalog's prices on its day, under the tier it names; rows that cannot be priced are said, and left out. */
    static Cost price(List<UsageRow> rows, PriceCatalog catalog, String model, Billing runBilling, List<String> notes) {
        Map<TokenKind, Long> tokens = new EnumMap<>(TokenKind.class);
        Map<TokenKind, BigDecimal> amounts = new EnumMap<>(TokenKind.class);
        BigDecimal total = BigDecimal.ZERO;
        Set<String> unpriced = new LinkedHashSet<>();
        long audio = 0;
        for (UsageRow row : rows) {
            audio += row.audioTokens();
            Cost c;
            try {
                Billing billing = tier(row.tier(), runBilling);
                Tariff tariff = catalog.tariff(model, billing, row.start().atZone(ZoneOffset.UTC).toLocalDate());
                c = tariff.cost(row.tokens(), row.longContext());
            } catch (IllegalArgumentException e) {
                unpriced.add(e.getMessage());
                continue;
            }
            c.tokens().forEach((k, n) -> tokens.merge(k, n, Long::sum));
            c.amounts().forEach((k, a) -> amounts.merge(k, a, BigDecimal::add));
            total = total.add(c.total());
        }
        unpriced.forEach(why -> notes.add("not priced, and left out of the cost at soaklab's prices: " + why));
        if (audio > 0) {
            notes.add(audio + " audio tokens were reported: the catalog prices text tokens only, and input_tokens and output_tokens are priced"
                    + " as they are");
        }
        return new Cost(tokens, amounts, total, false, false);
    }

    /** The billing a row's tier means: the run's regional uplift, at the tier the export names (else the run's). */
    static Billing tier(String tier, Billing run) {
        if (tier == null) {
            return run;
        }
        Billing.Tier t = switch (tier.toLowerCase(Locale.ROOT)) {
            case "standard", "default", "auto" -> Billing.Tier.STANDARD;
            case "batch" -> Billing.Tier.BATCH;
            case "flex", "flex_discount" -> Billing.Tier.FLEX;
            case "priority", "priority_on_demand" -> Billing.Tier.PRIORITY;
            default -> throw new IllegalArgumentException("service tier '" + tier + "' has no prices in the catalog");
        };
        return new Billing(t, run.regional());
    }

    static Reconciliation.Bill bill(ExportMatch match, ProviderExport export) {
        Map<TokenKind, BigDecimal> byKind = new EnumMap<>(TokenKind.class);
        BigDecimal tokens = BigDecimal.ZERO;
        BigDecimal other = BigDecimal.ZERO;
        BigDecimal unassigned = BigDecimal.ZERO;
        for (CostRow row : match.costs()) {
            if (row.kind() != null) {
                byKind.merge(row.kind(), row.amount(), BigDecimal::add);
                tokens = tokens.add(row.amount());
            } else {
                other = other.add(row.amount());
            }
        }
        for (CostRow row : export.costs()) {
            if (row.model() == null) {
                unassigned = unassigned.add(row.amount());
            }
        }
        Set<String> currencies = new LinkedHashSet<>();
        export.costs().forEach(c -> currencies.add(c.currency()));
        return new Reconciliation.Bill(tokens, Collections.unmodifiableMap(byKind), other, unassigned, match.costsOfAllModels(), String.join("+", currencies));
    }
}
