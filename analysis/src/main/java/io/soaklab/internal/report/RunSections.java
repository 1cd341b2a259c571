package io.soaklab.internal.report;

import io.soaklab.internal.analysis.ContextTrend;
import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.Episodes;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.Slos;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.run.Slo;
import io.soaklab.internal.text.Durations;
import java.math.BigDecimal;
import java.util.List;

/** What happened: the verdict, the summary, the notes, the checks, the objectives and what changed over time. */
final class RunSections {

    private RunSections() {
    }

    static void header(Page page) {
        page.out.append("<h1>soaklab report <span class=\"id\">").append(Page.e(page.manifest.runId())).append("</span></h1>\n");
        Checks.Verdict banner = Checks.banner(page.run);
        page.out.append("<p class=\"status ").append(Checks.css(banner, page.run.status())).append("\">").append(Page.e(banner.text())).append("</p>\n");
    }

    static void checks(Page page) {
        List<Checks.Verdict> verdicts = Checks.calls(page.run);
        if (verdicts.isEmpty()) {
            return;
        }
        page.out.append("<h2>What soaklab checked</h2>\n");
        for (Checks.Verdict v : verdicts) {
            page.out.append("<p class=\"status ").append(Checks.css(v.level())).append("\">").append(Page.e(v.text())).append("</p>\n");
        }
    }

    static void summary(Page page) {
        RunData.CallTotals c = page.run.calls();
        double seconds = page.run.measuredSeconds();
        Percentiles ttft = page.run.totals().get(Metric.TTFT);
        Percentiles e2e = page.run.totals().get(Metric.E2E);
        page.out.append("<h2>In short</h2>\n<p class=\"lead\">");
        io.soaklab.run.RunConfig.Shard shard = page.config.shard();
        if (shard.sharded()) {
            page.out.append("Shard <b>").append(shard.index()).append(" of ").append(shard.count()).append("</b> of a soak of ")
                    .append(page.config.workload().open() ? "one arrival in " + shard.count() + " of: " : shard.share(page.config.workload().concurrency())
                            + " of the users of: ");
        } else if (page.run.manifest().shards() != null) {
            page.out.append("Merged from <b>").append(page.run.manifest().shards().size()).append(" shards</b>: ");
        }
        page.out.append(page.config.workload().open() ? "<b>" + Page.e(page.scenario) + "</b> episodes arriving " + Page.e(page.config.workload().arrival()) + ", against "
                        : page.replayTimes != null ? "<b>" + Page.e(page.scenario) + "</b> sessions arriving " + Page.e(page.replayTimes) + ", against "
                        : page.config.workload().concurrency() + " concurrent <b>" + Page.e(page.scenario) + "</b> users against ")
                .append(page.config.target().embedded() ? "soaklab's embedded endpoint" : "<b>" + Page.e(page.endpointUrl()) + "</b>")
                .append(" (model <b>").append(Page.e(page.config.target().model())).append("</b>) for ")
                .append(Format.seconds(seconds)).append(" in ").append(Format.count(page.run.windows().size(), "window")).append(" of ")
                .append(Page.e(Durations.format(page.config.schedule().window()))).append(": ")
                .append(Format.count(c.calls())).append(" calls (").append(Format.rate(seconds > 0 ? c.calls() / seconds : 0))
                .append(" per second), ");
        long errors = c.errorCount();
        page.out.append(errors == 0 ? "none failed" : Format.count(errors) + " failed (" + Format.percent((double) errors / Math.max(1, c.calls())) + ")")
                .append(c.open() == 0 ? "" : ", and " + Format.count(c.open()) + " still open at the end").append(". ");
        if (!ttft.empty()) {
            page.out.append("Time to first token: median ").append(Format.latency(ttft.p50())).append(", 99th percentile ")
                    .append(Format.latency(ttft.p99())).append(". ");
        }
        if (!e2e.empty()) {
            page.out.append("A whole call: median ").append(Format.latency(e2e.p50())).append(", 99th percentile ")
                    .append(Format.latency(e2e.p99())).append(". ");
        }
        Costs costs = page.run.costs();
        if (costs == null) {
            page.out.append("Not priced: ").append(Format.count(c.promptTokens())).append(" input and ")
                    .append(Format.count(c.completionTokens())).append(" output tokens.</p>\n");
        } else {
            page.out.append("Spend ").append(Format.usd(c.spend())).append(" for ").append(Format.count(c.promptTokens()))
                    .append(" input and ").append(Format.count(c.completionTokens())).append(" output tokens, at the list prices of ")
                    .append(Page.e(costs.tariff().describe())).append(page.config.target().embedded() && page.config.pricing().priceAs() == null
                            ? " (the embedded endpoint's tokens are priced as that model; --price-as picks another)" : "")
                    .append(".</p>\n");
        }
        Percentiles lag = page.run.totals().get(Metric.SCHEDULE_LAG);
        if (Degradation.lagMatters(lag, ttft)) {
            long threshold = Math.max(Degradation.GENERATOR_LAG_MS * 1000, (long) (Degradation.LAG_SHARE_OF_TTFT * ttft.p50()));
            page.out.append("<p class=\"status bad\">The load generator fell behind its schedule: ")
                    .append(lagShare(lag, threshold)).append(" started more than ").append(Format.latency(threshold))
                    .append(" late (99th percentile schedule lag ").append(Format.latency(lag.p99())).append(", at worst ")
                    .append(Format.latency(lag.max())).append(", against a median time to first token of ")
                    .append(ttft.empty() ? "none" : Format.latency(ttft.p50()))
                    .append("). Latencies are measured from the intended start, so they include it");
            if (page.config.workload().open()) {
                page.out.append("; in an open load this is also episodes waiting for a free worker (--max-in-flight ")
                        .append(page.config.workload().maxInFlight()).append(")");
            }
            page.out.append(". Check the machine running soaklab before blaming the endpoint.</p>\n");
        }
    }

