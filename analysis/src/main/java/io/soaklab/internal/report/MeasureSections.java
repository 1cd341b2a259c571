package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Fidelity;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import io.soaklab.sim.EmbeddedEndpoint;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The measurements: latency, calls and spend, the charts, and how closely they match the embedded endpoint's own account. */
final class MeasureSections {

    private MeasureSections() {
    }

    static void latency(Page page) {
        page.out.append("<h2>Latency</h2>\n<table><thead><tr><th>metric</th><th>count</th><th>p50</th><th>p90</th><th>p99</th>")
                .append("<th>p99.9</th><th>max</th></tr></thead><tbody>\n");
        boolean thin = false;
        for (Metric m : Metric.values()) {
            Percentiles p = page.run.totals().get(m);
            page.out.append("<tr><td>").append(Page.e(Report.LABELS.get(m))).append(" <code>").append(Page.e(m.tag())).append("</code></td><td>")
                    .append(Format.count(p.count())).append("</td>");
            if (p.empty()) {
                page.out.append("<td colspan=\"5\" class=\"dim\">no values</td>");
            } else {
                long[] values = {p.p50(), p.p90(), p.p99(), p.p999(), p.max()};
                long[] needed = {2, 10, 100, 1000, 0}; // values a percentile needs before it is more than the largest one seen
                for (int i = 0; i < values.length; i++) {
                    boolean onlyTheMax = p.count() < needed[i] && values[i] == p.max();
                    thin |= onlyTheMax;
                    page.out.append("<td>").append(Format.latency(values[i])).append(onlyTheMax ? "*" : "").append("</td>");
                }
            }
            page.out.append("</tr>\n");
        }
        page.out.append("</tbody></table>\n<p class=\"dim\">From <code>histograms.hlog</code>, all measured windows merged. ")
                .append("TTFT, E2E and TPOT count successful calls; failed calls are in their own row; ITL counts every gap observed.")
                .append(thin ? " * Too few values for this percentile (100 for p99, 1,000 for p99.9): it is the largest value seen, "
                        + "not an estimate of the tail." : "").append("</p>\n");
    }

    static void callsAndSpend(Page page) {
        RunData.CallTotals c = page.run.calls();
        page.out.append("<h2>Calls, tokens and spend</h2>\n<table><tbody>\n");
        page.row("calls measured", Format.count(c.calls()));
        page.row("succeeded", Format.count(c.calls() - c.errorCount()));
        page.row("failed", Format.count(c.errorCount()) + (c.calls() == 0 ? "" : " (" + Format.percent((double) c.errorCount() / c.calls()) + ")")
                + " after every attempt");
        if (c.open() > 0) {
            page.row("still open at the end", Format.count(c.open()) + ", the longest for " + Format.latency(c.openAges().max())
                    + " (neither succeeded nor failed; in no percentile)");
        }
        if (c.badLines() > 0) {
            page.row("lines skipped", Format.count(c.badLines()) + " lines of calls.jsonl were not valid call records");
        }
        if (c.retries() > 0) {
            StringBuilder why = new StringBuilder();
            c.attemptErrors().forEach((k, v) -> why.append(why.length() == 0 ? "" : ", ").append(k.wireName()).append(' ').append(Format.count(v)));
            page.row("retries", Format.count(c.retries()) + " (" + String.format(Locale.ROOT, "%.2f", (double) c.retries() / Math.max(1, c.calls()))
                    + " a call); failed attempts: " + why);
        }
        page.row("input tokens", Format.count(c.promptTokens()) + (c.cachedTokens() > 0 ? " (" + Format.count(c.cachedTokens()) + " from cache)" : ""));
        page.row("output tokens", Format.count(c.completionTokens()));
        if (c.estimatedCalls() > 0) {
            page.row("usage estimated locally", Format.count(c.estimatedCalls()) + " calls (the server reported none)");
        }
        page.row("spend", Format.usd(c.spend()));
        if (c.warmupCalls() > 0) {
            page.row("warmup calls (not counted)", Format.count(c.warmupCalls()));
        }
        RunData.JmhScore jmh = page.run.jmh();
        if (jmh != null) {
            page.row("JMH (" + jmh.benchmark().substring(jmh.benchmark().lastIndexOf('.') + 1) + ")", String.format(Locale.ROOT, "%.3f %s%s", jmh.score(), jmh.unit(),
                    Double.isNaN(jmh.error()) ? "" : String.format(Locale.ROOT, " ± %.3f (99.9%%)", jmh.error())));
        }
        page.out.append("</tbody></table>\n");
        if (!c.errors().isEmpty()) {
            page.out.append("<h3>Failures by class</h3>\n<table><thead><tr><th>class</th><th>calls</th><th>examples</th></tr></thead><tbody>\n");
            for (Map.Entry<ErrorClass, Long> entry : c.errors().entrySet()) {
                List<String> samples = page.run.errorSamples().getOrDefault(entry.getKey(), List.of());
                page.out.append("<tr><td><code>").append(Page.e(entry.getKey().wireName())).append("</code></td><td>")
                        .append(Format.count(entry.getValue())).append("</td><td>");
                for (String sample : samples) {
                    page.out.append("<div class=\"sample\">").append(Page.e(sample)).append("</div>");
                }
                page.out.append("</td></tr>\n");
            }
            page.out.append("</tbody></table>\n");
        }
    }

    static void chartsSection(Page page) {
        page.out.append("<h2>Over time</h2>\n");
        for (Charts.Chart chart : page.charts) {
            page.figure(chart);
        }
    }

    static void fidelity(Page page) {
        Fidelity f = page.run.fidelity();
        if (f == null || f.calls() == 0) {
            return;
        }
        page.out.append("<h2>Measurement fidelity</h2>\n<p>The embedded endpoint logged what it did for every request (<code>")
                .append(Page.e(EmbeddedEndpoint.TRUTH_FILE)).append("</code>). For ").append(Format.count(f.calls()))
                .append(" successful calls on open connections (").append(Format.count(f.newConnections()))
                .append(" that opened theirs are left out: that set-up is in soaklab's figure, not the endpoint's), soaklab's time to first token (from sending) exceeded the endpoint's own (from arrival) by ")
                .append(Format.latency(f.ttftExcess().p50())).append(" at the median and ").append(Format.latency(f.ttftExcess().p99()))
                .append(" at the 99th percentile; the end of the stream by ").append(Format.latency(f.endExcess().p50())).append(" and ")
                .append(Format.latency(f.endExcess().p99())).append(". That is the network and soaklab's own client on this machine.")
                .append(" The endpoint wrote first tokens later than it planned by ").append(Format.latency(f.endpointLateness().p50()))
                .append(" (median) and ").append(Format.latency(f.endpointLateness().p99())).append(" (99th percentile).");
        if (f.itlExcess().count() > 0) {
            page.out.append(" A call's longest gap between tokens exceeded the longest the endpoint can have made (its planned gap plus its")
                    .append(" own worst lateness) by ").append(Format.latency(f.itlExcess().p99())).append(" at the 99th percentile of ")
                    .append(Format.count(f.itlExcess().count(), "call")).append('.');
        }
        if (f.earlier() > 0) {
            page.out.append(" <strong>").append(Format.count(f.earlier())).append(" calls were measured earlier than the endpoint says they happened,")
                    .append(" which cannot be: their request ids or clocks do not match, and these figures are not to be trusted.</strong>");
        }
        page.out.append("</p>\n");
    }
}
