package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.Slos;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.scenario.Scenarios;
import java.util.List;

/** One report page as it is written: the run, what was drawn and held for it, and the HTML so far; the sections write into it. */
final class Page {

    final RunData run;
    final List<Charts.Chart> charts;
    final List<Charts.Chart> costCharts;
    final Projection projection;
    final String projectionProblem;
    final Slos slos;
    final RunManifest manifest;
    final RunConfig config;
    final StringBuilder out = new StringBuilder(32 << 10);

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
        String name = config.workload().scenario();
        String timed = null;
        try {
            io.soaklab.scenario.ScenarioSpec kept = Scenarios.kept(run.dir());
            name = kept == null ? name : kept.name();
            if (kept != null && kept.kind() == io.soaklab.scenario.ScenarioSpec.Kind.REPLAY && kept.replay().timed() && !config.workload().open()) {
                timed = "at their recorded times" + (kept.replay().speed() == 1 ? "" : " / " + java.math.BigDecimal.valueOf(kept.replay().speed()).stripTrailingZeros().toPlainString());
            }
        } catch (IllegalArgumentException unreadable) {
            // the configured name stands
        }
        this.scenario = name;
        this.replayTimes = timed;
    }

    final String scenario;
    /** How a timed replay's sessions arrived (an open load of its own), or null for any other run. */
    final String replayTimes;

    String render() {
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>soaklab report: ").append(e(manifest.runId())).append("</title>\n")
                .append("<style>").append(Report.CSS).append("</style></head><body>\n");
        RunSections.header(this);
        FinanceSummary.write(this);
        RunSections.summary(this);
        if (io.soaklab.internal.analysis.Capacity.isSweep(run)) {
            try {
                SweepSections.section(this);
            } catch (java.io.IOException e) {
                out.append("<p class=\"status bad\">The sweep's stages could not be read: ").append(e(e.getMessage())).append("</p>\n");
            }
        }
        RunSections.notes(this);
        RunSections.checks(this);
        RunSections.objectives(this);
        if (io.soaklab.internal.analysis.Capacity.isSweep(run)) {
            // its load changes stage by stage, by design: a trend over its windows is the sweep's own ramp, not a degradation
            out.append("<h2>What changed over time</h2>\n<p>Not tested: a sweep changes its load stage by stage, so its windows' latency")
                    .append(" rises with its load by design. Each stage is in the Capacity section above; soak at one level to test for drift.</p>\n");
        } else {
            RunSections.changes(this);
        }
        MeasureSections.latency(this);
        MeasureSections.callsAndSpend(this);
        CostSections.cost(this);
        EpisodeSections.episodes(this);
        EpisodeSections.roles(this);
        EpisodeSections.probes(this);
        MeasureSections.chartsSection(this);
        MeasureSections.fidelity(this);
        AboutSections.configuration(this);
        AboutSections.files(this);
        AboutSections.definitions(this);
        out.append("<footer>soaklab ").append(e(manifest.soaklab())).append("</footer>\n</body></html>\n");
        return out.toString();
    }

    void figure(Charts.Chart chart) {
        if (chart.file() == null) {
            out.append("<p class=\"dim\"><b>").append(e(chart.title())).append(":</b> ").append(e(chart.caption())).append("</p>\n");
            return;
        }
        out.append("<figure><img src=\"").append(Report.CHARTS).append('/').append(e(chart.file())).append("\" width=\"")
                .append(Charts.WIDTH).append("\" height=\"").append(Charts.HEIGHT).append("\" alt=\"").append(e(chart.title()))
                .append("\"><figcaption>").append(e(chart.caption())).append("</figcaption></figure>\n");
    }

    /** What a scenario's per-episode count is called in words; an unknown key (a scenario of one's own) reads with spaces. */
    static String metricLabel(String key) {
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

    String endpointUrl() {
        return manifest.endpoint() == null ? (config.target().endpoint() == null ? "embedded" : config.target().endpoint().toString())
                : manifest.endpoint().url().toString();
    }

    void row(String name, String value) {
        out.append("<tr><th>").append(e(name)).append("</th><td>").append(e(value)).append("</td></tr>\n");
    }

    static String e(Object value) {
        return Html.escape(value);
    }
}