    /** The share of calls a lag above {@code threshold} (µs) touched, as far as the percentiles tell: "more than 1% of the calls" etc. */
    private static String lagShare(Percentiles lag, long threshold) {
        return lag.p50() > threshold ? "more than half of the calls" : lag.p90() > threshold ? "more than 10% of the calls"
                : lag.p99() > threshold ? "more than 1% of the calls" : "fewer than 1% of the calls";
    }

    static void objectives(Page page) {
        if (page.slos == null) {
            return;
        }
        long missed = page.slos.verdicts().stream().filter(Slos.Verdict::missed).count();
        long unmeasured = page.slos.verdicts().stream().filter(v -> !v.measured()).count();
        page.out.append("<h2>Objectives</h2>\n<p class=\"status ").append(missed == 0 ? "ok" : "bad").append("\">")
                .append(missed == 0 ? "Every objective with data was met over the run." : missed + " of " + page.slos.verdicts().size()
                        + " objectives were missed over the run.")
                .append(unmeasured == 0 ? "" : " " + unmeasured + " had no data.");
        Slos.Verdict first = page.slos.firstToFail();
        if (first != null) {
            WindowStats w = page.run.windows().get(first.firstMissed());
            page.out.append(" The first to fail: ").append(Page.e(first.slo().text())).append(", in window ").append(first.firstMissed() + 1)
                    .append(" (").append(Format.rate(w.calls() / w.seconds())).append(" calls/s).");
        }
        page.out.append("</p>\n<table><thead><tr><th>objective</th><th>over the run</th><th>windows met (of those with data)</th><th>first missed</th></tr></thead><tbody>\n");
        for (Slos.Verdict v : page.slos.verdicts()) {
            page.out.append("<tr><td>").append(Page.e(v.slo().text())).append("</td><td>").append(Page.e(sloValue(v.slo(), v.value())))
                    .append(!v.measured() ? "" : v.met() ? " (met)" : " (missed)").append("</td><td>").append(v.windowsMet()).append(" of ")
                    .append(v.windowsWithData()).append("</td><td>").append(v.firstMissed() < 0 ? "-" : "window " + (v.firstMissed() + 1))
                    .append("</td></tr>\n");
        }
        page.out.append("</tbody></table>\n");
        if (page.slos.hasCallGoodput()) {
            double[] g = page.slos.callGoodput();
            page.out.append("<p>Goodput: <b>").append(Format.rate(g[0])).append(" calls/s</b> met every per-call objective (")
                    .append(Double.isNaN(g[1]) ? "no calls" : Format.percent(g[1]) + " of calls").append(").");
        }
        if (page.slos.hasEpisodeGoodput()) {
            double[] g = page.slos.episodeGoodput();
            page.out.append(page.slos.hasCallGoodput() ? " " : "<p>").append("Episodes: <b>").append(Format.rate(g[0]))
                    .append(" a second</b> met every per-episode objective (").append(Double.isNaN(g[1]) ? "no episodes" : Format.percent(g[1])
                            + " of episodes").append(").");
        }
        if (page.slos.hasCallGoodput() || page.slos.hasEpisodeGoodput()) {
            page.out.append("</p>\n");
        }
    }

