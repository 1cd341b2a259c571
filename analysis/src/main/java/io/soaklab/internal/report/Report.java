package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.Episodes;
import io.soaklab.internal.analysis.Fidelity;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.Slos;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.internal.cost.ModelPrice;
import io.soaklab.internal.cost.Rates;
import io.soaklab.internal.cost.TokenKind;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.internal.run.Slo;
import io.soaklab.scenario.Scenarios;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import io.soaklab.internal.text.Durations;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code report.html} and {@code charts/*.png} into a run folder, from the folder's files
 * alone. The page works offline; every value taken from the files is HTML-escaped.
 *
 * <pre>{@code
 * Path page = Report.write(RunData.load(runDir));
 * }</pre>
 */
public final class Report {

    /** The page's file name in the run folder. */
    public static final String FILE = RunFile.REPORT.fileName();
    /** The charts' folder in the run folder. */
    public static final String CHARTS = RunFile.CHARTS.fileName();

    private static final Map<Metric, String> LABELS = Map.ofEntries(
            Map.entry(Metric.TTFT, "Time to first token"),
            Map.entry(Metric.TTFT_SENT, "TTFT from send (uncorrected)"),
            Map.entry(Metric.ITL, "Inter-token gap"),
            Map.entry(Metric.TPOT, "Time per output token"),
            Map.entry(Metric.E2E, "Call latency (E2E)"),
            Map.entry(Metric.E2E_FAILED, "Failed-call latency"),
            Map.entry(Metric.ATTEMPT, "Attempt latency (each try)"),
            Map.entry(Metric.TTFT_TOOL, "Time to first tool call"),
            Map.entry(Metric.EPISODE, "Episode duration"),
            Map.entry(Metric.SCHEDULE_LAG, "Schedule lag (generator)"));

    private Report() {
    }

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // charts are drawn off screen, also without a display
        }
    }

    /** The report's page in run folder {@code dir}. */
    public static Path page(Path dir) {
        return RunFile.REPORT.in(dir);
    }

    /**
     * Writes the report of {@code run}; returns the page. A projection made by {@code soaklab cost}
     * ({@code cost.json}) is made again and shown.
     */
    public static Path write(RunData run) throws IOException {
        return write(run, Slo.parseAll(run.manifest().config().slo()));
    }

    /**
     * Writes the report of {@code run}, holding it to {@code slos} instead of the objectives it was
     * run with; returns the page.
     */
    public static Path write(RunData run, List<Slo> slos) throws IOException {
        Projection projection = null;
        String problem = null;
        try {
            projection = CostFiles.reproject(run);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        return write(run, projection, problem, slos);
    }

    /** Writes the report of {@code run} with {@code projection} (or none); returns the page. */
    public static Path write(RunData run, Projection projection) throws IOException {
        return write(run, projection, null, Slo.parseAll(run.manifest().config().slo()));
    }

    private static Path write(RunData run, Projection projection, String projectionProblem, List<Slo> slos) throws IOException {
        WindowsCsv.write(run);
        Charts drawer = new Charts(run, RunFile.CHARTS.in(run.dir()));
        List<Charts.Chart> charts = drawer.drawAll();
        List<Charts.Chart> costCharts = drawer.drawCost(projection);
        Slos held = slos.isEmpty() ? null : Slos.evaluate(run, slos);
        String html = new Report.Page(run, charts, costCharts, projection, projectionProblem, held).render();
        Path page = page(run.dir());
        replace(page, html.getBytes(StandardCharsets.UTF_8));
        return page;
    }

    /** Writes {@code file} through a temporary file and a rename: a reader never sees half of it. */
    static void replace(Path file, byte[] bytes) throws IOException {
        io.soaklab.internal.record.AtomicWrite.replace(file, bytes, false);
    }

    private static final class Page {
        private final RunData run;
        private final List<Charts.Chart> charts;
        private final List<Charts.Chart> costCharts;
        private final Projection projection;
        private final String projectionProblem;
        private final Slos slos;
        private final RunManifest manifest;
        private final RunConfig config;
        private final StringBuilder out = new StringBuilder(32 << 10);

        Page(RunData run, List<Charts.Chart> charts, List<Charts.Chart> costCharts, Projection projection,
             String projectionProblem, Slos slos) {
            this.run = run;
            this.slos = slos;
            this.charts = charts;
            this.costCharts = costCharts;
            this.projection = projection;
            this.projectionProblem = projectionProblem;
            this.manifest = run.manifest();
            this.config = manifest.config();
            String name = config.scenario();
            try {
                io.soaklab.scenario.ScenarioSpec kept = Scenarios.kept(run.dir());
                name = kept == null ? name : kept.name();
            } catch (IllegalArgumentException unreadable) {
                // the configured name stands
            }
            this.scenario = name;
        }

        private final String scenario;

        String render() {
            out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                    .append("<title>soaklab report: ").append(e(manifest.runId())).append("</title>\n")
                    .append("<style>").append(CSS).append("</style></head><body>\n");
            header();
            summary();
            notes();
            checks();
            objectives();
            changes();
            latency();
            callsAndSpend();
            cost();
            episodes();
            roles();
            probes();
            chartsSection();
            fidelity();
            configuration();
            files();
            definitions();
            out.append("<footer>soaklab ").append(e(manifest.soaklab())).append("</footer>\n</body></html>\n");
            return out.toString();
        }

        private void header() {
            out.append("<h1>soaklab report <span class=\"id\">").append(e(manifest.runId())).append("</span></h1>\n");
            Checks.Verdict banner = Checks.banner(run);
            out.append("<p class=\"status ").append(Checks.css(banner, run.status())).append("\">").append(e(banner.text())).append("</p>\n");
        }

        private void checks() {
            List<Checks.Verdict> verdicts = Checks.calls(run);
            if (verdicts.isEmpty()) {
                return;
            }
            out.append("<h2>What soaklab checked</h2>\n");
            for (Checks.Verdict v : verdicts) {
                out.append("<p class=\"status ").append(Checks.css(v.level())).append("\">").append(e(v.text())).append("</p>\n");
            }
        }

        private void summary() {
            RunData.CallTotals c = run.calls();
            double seconds = run.measuredSeconds();
            Percentiles ttft = run.totals().get(Metric.TTFT);
            Percentiles e2e = run.totals().get(Metric.E2E);
            out.append("<h2>In short</h2>\n<p class=\"lead\">");
            out.append(config.open() ? "<b>" + e(scenario) + "</b> episodes arriving " + e(config.arrival()) + ", against "
                            : config.concurrency() + " concurrent <b>" + e(scenario) + "</b> users against ")
                    .append(config.embedded() ? "soaklab's embedded endpoint" : "<b>" + e(endpointUrl()) + "</b>")
                    .append(" (model <b>").append(e(config.model())).append("</b>) for ")
                    .append(Format.seconds(seconds)).append(" in ").append(Format.count(run.windows().size(), "window")).append(" of ")
                    .append(e(Durations.format(config.window()))).append(": ")
                    .append(Format.count(c.calls())).append(" calls (").append(Format.rate(seconds > 0 ? c.calls() / seconds : 0))
                    .append(" per second), ");
            long errors = c.errorCount();
            out.append(errors == 0 ? "none failed" : Format.count(errors) + " failed (" + Format.percent((double) errors / Math.max(1, c.calls())) + ")")
                    .append(c.open() == 0 ? "" : ", and " + Format.count(c.open()) + " still open at the end").append(". ");
            if (!ttft.empty()) {
                out.append("Time to first token: median ").append(Format.latency(ttft.p50())).append(", 99th percentile ")
                        .append(Format.latency(ttft.p99())).append(". ");
            }
            if (!e2e.empty()) {
                out.append("A whole call: median ").append(Format.latency(e2e.p50())).append(", 99th percentile ")
                        .append(Format.latency(e2e.p99())).append(". ");
            }
            Costs costs = run.costs();
            if (costs == null) {
                out.append("Not priced: ").append(Format.count(c.promptTokens())).append(" input and ")
                        .append(Format.count(c.completionTokens())).append(" output tokens.</p>\n");
            } else {
                out.append("Spend ").append(Format.usd(c.spend())).append(" for ").append(Format.count(c.promptTokens()))
                        .append(" input and ").append(Format.count(c.completionTokens())).append(" output tokens, at the list prices of ")
                        .append(e(costs.tariff().describe())).append(config.embedded() && config.priceAs() == null
                                ? " (the embedded endpoint's tokens are priced as that model; --price-as picks another)" : "")
                        .append(".</p>\n");
            }
            Percentiles lag = run.totals().get(Metric.SCHEDULE_LAG);
            if (Degradation.lagMatters(lag, ttft)) {
                long threshold = Math.max(Degradation.GENERATOR_LAG_MS * 1000, (long) (Degradation.LAG_SHARE_OF_TTFT * ttft.p50()));
                out.append("<p class=\"status bad\">The load generator fell behind its schedule: ")
                        .append(Degradation.lagShare(lag, threshold)).append(" started more than ").append(Format.latency(threshold))
                        .append(" late (99th percentile schedule lag ").append(Format.latency(lag.p99())).append(", at worst ")
                        .append(Format.latency(lag.max())).append(", against a median time to first token of ")
                        .append(ttft.empty() ? "none" : Format.latency(ttft.p50()))
                        .append("). Latencies are measured from the intended start, so they include it");
                if (config.open()) {
                    out.append("; in an open load this is also episodes waiting for a free worker (--max-in-flight ")
                            .append(config.maxInFlight()).append(")");
                }
                out.append(". Check the machine running soaklab before blaming the endpoint.</p>\n");
            }
        }

        private void objectives() {
            if (slos == null) {
                return;
            }
            long missed = slos.verdicts().stream().filter(Slos.Verdict::missed).count();
            long unmeasured = slos.verdicts().stream().filter(v -> !v.measured()).count();
            out.append("<h2>Objectives</h2>\n<p class=\"status ").append(missed == 0 ? "ok" : "bad").append("\">")
                    .append(missed == 0 ? "Every objective with data was met over the run." : missed + " of " + slos.verdicts().size()
                            + " objectives were missed over the run.")
                    .append(unmeasured == 0 ? "" : " " + unmeasured + " had no data.");
            Slos.Verdict first = slos.firstToFail();
            if (first != null) {
                WindowStats w = run.windows().get(first.firstMissed());
                out.append(" The first to fail: ").append(e(first.slo().text())).append(", in window ").append(first.firstMissed() + 1)
                        .append(" (").append(Format.rate(w.calls() / w.seconds())).append(" calls/s).");
            }
            out.append("</p>\n<table><thead><tr><th>objective</th><th>over the run</th><th>windows met (of those with data)</th><th>first missed</th></tr></thead><tbody>\n");
            for (Slos.Verdict v : slos.verdicts()) {
                out.append("<tr><td>").append(e(v.slo().text())).append("</td><td>").append(e(sloValue(v.slo(), v.value())))
                        .append(!v.measured() ? "" : v.met() ? " (met)" : " (missed)").append("</td><td>").append(v.windowsMet()).append(" of ")
                        .append(v.windowsWithData()).append("</td><td>").append(v.firstMissed() < 0 ? "-" : "window " + (v.firstMissed() + 1))
                        .append("</td></tr>\n");
            }
            out.append("</tbody></table>\n");
            if (slos.hasCallGoodput()) {
                double[] g = slos.callGoodput();
                out.append("<p>Goodput: <b>").append(Format.rate(g[0])).append(" calls/s</b> met every per-call objective (")
                        .append(Double.isNaN(g[1]) ? "no calls" : Format.percent(g[1]) + " of calls").append(").");
            }
            if (slos.hasEpisodeGoodput()) {
                double[] g = slos.episodeGoodput();
                out.append(slos.hasCallGoodput() ? " " : "<p>").append("Episodes: <b>").append(Format.rate(g[0]))
                        .append(" a second</b> met every per-episode objective (").append(Double.isNaN(g[1]) ? "no episodes" : Format.percent(g[1])
                                + " of episodes").append(").");
            }
            if (slos.hasCallGoodput() || slos.hasEpisodeGoodput()) {
                out.append("</p>\n");
            }
        }

        private static String sloValue(Slo slo, double value) {
            if (Double.isNaN(value)) {
                return "no data";
            }
            if (slo.latency()) {
                return Format.latency((long) value);
            }
            return slo.metric().equals("errors") ? Format.percent(value) : Format.usd(BigDecimal.valueOf(value));
        }

        private void changes() {
            Degradation d = Degradation.of(run);
            out.append("<h2>What changed over time</h2>\n<p>").append(e(d.summary())).append("</p>\n");
            List<Degradation.Finding> stated = d.findings();
            if (!stated.isEmpty()) {
                out.append("<ul>\n");
                for (Degradation.Finding f : stated) {
                    out.append("<li class=\"").append(f.worse() ? "worse" : "better").append("\">").append(e(f.text())).append("</li>\n");
                }
                out.append("</ul>\n");
            }
            if (!d.byContext().isEmpty()) {
                out.append("<p>As context grows:</p>\n<ul>\n");
                for (String line : d.byContext()) {
                    out.append("<li>").append(e(line)).append("</li>\n");
                }
                out.append("</ul>\n");
            }
            if (!d.generatorBound().isEmpty()) {
                out.append("<p class=\"dim\">Left out of these tests: ").append(d.generatorBound().size())
                        .append(" windows where the load generator, not the endpoint, was the bottleneck (schedule lag p99 above ")
                        .append(Format.latency(Degradation.GENERATOR_LAG_MS * 1000)).append(", its CPU at ").append(Degradation.GENERATOR_CPU_PERCENT)
                        .append("% of every core or more, or GC for ").append(Degradation.GENERATOR_GC_PERCENT).append("% of the window): windows ")
                        .append(e(ranges(d.generatorBound()))).append(".</p>\n");
            }
            out.append("<p class=\"dim\">Each series is tested for a monotonic trend (Mann-Kendall, Theil-Sen slope) and for steps")
                    .append(" (CUSUM binary segmentation, permutation test), at p &lt; ").append(Degradation.ALPHA)
                    .append("; a change is stated when it is significant and at least ").append(Degradation.MIN_CHANGE_PERCENT)
                    .append("% (docs/analysis.md).</p>\n");
        }

        private static String ranges(List<Integer> windows) {
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

        private void notes() {
            if (run.notes().isEmpty()) {
                return;
            }
            out.append("<ul class=\"notes\">\n");
            for (String note : run.notes()) {
                out.append("<li>").append(e(note)).append("</li>\n");
            }
            out.append("</ul>\n");
        }

        private void latency() {
            out.append("<h2>Latency</h2>\n<table><thead><tr><th>metric</th><th>count</th><th>p50</th><th>p90</th><th>p99</th>")
                    .append("<th>p99.9</th><th>max</th></tr></thead><tbody>\n");
            boolean thin = false;
            for (Metric m : Metric.values()) {
                Percentiles p = run.totals().get(m);
                out.append("<tr><td>").append(e(LABELS.get(m))).append(" <code>").append(e(m.tag())).append("</code></td><td>")
                        .append(Format.count(p.count())).append("</td>");
                if (p.empty()) {
                    out.append("<td colspan=\"5\" class=\"dim\">no values</td>");
                } else {
                    long[] values = {p.p50(), p.p90(), p.p99(), p.p999(), p.max()};
                    long[] needed = {2, 10, 100, 1000, 0}; // values a percentile needs before it is more than the largest one seen
                    for (int i = 0; i < values.length; i++) {
                        boolean onlyTheMax = p.count() < needed[i] && values[i] == p.max();
                        thin |= onlyTheMax;
                        out.append("<td>").append(Format.latency(values[i])).append(onlyTheMax ? "*" : "").append("</td>");
                    }
                }
                out.append("</tr>\n");
            }
            out.append("</tbody></table>\n<p class=\"dim\">From <code>histograms.hlog</code>, all measured windows merged. ")
                    .append("TTFT, E2E and TPOT count successful calls; failed calls are in their own row; ITL counts every gap observed.")
                    .append(thin ? " * Too few values for this percentile (100 for p99, 1,000 for p99.9): it is the largest value seen, "
                            + "not an estimate of the tail." : "").append("</p>\n");
        }

        private void callsAndSpend() {
            RunData.CallTotals c = run.calls();
            out.append("<h2>Calls, tokens and spend</h2>\n<table><tbody>\n");
            row("calls measured", Format.count(c.calls()));
            row("succeeded", Format.count(c.calls() - c.errorCount()));
            row("failed", Format.count(c.errorCount()) + (c.calls() == 0 ? "" : " (" + Format.percent((double) c.errorCount() / c.calls()) + ")")
                    + " after every attempt");
            if (c.open() > 0) {
                row("still open at the end", Format.count(c.open()) + ", the longest for " + Format.latency(c.openAges().max())
                        + " (neither succeeded nor failed; in no percentile)");
            }
            if (c.badLines() > 0) {
                row("lines skipped", Format.count(c.badLines()) + " lines of calls.jsonl were not valid call records");
            }
            if (c.retries() > 0) {
                StringBuilder why = new StringBuilder();
                c.attemptErrors().forEach((k, v) -> why.append(why.length() == 0 ? "" : ", ").append(k.wireName()).append(' ').append(Format.count(v)));
                row("retries", Format.count(c.retries()) + " (" + String.format(Locale.ROOT, "%.2f", (double) c.retries() / Math.max(1, c.calls()))
                        + " a call); failed attempts: " + why);
            }
            row("input tokens", Format.count(c.promptTokens()) + (c.cachedTokens() > 0 ? " (" + Format.count(c.cachedTokens()) + " from cache)" : ""));
            row("output tokens", Format.count(c.completionTokens()));
            if (c.estimatedCalls() > 0) {
                row("usage estimated locally", Format.count(c.estimatedCalls()) + " calls (the server reported none)");
            }
            row("spend", Format.usd(c.spend()));
            if (c.warmupCalls() > 0) {
                row("warmup calls (not counted)", Format.count(c.warmupCalls()));
            }
            RunData.JmhScore jmh = run.jmh();
            if (jmh != null) {
                row("JMH (" + jmh.benchmark().substring(jmh.benchmark().lastIndexOf('.') + 1) + ")", String.format(Locale.ROOT, "%.3f %s%s", jmh.score(), jmh.unit(),
                        Double.isNaN(jmh.error()) ? "" : String.format(Locale.ROOT, " ± %.3f (99.9%%)", jmh.error())));
            }
            out.append("</tbody></table>\n");
            if (!c.errors().isEmpty()) {
                out.append("<h3>Failures by class</h3>\n<table><thead><tr><th>class</th><th>calls</th><th>examples</th></tr></thead><tbody>\n");
                for (Map.Entry<ErrorClass, Long> entry : c.errors().entrySet()) {
                    List<String> samples = run.errorSamples().getOrDefault(entry.getKey(), List.of());
                    out.append("<tr><td><code>").append(e(entry.getKey().wireName())).append("</code></td><td>")
                            .append(Format.count(entry.getValue())).append("</td><td>");
                    for (String sample : samples) {
                        out.append("<div class=\"sample\">").append(e(sample)).append("</div>");
                    }
                    out.append("</td></tr>\n");
                }
                out.append("</tbody></table>\n");
            }
        }

        private void cost() {
            Costs costs = run.costs();
            if (costs == null) {
                return;
            }
            ModelPrice price = costs.tariff().price();
            Costs.Distribution task = costs.perTask();
            out.append("<h2>What it cost</h2>\n<p class=\"lead\">The measured calls cost <b>").append(Format.usd(costs.total()))
                    .append("</b> at ").append(e(price.model())).append("'s list prices (").append(e(price.currency())).append(", effective ")
                    .append(e(price.effective())).append(", ").append(e(costs.tariff().billing())).append(" billing; catalog ")
                    .append(e(run.catalog().describe())).append(").");
            if (task.count() > 0) {
                out.append(" One task (an episode, every attempt included) cost ").append(Format.usd(task.mean())).append(" on average; half cost under ")
                        .append(Format.usd(task.p50())).append(", one in ten over ").append(Format.usd(task.p90())).append(". ");
                out.append(costs.successfulTasks() == task.count() ? "Every task succeeded."
                        : costs.perSuccessfulTask() == null ? "No task succeeded: everything it cost bought nothing."
                        : "Counting what failed tasks cost too, one successful task cost " + Format.usd(costs.perSuccessfulTask()) + ".");
            }
            out.append("</p>\n<table><thead><tr><th>kind of token</th><th>tokens</th><th>price per million</th><th>cost</th><th>share</th></tr></thead><tbody>\n");
            Rates rates = costs.tariff().rates(); // what this billing charges, batch or priority included
            for (TokenKind k : TokenKind.values()) {
                long tokens = costs.tokensByKind().get(k);
                if (tokens == 0) {
                    continue;
                }
                BigDecimal amount = costs.byKind().get(k);
                out.append("<tr><td>").append(e(k.label())).append("</td><td>").append(Format.count(tokens)).append("</td><td>")
                        .append(Format.usd(rates.of(k))).append("</td><td>").append(Format.usd(amount)).append("</td><td>")
                        .append(costs.total().signum() == 0 ? "-" : Format.percent(amount.doubleValue() / costs.total().doubleValue()))
                        .append("</td></tr>\n");
            }
            out.append("</tbody></table>\n<table><tbody>\n");
            if (costs.failedTasks().signum() > 0) {
                row("failed tasks cost", Format.usd(costs.failedTasks()) + " (paid, and nothing to show for it)");
            }
            if (costs.retried().signum() > 0) {
                row("retried attempts cost", Format.usd(costs.retried()) + " (paid for attempts whose result nobody used)");
            }
            if (costs.estimated().signum() > 0) {
                row("resting on local token counts", Format.usd(costs.estimated()) + " (the server reported no usage for those calls)");
            }
            if (costs.byRole().size() > 1) {
                StringBuilder roles = new StringBuilder();
                costs.byRole().forEach((role, amount) -> roles.append(roles.length() == 0 ? "" : ", ").append(role).append(" ").append(Format.usd(amount)));
                row("by role", roles.toString());
            }
            if (costs.longTierCalls() > 0) {
                row("long-context calls", Format.count(costs.longTierCalls()) + " billed at the long-context tier");
            }
            row("prices", price.model() + " " + rates.input().stripTrailingZeros().toPlainString() + " in / "
                    + rates.cachedInput().stripTrailingZeros().toPlainString() + " cached / " + rates.output().stripTrailingZeros().toPlainString()
                    + " out per million tokens (" + costs.tariff().billing() + (costs.longTierCalls() > 0 ? "; long-context calls at the long tier's" : "")
                    + "); source: " + price.source());
            out.append("</tbody></table>\n");
            for (Charts.Chart chart : costCharts) {
                figure(chart);
            }
            projection();
        }

        private void projection() {
            if (projection == null) {
                out.append("<p class=\"dim\">").append(projectionProblem == null
                        ? "For spend at your volume, month by month: <code>soaklab cost " + e(run.dir()) + " --volume 20000/day</code>."
                        : "The projection could not be made again: " + e(projectionProblem)).append("</p>\n");
                return;
            }
            Projection p = projection;
            Projection.Scenario base = p.scenarios().get(0);
            out.append("<h3>Projection</h3>\n<p>At ").append(Format.count(p.parameters().tasksPerDay().longValue()))
                    .append(" tasks a day, a day costs ").append(Format.usd(p.perDay().p50())).append(" (between ")
                    .append(Format.usd(p.perDay().p10())).append(" and ").append(Format.usd(p.perDay().p90()))
                    .append(", P10 to P90); over ").append(p.parameters().months()).append(" months the base scenario totals ")
                    .append(Format.usd(base.total(Projection.Band::p50))).append(".</p>\n")
                    .append("<table><thead><tr><th>scenario</th><th>assumes</th><th>first month (P50)</th><th>last month (P10 / P50 / P90)</th><th>total (P50)</th></tr></thead><tbody>\n");
            for (Projection.Scenario s : p.scenarios()) {
                Projection.Month last = s.months().get(s.months().size() - 1);
                out.append("<tr><td>").append(e(s.name())).append("</td><td>").append(e(s.assumes())).append("</td><td>")
                        .append(Format.usd(s.months().get(0).spend().p50())).append("</td><td>").append(Format.usd(last.spend().p10()))
                        .append(" / ").append(Format.usd(last.spend().p50())).append(" / ").append(Format.usd(last.spend().p90()))
                        .append("</td><td>").append(Format.usd(s.total(Projection.Band::p50))).append("</td></tr>\n");
            }
            out.append("</tbody></table>\n<table><thead><tr><th>if this changes</th><th>first month (P50)</th><th>difference</th></tr></thead><tbody>\n");
            for (Projection.Sensitivity s : p.sensitivities()) {
                out.append("<tr><td>").append(e(s.change())).append("</td><td>").append(Format.usd(s.firstMonth())).append("</td><td>")
                        .append(s.difference().signum() >= 0 ? "+" : "").append(Format.usd(s.difference())).append("</td></tr>\n");
            }
            out.append("</tbody></table>\n");
            if (!p.reprices().isEmpty()) {
                out.append("<p>The same tokens at other models' prices. This compares prices only: another model's tokenizer and behaviour ")
                        .append("would change the token counts themselves.</p>\n<table><thead><tr><th>model</th><th>per task</th><th>first month (P10 / P50 / P90)</th></tr></thead><tbody>\n");
                for (Projection.Reprice r : p.reprices()) {
                    out.append("<tr><td>").append(e(r.prices())).append("</td><td>").append(Format.usd(r.perTask())).append("</td><td>")
                            .append(Format.usd(r.firstMonth().p10())).append(" / ").append(Format.usd(r.firstMonth().p50())).append(" / ")
                            .append(Format.usd(r.firstMonth().p90())).append("</td></tr>\n");
                }
                out.append("</tbody></table>\n");
            }
            out.append("<p class=\"dim\">Assumes: ").append(e(String.join("; ", CostFiles.assumptions(run, p))))
                    .append(". Month by month in <code>").append(CostFiles.CSV).append("</code>.</p>\n");
        }

        private void figure(Charts.Chart chart) {
            if (chart.file() == null) {
                out.append("<p class=\"dim\"><b>").append(e(chart.title())).append(":</b> ").append(e(chart.caption())).append("</p>\n");
                return;
            }
            out.append("<figure><img src=\"").append(CHARTS).append('/').append(e(chart.file())).append("\" width=\"")
                    .append(Charts.WIDTH).append("\" height=\"").append(Charts.HEIGHT).append("\" alt=\"").append(e(chart.title()))
                    .append("\"><figcaption>").append(e(chart.caption())).append("</figcaption></figure>\n");
        }

        /** What a scenario's per-episode count is called in words; an unknown key (a scenario of one's own) reads with spaces. */
        private static String metricLabel(String key) {
            return switch (key) {
                case "tool_calls" -> "tool calls";
                case "tool_failures" -> "tool failures";
                case "tool_retries" -> "tool retries";
                case "tool_failure_episodes" -> "share of episodes with a tool failure";
                case "recovered" -> "recovered from a tool failure";
                case "fallbacks" -> "fallbacks to another tool";
                case "extra_calls" -> "extra calls from failures";
                case "extra_tokens" -> "extra tokens from failures";
                case "endpoint_error" -> "endpoint errors";
                case "compactions" -> "compactions";
                case "compaction_calls" -> "compaction calls";
                case "compaction_saved_tokens" -> "tokens removed by compaction";
                case "memory_calls" -> "memory calls";
                case "carried_tokens" -> "tokens carried into a resumed session";
                case "specialists" -> "specialists";
                case "plan_ms" -> "planning (ms)";
                case "parallel_ms" -> "specialists in parallel (ms)";
                case "merge_ms" -> "merging (ms)";
                case "probe_questions" -> "probe questions";
                case "probe_exact" -> "probe answers exact";
                case "probe_similarity" -> "probe answer similarity";
                default -> key.replace('_', ' ');
            };
        }

        private void episodes() {
            Episodes ep = run.episodes();
            if (ep.count() == 0) {
                return;
            }
            out.append("<h2>Episodes</h2>\n<table><tbody>\n");
            row("episodes ended", Format.count(ep.count()) + ": " + Format.count(ep.ok()) + " succeeded, " + Format.count(ep.failed())
                    + " failed (" + Format.percent((double) ep.failed() / ep.count()) + ")");
            if (!ep.reasons().isEmpty()) {
                StringBuilder why = new StringBuilder();
                ep.reasons().entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6)
                        .forEach(r -> why.append(why.length() == 0 ? "" : ", ").append(r.getKey()).append(" ").append(Format.count(r.getValue())));
                row("why they failed", why.toString());
            }
            Percentiles d = ep.duration();
            if (!d.empty()) {
                row("duration (succeeded)", "median " + Format.latency(d.p50()) + ", p90 " + Format.latency(d.p90()) + ", p99 " + Format.latency(d.p99()));
            }
            row("calls per episode", String.format(Locale.ROOT, "%.1f (%.1f attempts)", ep.meanCalls(), ep.meanAttempts()));
            StringBuilder tokens = new StringBuilder();
            ep.tokensPerEpisode().forEach((k, v) -> tokens.append(tokens.length() == 0 ? "" : ", ").append(k).append(" ").append(Format.count(Math.round(v))));
            row("tokens per episode", tokens.toString());
            if (!ep.metricSums().isEmpty()) {
                StringBuilder m = new StringBuilder();
                ep.metricSums().forEach((k, v) -> {
                    double mean = v / ep.count();
                    m.append(m.length() == 0 ? "" : ", ").append(metricLabel(k)).append(" ")
                            .append(String.format(Locale.ROOT, Math.abs(mean) < 10 ? "%.2f" : "%,.0f", mean));
                });
                row("per episode, on average", m.toString());
            }
            if (ep.compactionSavedTokens() > 0) {
                row("compaction", Format.count(ep.eventCounts().getOrDefault("compaction", 0L)) + " compactions removed "
                        + Format.count(ep.compactionSavedTokens()) + " tokens from conversations");
            }
            if (!ep.toolFailureActions().isEmpty()) {
                Map<String, Double> sums = ep.metricSums();
                double withFailures = sums.getOrDefault("tool_failure_episodes", 0.0);
                row("tool failures", ep.toolFailureActions().toString().replaceAll("[{}]", "").replace("=", " ")
                        + (withFailures > 0 ? String.format(Locale.ROOT, "; %.0f of %.0f episodes with a failure recovered (%s)",
                        sums.getOrDefault("recovered", 0.0), withFailures, Format.percent(sums.getOrDefault("recovered", 0.0) / withFailures)) : "")
                        + (sums.containsKey("extra_calls") ? String.format(Locale.ROOT, "; failures caused %.0f extra calls and %s tokens",
                        sums.get("extra_calls"), Format.count(Math.round(sums.getOrDefault("extra_tokens", 0.0)))) : ""));
            }
            if (!ep.slowestRoles().isEmpty()) {
                row("critical path", "slowest specialist: " + ep.slowestRoles().toString().replaceAll("[{}]", "").replace("=", " ") + " times");
            }
            if (!ep.carriedByArm().isEmpty()) {
                StringBuilder c = new StringBuilder();
                ep.carriedByArm().forEach((arm, v) -> c.append(c.length() == 0 ? "" : ", ").append(arm).append(" ").append(Format.count(Math.round(v))));
                row("carried into a resumed session", c + " tokens on average (calls by arm in the table below)");
            }
            out.append("</tbody></table>\n");
        }

        private void roles() {
            Map<String, RunData.RoleStats> roles = run.roles();
            if (roles.size() < 2) {
                return;
            }
            Costs costs = run.costs();
            out.append("<h2>By role</h2>\n<table><thead><tr><th>role</th><th>calls</th><th>failed</th><th>retries</th><th>input tokens</th>")
                    .append("<th>cached</th><th>output tokens</th><th>spend</th><th>TTFT p50</th><th>E2E p50</th><th>E2E p99</th></tr></thead><tbody>\n");
            roles.forEach((role, r) -> out.append("<tr><td>").append(e(role)).append("</td><td>").append(Format.count(r.calls()))
                    .append("</td><td>").append(Format.count(r.failed())).append("</td><td>").append(Format.count(r.attempts() - r.calls()))
                    .append("</td><td>").append(Format.count(r.prompt())).append("</td><td>").append(Format.count(r.cached()))
                    .append("</td><td>").append(Format.count(r.completion())).append("</td><td>").append(costs == null ? "-" : Format.usd(costs.byRole().getOrDefault(role, BigDecimal.ZERO)))
                    .append("</td><td>").append(r.ttft().empty() ? "-" : Format.latency(r.ttft().p50())).append("</td><td>")
                    .append(r.e2e().empty() ? "-" : Format.latency(r.e2e().p50())).append("</td><td>")
                    .append(r.e2e().empty() ? "-" : Format.latency(r.e2e().p99())).append("</td></tr>\n"));
            out.append("</tbody></table>\n<p class=\"dim\">From <code>calls.jsonl</code>. Latency counts from the first attempt's intended start.</p>\n");
        }

        private void probes() {
            Episodes ep = run.episodes();
            Episodes.Accuracy all = ep.probes();
            if (all.questions() == 0) {
                return;
            }
            out.append("<h2>Long-context probes</h2>\n<p>").append(Format.count(all.questions())).append(" questions, ")
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
                out.append("<tr").append(cut ? " class=\"bad\"" : "").append("><td>").append(Format.count(Math.round(bin.meanTokens())))
                        .append("</td><td>").append(e(planned)).append(cut ? " &mdash; the server processed far less than was sent" : "")
                        .append("</td><td>").append(Format.count(a.questions())).append("</td><td>").append(Format.percent(a.rate()))
                        .append("</td><td>").append(String.format(Locale.ROOT, "%.3f", a.meanSimilarity())).append("</td></tr>\n");
            }
            out.append("</tbody></table>\n<table><thead><tr><th>depth of the fact</th><th>questions</th><th>exact</th></tr></thead><tbody>\n");
            List<Episodes.Accuracy> depths = ep.probeByDepth();
            for (int i = 0; i < depths.size(); i++) {
                Episodes.Accuracy a = depths.get(i);
                out.append("<tr><td>").append(i * 20).append("–").append((i + 1) * 20).append("%</td><td>").append(Format.count(a.questions()))
                        .append("</td><td>").append(a.questions() == 0 ? "-" : Format.percent(a.rate())).append("</td></tr>\n");
            }
            out.append("</tbody></table>\n<p class=\"dim\">From <code>events.jsonl</code>: each answer checked by exact match of the planted code and an edit-distance similarity.</p>\n");
        }

        private void chartsSection() {
            out.append("<h2>Over time</h2>\n");
            for (Charts.Chart chart : charts) {
                figure(chart);
            }
        }

        private void fidelity() {
            Fidelity f = run.fidelity();
            if (f == null) {
                return;
            }
            out.append("<h2>Measurement fidelity</h2>\n<p>The embedded endpoint logged what it did for every request (<code>")
                    .append(e(EmbeddedEndpoint.TRUTH_FILE)).append("</code>). For ").append(Format.count(f.calls()))
                    .append(" successful calls on open connections (").append(Format.count(f.newConnections()))
                    .append(" that opened theirs are left out: that set-up is in soaklab's figure, not the endpoint's), soaklab's time to first token (from sending) exceeded the endpoint's own (from arrival) by ")
                    .append(Format.latency(f.ttftExcess().p50())).append(" at the median and ").append(Format.latency(f.ttftExcess().p99()))
                    .append(" at the 99th percentile; the end of the stream by ").append(Format.latency(f.endExcess().p50())).append(" and ")
                    .append(Format.latency(f.endExcess().p99())).append(". That is the network and soaklab's own client on this machine.")
                    .append(" The endpoint wrote first tokens later than it planned by ").append(Format.latency(f.endpointLateness().p50()))
                    .append(" (median) and ").append(Format.latency(f.endpointLateness().p99())).append(" (99th percentile).");
            if (f.earlier() > 0) {
                out.append(" <strong>").append(Format.count(f.earlier())).append(" calls were measured earlier than the endpoint says they happened,")
                        .append(" which cannot be: their request ids or clocks do not match, and these figures are not to be trusted.</strong>");
            }
            out.append("</p>\n");
        }

        private void configuration() {
            out.append("<h2>Configuration</h2>\n<table><tbody>\n");
            row("scenario", scenario + (scenario.equals(config.scenario()) ? "" : " (" + config.scenario() + ")"));
            row("load", config.open() ? "open: episodes arriving " + config.arrival() + ", at most " + config.maxInFlight() + " in flight"
                    : "closed: " + config.concurrency() + " users" + (config.thinkTime().isZero() ? "" : ", think time " + Durations.format(config.thinkTime())));
            if (!config.rampUp().isZero()) {
                row("ramp-up", Durations.format(config.rampUp()) + " (not measured)");
            }
            row("duration", Durations.format(config.duration()) + " in " + Format.count(config.windows(), "window") + " of " + Durations.format(config.window()));
            row("warmup", Durations.format(config.warmup()));
            row("endpoint", config.embedded() ? "embedded: " + endpointUrl() : endpointUrl());
            row("model", config.model());
            row("seed", Long.toString(config.seed()));
            row("prices", RunConfig.UNPRICED.equals(config.pricedAs()) ? "not priced (--price-as none)"
                    : config.pricedAs() + ", " + config.billing() + " billing" + (config.prices() == null ? "" : ", own prices " + config.prices())
                    + (config.maxSpend() == null ? "" : ", stop before " + config.maxSpend().toPlainString() + " spent"));
            row("timeouts", "connect " + Durations.format(config.timeouts().connect()) + ", first token "
                    + Durations.format(config.timeouts().firstToken()) + ", idle " + Durations.format(config.timeouts().idle()) + ", call "
                    + Durations.format(config.timeouts().call()));
            if (config.apiKeyEnv() != null) {
                row("API key from", "$" + config.apiKeyEnv());
            }
            if (config.embedded()) {
                row("embedded endpoint", describe(config.sim()));
            }
            row("protocol", config.api().wireName());
            row("created", manifest.created());
            row("started", String.valueOf(manifest.started()));
            row("ended", String.valueOf(manifest.ended()));
            row("host", manifest.host());
            manifest.versions().forEach(this::row);
            out.append("</tbody></table>\n");
        }

        private void files() {
            out.append("<h2>Files</h2>\n<ul>\n");
            for (RunFile f : RunFile.values()) {
                if (f == RunFile.REPORT || f == RunFile.CHARTS || f == RunFile.SIM_TRUTH) {
                    continue;
                }
                String[] file = {f.fileName(), f.description()};
                if (Files.exists(run.dir().resolve(file[0]))) {
                    out.append("<li><a href=\"").append(e(file[0])).append("\"><code>").append(e(file[0])).append("</code></a>: ")
                            .append(e(file[1])).append("</li>\n");
                }
            }
            out.append("</ul>\n");
        }

        private void definitions() {
            out.append("<h2>What the numbers mean</h2>\n<dl>\n")
                    .append("<dt>Episode</dt><dd>One agent task, from its first call's intended start to its last call's end: its calls, tool time, sub-agents and retries.</dd>\n")
                    .append("<dt>Intended start</dt><dd>When the workload wanted a call to start: the end of the agent's previous call plus its tool and think time, or an episode's arrival. ")
                    .append("Every latency counts from here, so a stalled endpoint or a late load generator cannot hide (coordinated omission).</dd>\n")
                    .append("<dt>Time to first token (TTFT)</dt><dd>Intended start to the first chunk carrying text, reasoning or a tool call.</dd>\n")
                    .append("<dt>Inter-token gap (ITL)</dt><dd>Every gap between consecutive content chunks after the first.</dd>\n")
                    .append("<dt>Time per output token (TPOT)</dt><dd>(end - first token) / (output tokens - 1), per call.</dd>\n")
                    .append("<dt>Call latency (E2E)</dt><dd>Intended start to the end of the stream. A retried call counts from its first attempt's intended start: what the agent waited. Each attempt on its own is in <code>attempt</code>.</dd>\n")
                    .append("<dt>Schedule lag</dt><dd>How late soaklab sent a call after its intended start. Large values mean the load generator, not the endpoint, was the bottleneck.</dd>\n")
                    .append("<dt>Spend</dt><dd>Each call's tokens, by kind (fresh input, cache reads, cache writes, output, reasoning), times the catalog's price for that kind, from the usage the server reported; retried attempts are paid for too. docs/costs.md has every rule.</dd>\n")
                    .append("</dl>\n");
        }

        /** The embedded endpoint's model in one line a reader can follow. */
        private static String describe(SimConfig sim) {
            SimConfig.Latency l = sim.latency();
            SimConfig.Serving v = sim.serving();
            SimConfig.Limits limits = sim.limits();
            SimConfig.Faults f = sim.faults();
            double faultOdds = f.http500() + f.http502() + f.http503() + f.overloaded() + f.overloadedMidStream() + f.reset() + f.stall()
                    + f.malformed() + f.slowFirstByte() + f.neverEnds();
            return String.format(Locale.ROOT,
                    "profile %s: base latency %s, prefill %,.0f tokens/s, decode %,.1f tokens/s per stream (jitter ±%.0f%%), %d decode slots, "
                            + "replies of %d tokens (median), context %,d tokens, prefix caching %s, %s, %s, %s",
                    sim.profile(), Durations.format(l.base()), l.prefillTokensPerSecond(), l.decodeTokensPerSecond(), l.jitter() * 100,
                    v.maxBatch(), sim.replies().outputTokensMedian(), v.contextWindow(),
                    sim.caching().enabled() ? "on (" + Durations.format(sim.caching().ttl()) + ")" : "off",
                    limits.any() ? "rate limits " + limits.requestsPerMinute() + " requests and " + limits.tokensPerMinute() + " tokens a minute" : "no rate limits",
                    faultOdds > 0 ? String.format(Locale.ROOT, "faults in %.2f%% of requests", faultOdds * 100) : "no faults",
                    sim.drift().latencyPerHour() != 0 || !sim.drift().waveEvery().isZero() || !sim.drift().burstEvery().isZero()
                            ? String.format(Locale.ROOT, "drift %+.0f%%/hour", sim.drift().latencyPerHour() * 100) : "no drift");
        }

        private String endpointUrl() {
            return manifest.endpoint() == null ? (config.endpoint() == null ? "embedded" : config.endpoint().toString())
                    : manifest.endpoint().url().toString();
        }

        private void row(String name, String value) {
            out.append("<tr><th>").append(e(name)).append("</th><td>").append(e(value)).append("</td></tr>\n");
        }

        private static String e(Object value) {
            return Html.escape(value);
        }
    }

    static final String CSS = String.join("\n",
            "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}",
            "h1{font-size:1.6em;margin-bottom:.2em}h1 .id{font-weight:normal;color:#666;font-size:.7em}",
            "h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1em}",
            "table{border-collapse:collapse;margin:.5em 0;font-size:.92em}th,td{padding:.25em .7em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}",
            "thead th{background:#f5f5f5}tbody th{font-weight:normal;color:#555;white-space:nowrap}td{font-variant-numeric:tabular-nums}",
            ".status{padding:.6em .9em;border-radius:4px}.ok{background:#e8f5e9}.warn{background:#fff4e5}.bad{background:#fdecea}.info{background:#e3f2fd}",
            ".lead{font-size:1.05em}li.worse{color:#a00}.dim{color:#777;font-size:.9em}.notes{background:#fff8e1;padding:.6em 2em}",
            ".sample{font-family:ui-monospace,monospace;font-size:.85em;color:#555;word-break:break-word}",
            "figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#666;font-size:.9em}",
            "footer{margin-top:3em;color:#999;font-size:.8em}dt{font-weight:bold;margin-top:.5em}");
}
