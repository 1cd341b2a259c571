package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.Forecast;
import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.cost.ModelPrice;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;

/**
 * The report's first screen for a finance reader: what a task costs as measured, what a day and
 * a month cost at the volume {@code soaklab cost} was given (with the band and what it covers),
 * the three changes that move the bill most, and the caveats, before the engineering sections.
 */
final class FinanceSummary {

    private FinanceSummary() {
    }

    static void write(Page page) {
        Costs costs = page.run.costs();
        if (costs == null) {
            return;
        }
        ModelPrice price = costs.tariff().price();
        Costs.Distribution task = costs.perTask();
        page.out.append("<h2>Spend, for finance</h2>\n<table class=\"finance\"><tbody>\n");
        page.row("priced as", price.model() + " (" + price.provider() + "), prices of " + price.effective() + ", " + costs.tariff().billing()
                + " billing");
        if (task.count() > 0) {
            page.row("a task, as measured", Format.usd(task.mean()) + " on average (half under " + Format.usd(task.p50()) + ", one in ten over "
                    + Format.usd(task.p90()) + "), over " + Format.count(task.count(), "task") + ", retries and failures included");
        }
        page.row("measured spend", Format.usd(costs.total()) + " in the measured windows"
                + (costs.warmup().signum() > 0 ? "; the warmup cost " + Format.usd(costs.warmup()) + " more, not counted here" : ""));
        Projection p = page.projection;
        if (p != null) {
            Forecast f = p.forecast();
            Forecast.Month first = f.months().get(0);
            page.row("a day at " + Format.count(p.parameters().tasksPerDay().longValue()) + " tasks", Format.usd(p.perDay().p50())
                    + " (P10 " + Format.usd(p.perDay().p10()) + ", P90 " + Format.usd(p.perDay().p90()) + " of the measured cost per task)");
            page.row("the first month, " + first.start().toString().substring(0, 7), Format.usd(first.spend().mean()) + " expected (P10 "
                    + Format.usd(first.spend().p10()) + ", P90 " + Format.usd(first.spend().p90()) + ")");
            page.row(f.months().size() + " months", Format.usd(f.total().mean()) + " expected (P10 " + Format.usd(f.total().p10()) + ", P90 "
                    + Format.usd(f.total().p90()) + "), growth " + Projection.percent(p.parameters().growthPerMonth()) + " a month");
            List<Projection.Sensitivity> largest = p.sensitivities().stream()
                    .sorted(Comparator.comparing((Projection.Sensitivity s) -> s.difference().abs()).reversed()).limit(3).toList();
            StringBuilder moves = new StringBuilder();
            for (Projection.Sensitivity s : largest) {
                moves.append(moves.length() == 0 ? "" : "; ").append(s.change()).append(": ").append(s.difference().signum() >= 0 ? "+" : "")
                        .append(Format.usd(s.difference())).append(" in the first month");
            }
            page.row("what moves it most", moves.toString());
            page.row("what the band covers", f.covers());
        } else {
            page.row("a day, a month", "run soaklab cost " + page.run.dir().getFileName() + " --volume TASKS/day for spend per day and month");
        }
        page.out.append("</tbody></table>\n");
        StringBuilder caveats = new StringBuilder();
        if (page.config.target().embedded()) {
            caveats.append("The endpoint was soaklab's embedded simulator: token counts and cache hits are its model of an API, not a provider's bill. ");
        }
        if (task.count() > 0 && task.count() < 30) {
            caveats.append("Only ").append(Format.count(task.count(), "task")).append(" measured: the band is rough; run longer. ");
        }
        if (p != null) {
            p.warnings().forEach(w -> caveats.append(w).append(". "));
        }
        if (caveats.length() > 0) {
            page.out.append("<p class=\"status warn\">").append(Page.e(caveats.toString().strip())).append("</p>\n");
        }
    }
}
