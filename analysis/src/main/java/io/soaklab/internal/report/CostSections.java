package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.cost.ModelPrice;
import io.soaklab.internal.cost.Rates;
import io.soaklab.internal.cost.TokenKind;
import java.math.BigDecimal;

/** What the run cost, and what it would cost as it grows. */
final class CostSections {

    private CostSections() {
    }

    static void cost(Page page) {
        Costs costs = page.run.costs();
        if (costs == null) {
            return;
        }
        ModelPrice price = costs.tariff().price();
        Costs.Distribution task = costs.perTask();
        page.out.append("<h2>What it cost</h2>\n<p class=\"lead\">The measured calls cost <b>").append(Format.usd(costs.total()))
                .append("</b> at ").append(Page.e(price.model())).append("'s list prices (").append(Page.e(price.currency())).append(", effective ")
                .append(Page.e(price.effective())).append(", ").append(Page.e(costs.tariff().billing())).append(" billing; catalog ")
                .append(Page.e(page.run.catalog().describe())).append(").");
        if (task.count() > 0) {
            page.out.append(" One task (an episode, every attempt included) cost ").append(Format.usd(task.mean())).append(" on average; half cost under ")
                    .append(Format.usd(task.p50())).append(", one in ten over ").append(Format.usd(task.p90())).append(". ");
            page.out.append(costs.successfulTasks() == task.count() ? "Every task succeeded."
                    : costs.perSuccessfulTask() == null ? "No task succeeded: everything it cost bought nothing."
                    : "Counting what failed tasks cost too, one successful task cost " + Format.usd(costs.perSuccessfulTask()) + ".");
        }
        page.out.append("</p>\n<table><thead><tr><th>kind of token</th><th>tokens</th><th>price per million</th><th>cost</th><th>share</th></tr></thead><tbody>\n");
        Rates rates = costs.tariff().rates(); // what this billing charges, batch or priority included
        for (TokenKind k : TokenKind.values()) {
            long tokens = costs.tokensByKind().get(k);
            if (tokens == 0) {
                continue;
            }
            BigDecimal amount = costs.byKind().get(k);
            page.out.append("<tr><td>").append(Page.e(k.label())).append("</td><td>").append(Format.count(tokens)).append("</td><td>")
                    .append(Format.usd(rates.of(k))).append("</td><td>").append(Format.usd(amount)).append("</td><td>")
                    .append(costs.total().signum() == 0 ? "-" : Format.percent(amount.doubleValue() / costs.total().doubleValue()))
                    .append("</td></tr>\n");
        }
        page.out.append("</tbody></table>\n<table><tbody>\n");
        if (costs.failedTasks().signum() > 0) {
            page.row("failed tasks cost", Format.usd(costs.failedTasks()) + " (paid, and nothing to show for it)");
        }
        if (costs.retried().signum() > 0) {
            page.row("retried attempts cost", Format.usd(costs.retried()) + " (paid for attempts whose result nobody used)");
        }
        if (costs.estimated().signum() > 0) {
            page.row("resting on local token counts", Format.usd(costs.estimated()) + " (the server reported no usage for those calls)");
        }
        if (costs.byRole().size() > 1) {
            StringBuilder roles = new StringBuilder();
            costs.byRole().forEach((role, amount) -> roles.append(roles.length() == 0 ? "" : ", ").append(role).append(" ").append(Format.usd(amount)));
            page.row("by role", roles.toString());
        }
        if (costs.longTierCalls() > 0) {
            page.row("long-context calls", Format.count(costs.longTierCalls()) + " billed at the long-context tier");
        }
        page.row("prices", price.model() + " " + rates.input().stripTrailingZeros().toPlainString() + " in / "
                + rates.cachedInput().stripTrailingZeros().toPlainString() + " cached / " + rates.output().stripTrailingZeros().toPlainString()
                + " out per million tokens (" + costs.tariff().billing() + (costs.longTierCalls() > 0 ? "; long-context calls at the long tier's" : "")
                + "); source: " + price.source());
        page.out.append("</tbody></table>\n");
        for (Charts.Chart chart : page.costCharts) {
            page.figure(chart);
        }
        projection(page);
    }

