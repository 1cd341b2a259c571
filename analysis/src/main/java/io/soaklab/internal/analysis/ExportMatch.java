package io.soaklab.internal.analysis;

import io.soaklab.internal.analysis.ProviderExport.CostRow;
import io.soaklab.internal.analysis.ProviderExport.UsageRow;
import io.soaklab.internal.cost.PriceCatalog;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rows of an export that are one model's: its own name, an alias, or a dated snapshot of it
 * ({@code claude-haiku-4-5-20251001} is {@code claude-haiku-4-5}), as the price catalog matches
 * them. An export not grouped by model names none: all its usage is then taken as the model's, and
 * said so; a cost export that names none is every model's bill, and is not compared.
 *
 * @param usage            the model's usage rows
 * @param costs            the model's cost lines
 * @param names            the names the export gave the rows taken
 * @param costsOfAllModels true when the cost lines name no model
 */
record ExportMatch(List<UsageRow> usage, List<CostRow> costs, Set<String> names, boolean costsOfAllModels) {

    /** True when the export's {@code name} is {@code wanted}, by the catalog's matching. */
    static boolean same(PriceCatalog catalog, String name, String wanted) {
        if (name == null) {
            return false;
        }
        if (name.strip().equalsIgnoreCase(wanted.strip())) {
            return true;
        }
        try {
            return catalog.versions(name).get(0).model().equalsIgnoreCase(catalog.versions(wanted).get(0).model());
        } catch (IllegalArgumentException notListed) {
            return false;
        }
    }

    /**
     * The rows of {@code wanted} in {@code export}.
     *
     * @param runsModel true when {@code wanted} is the run's model, not one named on the command line
     * @param notes     what was left out or assumed is added here
     * @throws IllegalArgumentException when the export names models and none of them is {@code wanted}
     */
    static ExportMatch of(ProviderExport export, PriceCatalog catalog, String wanted, boolean runsModel, List<String> notes) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> others = new TreeSet<>();
        List<UsageRow> usage = new ArrayList<>();
        boolean usageNamed = export.usage().stream().anyMatch(r -> r.model() != null);
        int unnamed = 0;
        for (UsageRow r : export.usage()) {
            if (!usageNamed || same(catalog, r.model(), wanted)) {
                usage.add(r);
                if (r.model() != null) {
                    names.add(r.model());
                }
            } else if (r.model() == null) {
                unnamed++;
            } else {
                others.add(r.model());
            }
        }
        if (!export.usage().isEmpty() && !usageNamed) {
            notes.add("the usage export is not grouped by model: all its tokens are taken as " + wanted + "'s");
        }
        if (usageNamed && usage.isEmpty()) {
            throw none(export, "usage", wanted, runsModel, others);
        }
        if (unnamed > 0) {
            notes.add(unnamed + " usage " + (unnamed == 1 ? "result names" : "results name") + " no model, and " + (unnamed == 1 ? "is" : "are") + " left out");
        }
        List<CostRow> costs = new ArrayList<>();
        boolean costsNamed = export.costs().stream().anyMatch(r -> r.model() != null);
        Set<String> otherCosts = new TreeSet<>();
        for (CostRow r : export.costs()) {
            if (same(catalog, r.model(), wanted)) {
                costs.add(r);
                names.add(r.model());
            } else if (r.model() != null) {
                otherCosts.add(r.model());
            }
        }
        if (!export.costs().isEmpty() && !costsNamed) {
            notes.add("the cost export is not grouped by line item (OpenAI) or description (Anthropic): its lines name no model, so its total"
                    + " is every model's and is not compared with " + wanted + "'s tokens");
        } else if (costsNamed && costs.isEmpty()) {
            throw none(export, "charges", wanted, runsModel, otherCosts);
        }
        others.addAll(otherCosts);
        if (!others.isEmpty()) {
            notes.add("other models in the export, left out: " + String.join(", ", others));
        }
        return new ExportMatch(List.copyOf(usage), List.copyOf(costs), names, !export.costs().isEmpty() && !costsNamed);
    }

    private static IllegalArgumentException none(ProviderExport export, String what, String wanted, boolean runsModel, Set<String> names) {
        return new IllegalArgumentException("the " + export.describe() + " " + (export.parts().size() == 1 ? "holds" : "hold") + " no " + what + " of " + wanted
                + (runsModel ? " (the run's priced model)" : "") + "; it names " + String.join(", ", names)
                + (runsModel ? ": name the one production uses with --reconcile-model" : ""));
    }
}
