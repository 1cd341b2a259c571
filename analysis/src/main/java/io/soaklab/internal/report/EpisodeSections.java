package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.Episodes;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The episodes: what the tasks did, each role's share, and the long-context probes. */
final class EpisodeSections {

    private EpisodeSections() {
    }

    static void episodes(Page page) {
        Episodes ep = page.run.episodes();
        if (ep.count() == 0) {
            return;
        }
        page.out.append("<h2>Episodes</h2>\n<table><tbody>\n");
        page.row("episodes ended", Format.count(ep.count()) + ": " + Format.count(ep.ok()) + " succeeded, " + Format.count(ep.failed())
                + " failed (" + Format.percent((double) ep.failed() / ep.count()) + ")");
        if (!ep.reasons().isEmpty()) {
            StringBuilder why = new StringBuilder();
            ep.reasons().entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6)
                    .forEach(r -> why.append(why.length() == 0 ? "" : ", ").append(r.getKey()).append(" ").append(Format.count(r.getValue())));
            page.row("why they failed", why.toString());
        }
        Percentiles d = ep.duration();
        if (!d.empty()) {
            page.row("duration (succeeded)", "median " + Format.latency(d.p50()) + ", p90 " + Format.latency(d.p90()) + ", p99 " + Format.latency(d.p99()));
        }
        page.row("calls per episode", String.format(Locale.ROOT, "%.1f (%.1f attempts)", ep.meanCalls(), ep.meanAttempts()));
        StringBuilder tokens = new StringBuilder();
        ep.tokensPerEpisode().forEach((k, v) -> tokens.append(tokens.length() == 0 ? "" : ", ").append(k).append(" ").append(Format.count(Math.round(v))));
        page.row("tokens per episode", tokens.toString());
        if (!ep.metricSums().isEmpty()) {
            StringBuilder m = new StringBuilder();
            ep.metricSums().forEach((k, v) -> {
                double mean = v / ep.count();
                m.append(m.length() == 0 ? "" : ", ").append(Page.metricLabel(k)).append(" ")
                        .append(String.format(Locale.ROOT, Math.abs(mean) < 10 ? "%.2f" : "%,.0f", mean));
            });
            page.row("per episode, on average", m.toString());
        }
        if (ep.compactionSavedTokens() > 0) {
            page.row("compaction", Format.count(ep.eventCounts().getOrDefault("compaction", 0L)) + " compactions removed "
                    + Format.count(ep.compactionSavedTokens()) + " tokens from conversations");
        }
        if (!ep.toolFailureActions().isEmpty()) {
            Map<String, Double> sums = ep.metricSums();
            double withFailures = sums.getOrDefault("tool_failure_episodes", 0.0);
            page.row("tool failures", ep.toolFailureActions().toString().replaceAll("[{}]", "").replace("=", " ")
                    + (withFailures > 0 ? String.format(Locale.ROOT, "; %.0f of %.0f episodes with a failure recovered (%s)",
                    sums.getOrDefault("recovered", 0.0), withFailures, Format.percent(sums.getOrDefault("recovered", 0.0) / withFailures)) : "")
                    + (sums.containsKey("extra_calls") ? String.format(Locale.ROOT, "; failures caused %.0f extra calls and %s tokens",
                    sums.get("extra_calls"), Format.count(Math.round(sums.getOrDefault("extra_tokens", 0.0)))) : ""));
        }
        if (!ep.slowestRoles().isEmpty()) {
            page.row("critical path", "slowest specialist: " + ep.slowestRoles().toString().replaceAll("[{}]", "").replace("=", " ") + " times");
        }
        if (!ep.carriedByArm().isEmpty()) {
            StringBuilder c = new StringBuilder();
            ep.carriedByArm().forEach((arm, v) -> c.append(c.length() == 0 ? "" : ", ").append(arm).append(" ").append(Format.count(Math.round(v))));
            page.row("carried into a resumed session", c + " tokens on average (calls by arm in the table below)");
        }
        page.out.append("</tbody></table>\n");
    }

    static void roles(Page page) {
        Map<String, RunData.RoleStats> roles = page.run.roles();
        if (roles.size() < 2) {
            return;
        }
        Costs costs = page.run.costs();
        page.out.append("<h2>By role</h2>\n<table><thead><tr><th>role</th><th>calls</th><th>failed</th><th>retries</th><th>input tokens</th>")
                .append("<th>cached</th><th>output tokens</th><th>spend</th><th>TTFT p50</th><th>E2E p50</th><th>E2E p99</th></tr></thead><tbody>\n");
        roles.forEach((role, r) -> page.out.append("<tr><td>").append(Page.e(role)).append("</td><td>").append(Format.count(r.calls()))
                .append("</td><td>").append(Format.count(r.failed())).append("</td><td>").append(Format.count(r.attempts() - r.calls()))
                .append("</td><td>").append(Format.count(r.prompt())).append("</td><td>").append(Format.count(r.cached()))
                .append("</td><td>").append(Format.count(r.completion())).append("</td><td>").append(costs == null ? "-" : Format.usd(costs.byRole().getOrDefault(role, BigDecimal.ZERO)))
                .append("</td><td>").append(r.ttft().empty() ? "-" : Format.latency(r.ttft().p50())).append("</td><td>")
                .append(r.e2e().empty() ? "-" : Format.latency(r.e2e().p50())).append("</td><td>")
                .append(r.e2e().empty() ? "-" : Format.latency(r.e2e().p99())).append("</td></tr>\n"));
        page.out.append("</tbody></table>\n<p class=\"dim\">From <code>calls.jsonl</code>. Latency counts from the first attempt's intended start.</p>\n");
    }

    static void probes(Page page) {
        Episodes ep = page.run.episodes();
        Episodes.Accuracy all = ep.probes();
        if (all.questions() == 0) {
            return;
        }
        page.out.append("<h2>Long-context probes</h2>\n<p>").append(Format.count(all.questions())).append(" questions, ")
                .append(Format.percent(all.rate())).append(" answered exactly (mean similarity ")
                .append(String.format(Locale.ROOT, "%.3f", all.meanSimilarity())).append(").</p>\n")
                .append("<table><thead><tr><th>context the server processed (tokens, mean)</th><th>planned length (questions)</th>")
                .append("<th>questions</th><th>exact</th><th>similarity</th></tr></thead><tbody>\n");
        for (Episodes.ProbeBin bin : ep.probeByProcessed()) {
            Episodes.Accuracy a = bin.accuracy();
            StringBuilder planned = new StringBuilder();
            boolean cut = false;
            for (Map.Entry<Integer, Long> p : bin.planned().entrySet()) {
                planned.append(planned.length() == 0 ? "" : ", ").append(Format.count(p.getKey())).append(" (").append(p.getValue()).append(')');
                cut |= p.getKey() > 2 * bin.meanTokens();
            }
            page.out.append("<tr").append(cut ? " class=\"bad\"" : "").append("><td>").append(Format.count(Math.round(bin.meanTokens())))
                    .append("</td><td>").append(Page.e(planned)).append(cut ? " &mdash; the server processed far less than was sent" : "")
                    .append("</td><td>").append(Format.count(a.questions())).append("</td><td>").append(Format.percent(a.rate()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.3f", a.meanSimilarity())).append("</td></tr>\n");
        }
        page.out.append("</tbody></table>\n<table><thead><tr><th>depth of the fact</th><th>questions</th><th>exact</th></tr></thead><tbody>\n");
        List<Episodes.Accuracy> depths = ep.probeByDepth();
        for (int i = 0; i < depths.size(); i++) {
            Episodes.Accuracy a = depths.get(i);
            page.out.append("<tr><td>").append(i * 20).append("–").append((i + 1) * 20).append("%</td><td>").append(Format.count(a.questions()))
                    .append("</td><td>").append(a.questions() == 0 ? "-" : Format.percent(a.rate())).append("</td></tr>\n");
        }
        page.out.append("</tbody></table>\n<p class=\"dim\">From <code>events.jsonl</code>: each answer checked by exact match of the planted code and an edit-distance similarity.</p>\n");
    }
}