    static void projection(Page page) {
        if (page.projection == null) {
            page.out.append("<p class=\"dim\">").append(page.projectionProblem == null
                    ? "For spend at your volume, month by month: <code>soaklab cost " + Page.e(page.run.dir()) + " --volume 20000/day</code>."
                    : "The projection could not be made again: " + Page.e(page.projectionProblem)).append("</p>\n");
            return;
        }
        Projection p = page.projection;
        Projection.Scenario base = p.scenarios().get(0);
        page.out.append("<h3>Projection</h3>\n<p>At ").append(Format.count(p.parameters().tasksPerDay().longValue()))
                .append(" tasks a day, a day costs ").append(Format.usd(p.perDay().p50())).append(" (between ")
                .append(Format.usd(p.perDay().p10())).append(" and ").append(Format.usd(p.perDay().p90()))
                .append(", P10 to P90 of the mean cost per task, resampled); over ").append(p.parameters().months()).append(" months the base scenario totals ")
                .append(Format.usd(base.total(Projection.Band::p50))).append(".</p>\n")
                .append("<table><thead><tr><th>scenario</th><th>assumes</th><th>first month (P50 of the mean)</th><th>last month (P10 / P50 / P90 of the mean)</th><th>total (P50 of the mean)</th></tr></thead><tbody>\n");
        for (Projection.Scenario s : p.scenarios()) {
            Projection.Month last = s.months().get(s.months().size() - 1);
            page.out.append("<tr><td>").append(Page.e(s.name())).append("</td><td>").append(Page.e(s.assumes())).append("</td><td>")
                    .append(Format.usd(s.months().get(0).spend().p50())).append("</td><td>").append(Format.usd(last.spend().p10()))
                    .append(" / ").append(Format.usd(last.spend().p50())).append(" / ").append(Format.usd(last.spend().p90()))
                    .append("</td><td>").append(Format.usd(s.total(Projection.Band::p50))).append("</td></tr>\n");
        }
        page.out.append("</tbody></table>\n<table><thead><tr><th>if this changes</th><th>first month (tasks × the mean cost per task)</th><th>difference</th></tr></thead><tbody>\n");
        for (Projection.Sensitivity s : p.sensitivities()) {
            page.out.append("<tr><td>").append(Page.e(s.change())).append("</td><td>").append(Format.usd(s.firstMonth())).append("</td><td>")
                    .append(s.difference().signum() >= 0 ? "+" : "").append(Format.usd(s.difference())).append("</td></tr>\n");
        }
        page.out.append("</tbody></table>\n");
        if (!p.reprices().isEmpty()) {
            page.out.append("<p>The same work at other models' prices, each provider's caching rule applied. Another model's behaviour ")
                    .append("would change the token counts too.</p>\n<table><thead><tr><th>model</th><th>per task</th><th>first month (P10 / P50 / P90)</th>")
                    .append("<th>what to know</th></tr></thead><tbody>\n");
            for (Projection.Reprice r : p.reprices()) {
                page.out.append("<tr><td>").append(Page.e(r.prices())).append("</td><td>").append(Format.usd(r.perTask())).append("</td><td>")
                        .append(Format.usd(r.firstMonth().p10())).append(" / ").append(Format.usd(r.firstMonth().p50())).append(" / ")
                        .append(Format.usd(r.firstMonth().p90())).append("</td><td>").append(Page.e(r.caveat())).append("</td></tr>\n");
            }
            page.out.append("</tbody></table>\n");
        }
        page.out.append("<p class=\"dim\">Assumes: ").append(Page.e(String.join("; ", CostFiles.assumptions(page.run, p))))
                .append(". Month by month in <code>").append(CostFiles.FORECAST).append("</code> (the forecast) and <code>")
                .append(CostFiles.SCENARIOS).append("</code> (scenarios and other models: each a whole future, never added up).</p>\n");
    }
}
