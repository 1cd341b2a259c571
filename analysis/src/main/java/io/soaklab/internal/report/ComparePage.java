package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Comparison;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.internal.record.Metric;
import io.soaklab.run.RunConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * {@code compare.html}: two runs side by side, for model A against model B, a prompt before and
 * after a change, the cache on and off. Self-contained but for its charts beside it.
 */
public final class ComparePage {

    /** The page's file name. */
    public static final String FILE = "compare.html";

    private ComparePage() {
    }

    /** Writes the comparison into {@code out} (a folder); returns the page. */
    public static Path write(Comparison c, Path out) throws IOException {
        Files.createDirectories(out);
        RunData a = c.a();
        RunData b = c.b();
        String nameA = a.manifest().runId();
        String nameB = b.manifest().runId();
        Path charts = out.resolve("compare-charts");
        List<Charts.Chart> drawn = List.of(
                overlay(charts, "ttft-p99.png", "TTFT p99 per window", "milliseconds", c, w -> ms(w, Metric.TTFT, Percentiles::p99)),
                overlay(charts, "e2e-p99.png", "E2E p99 per window", "milliseconds", c, w -> ms(w, Metric.E2E, Percentiles::p99)),
                overlay(charts, "throughput.png", "Calls per second", "calls / s", c, w -> w.calls() / w.seconds()));
        StringBuilder html = new StringBuilder(16 << 10);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>soaklab compare: ")
                .append(Html.escape(nameA)).append(" vs ").append(Html.escape(nameB)).append("</title>\n<style>").append(Report.CSS)
                .append("</style></head><body>\n<h1>soaklab compare</h1>\n");
        html.append("<table><thead><tr><th></th><th>A</th><th>B</th></tr></thead><tbody>\n");
        row(html, "run", nameA, nameB);
        row(html, "status", a.status().wireName(), b.status().wireName());
        row(html, "scenario", a.manifest().config().workload().scenarioName(), b.manifest().config().workload().scenarioName());
        row(html, "endpoint", endpoint(a), endpoint(b));
        row(html, "model (priced as)", model(a.manifest().config()), model(b.manifest().config()));
        row(html, "load", load(a.manifest().config()), load(b.manifest().config()));
        row(html, "windows", a.windows().size() + " of " + a.manifest().config().schedule().window().toSeconds() + " s",
                b.windows().size() + " of " + b.manifest().config().schedule().window().toSeconds() + " s");
        row(html, "calls", Format.count(a.calls().calls()), Format.count(b.calls().calls()));
        row(html, "spend", Format.usd(a.calls().spend()), Format.usd(b.calls().spend()));
        html.append("</tbody></table>\n");
        List<Comparison.Row> diffs = c.differences();
        html.append("<h2>In short</h2>\n<p class=\"lead\">").append(diffs.isEmpty() ? "No series differs significantly between A and B."
                : diffs.size() + " of " + c.rows().size() + " series differ significantly between A and B"
                + (diffs.stream().anyMatch(Comparison.Row::worse) ? ", " + diffs.stream().filter(Comparison.Row::worse).count() + " for the worse in B." : ".")).append("</p>\n<ul>\n");
        for (Comparison.Row r : c.rows()) {
            html.append("<li").append(r.pValue() < Comparison.ALPHA ? (r.worse() ? " class=\"worse\"" : " class=\"better\"") : "").append(">")
                    .append(Html.escape(Sentences.row(r))).append("</li>\n");
        }
        html.append("</ul>\n");
        for (String caveat : Sentences.caveats(c)) {
            html.append("<p class=\"notes\">").append(Html.escape(caveat)).append(".</p>\n");
        }
        html.append("<p class=\"dim\">Each series compares the two runs' per-window values (the median window is shown) with a")
                .append(" Mann-Whitney U test, two-sided, at p &lt; ").append(Comparison.ALPHA).append(": a window is one sample.</p>\n");
        for (Charts.Chart chart : drawn) {
            html.append("<figure><img src=\"compare-charts/").append(Html.escape(chart.file())).append("\" width=\"").append(Charts.WIDTH)
                    .append("\" height=\"").append(Charts.HEIGHT).append("\" alt=\"").append(Html.escape(chart.title())).append("\"><figcaption>")
                    .append(Html.escape(chart.caption())).append("</figcaption></figure>\n");
        }
        html.append("</body></html>\n");
        Path page = out.resolve(FILE);
        Report.replace(page, html.toString().getBytes(StandardCharsets.UTF_8));
        return page;
    }

    private static Charts.Chart overlay(Path dir, String file, String title, String unit, Comparison c, ToDoubleFunction<WindowStats> value)
            throws IOException {
        return Charts.overlay(dir, file, title, "A: " + c.a().manifest().runId() + ", B: " + c.b().manifest().runId() + ".", unit,
                "A", values(c.a(), value), "B", values(c.b(), value));
    }

    private static double[] values(RunData run, ToDoubleFunction<WindowStats> value) {
        return run.windows().stream().mapToDouble(value).toArray();
    }

    private static double ms(WindowStats w, Metric m, ToDoubleFunction<Percentiles> which) {
        Percentiles p = w.latency(m);
        return p.empty() ? Double.NaN : which.applyAsDouble(p) / 1000.0;
    }

    private static String endpoint(RunData run) {
        return run.manifest().endpoint() == null ? "-" : run.manifest().endpoint().embedded() ? "embedded (" + run.manifest().config().target().sim().profile() + ")"
                : run.manifest().endpoint().url().toString();
    }

    private static String model(RunConfig c) {
        return (c.target().model() == null ? "soaklab-sim" : c.target().model()) + " (" + c.pricedAs() + ")";
    }

    private static String load(RunConfig c) {
        return c.workload().open() ? "arrivals " + c.workload().arrival() : c.workload().concurrency() + " users";
    }

    private static void row(StringBuilder html, String name, String a, String b) {
        html.append("<tr><th>").append(Html.escape(name)).append("</th><td>").append(Html.escape(a)).append("</td><td>").append(Html.escape(b))
                .append("</td></tr>\n");
    }
}