    static String sloValue(Slo slo, double value) {
        if (Double.isNaN(value)) {
            return "no data";
        }
        if (slo.latency()) {
            return Format.latency((long) value);
        }
        return slo.metric().equals("errors") ? Format.percent(value) : Format.usd(BigDecimal.valueOf(value));
    }

    static void changes(Page page) {
        Degradation d = Degradation.of(page.run);
        page.out.append("<h2>What changed over time</h2>\n<p>").append(Page.e(Sentences.summary(d))).append("</p>\n");
        String stalls = Sentences.stalls(io.soaklab.internal.analysis.Stalls.of(page.run), page.config.workload().arrival() == null);
        if (stalls != null) {
            page.out.append("<p class=\"status warn\">").append(Page.e(stalls)).append("</p>\n");
        }
        List<Degradation.Finding> stated = d.findings();
        if (!stated.isEmpty()) {
            page.out.append("<ul>\n");
            for (Degradation.Finding f : stated) {
                page.out.append("<li class=\"").append(f.worse() ? "worse" : "better").append("\">").append(Page.e(Sentences.finding(d, f))).append("</li>\n");
            }
            page.out.append("</ul>\n");
        }
        io.soaklab.internal.analysis.ServerFindings server = io.soaklab.internal.analysis.ServerFindings.of(page.run, d);
        if (!server.steps().isEmpty() || server.gap() != null) {
            page.out.append("<p>Beside the server's own metrics (").append(Page.e(String.join(", ", page.run.server().sources()))).append("):</p>\n<ul>\n");
            for (io.soaklab.internal.analysis.ServerFindings.Step step : server.steps()) {
                page.out.append("<li class=\"worse\">").append(Page.e(Sentences.server(step))).append("</li>\n");
            }
            if (server.gap() != null) {
                page.out.append("<li>").append(Page.e(Sentences.serverGap(server.gap()))).append("</li>\n");
            }
            page.out.append("</ul>\n");
        }
        List<ContextTrend> byContext = ContextTrend.of(page.run);
        if (!byContext.isEmpty()) {
            page.out.append("<p>As context grows:</p>\n<ul>\n");
            for (ContextTrend t : byContext) {
                page.out.append("<li>").append(Page.e(Sentences.context(t))).append("</li>\n");
            }
            page.out.append("</ul>\n");
        }
        if (!d.generatorBound().isEmpty()) {
            page.out.append("<p class=\"dim\">Left out of these tests: ").append(d.generatorBound().size())
                    .append(" windows where the load generator, not the endpoint, was the bottleneck (schedule lag p99 above ")
                    .append(Format.latency(Degradation.GENERATOR_LAG_MS * 1000)).append(", its CPU at ").append(Degradation.GENERATOR_CPU_PERCENT)
                    .append("% of every core or more, or GC for ").append(Degradation.GENERATOR_GC_PERCENT).append("% of the window): windows ")
                    .append(Page.e(ranges(d.generatorBound()))).append(".</p>\n");
        }
        page.out.append("<p class=\"dim\">Each series is tested for a monotonic trend (Mann-Kendall, Theil-Sen slope) and for steps")
                .append(" (CUSUM binary segmentation, permutation test), at p &lt; ").append(Degradation.ALPHA)
                .append("; a change is stated when it is significant and at least ").append(Degradation.MIN_CHANGE_PERCENT)
                .append("% (docs/analysis.md).</p>\n");
    }

    static String ranges(List<Integer> windows) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < windows.size(); i++) {
            int from = windows.get(i);
            int to = from;
            while (i + 1 < windows.size() && windows.get(i + 1) == to + 1) {
                to = windows.get(++i);
            }
            b.append(b.length() == 0 ? "" : ", ").append(from + 1).append(to > from ? "-" + (to + 1) : "");
        }
        return b.toString();
    }

    static void notes(Page page) {
        if (page.run.notes().isEmpty()) {
            return;
        }
        page.out.append("<ul class=\"notes\">\n");
        for (String note : page.run.notes()) {
            page.out.append("<li>").append(Page.e(note)).append("</li>\n");
        }
        page.out.append("</ul>\n");
    }
}
