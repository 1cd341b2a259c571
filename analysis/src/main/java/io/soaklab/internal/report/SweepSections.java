package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Capacity;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.run.Slo;
import io.soaklab.run.RunConfig;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * A capacity sweep in words: the one sentence that answers it (what the endpoint sustains within the
 * objectives, with each objective's confidence interval, the first level that missed and what the
 * limit was), a line per stage for the console, and the report's section with its stages and curves.
 */
public final class SweepSections {

    private SweepSections() {
    }

    /**
     * The answer, e.g. "Sustains 8 users (25.1 episodes/min, 25.1 calls/s) with TTFT p99 ≤ 500 ms and errors ≤ 1% (TTFT p99 212 ms,
     * 95% CI 180–240 ms; errors 0.00%); at 9 users TTFT p99 was 1.21 s (95% CI ...). The limit was the endpoint."
     */
    public static String sentence(Capacity c) {
        RunConfig.Sweep sweep = c.sweep();
        Capacity.Stage met = c.highestMet();
        Capacity.Stage missed = c.lowestMissed();
        StringBuilder s = new StringBuilder();
        Capacity.Limit limit = c.limit();
        if (met == null && missed == null) {
            return "No stage measured: the sweep ended before its first stage's windows.";
        }
        if (limit == Capacity.Limit.RATE_LIMITS) {
            Capacity.Stage limited = c.byLevel().stream().filter(st -> st.limit() == Capacity.Limit.RATE_LIMITS).findFirst().orElse(missed);
            s.append("Rate-limited, not a capacity: at ").append(sweep.level(limited.level())).append(" the provider refused ")
                    .append(Format.percent(limited.rateLimitedShare())).append(" of the calls with HTTP 429");
            s.append(c.rateLimit() == null ? " (its responses named no limit)" : " (its limit: " + c.rateLimit() + ")");
            if (met != null) {
                s.append("; ").append(sweep.level(met.level())).append(" met every objective (").append(throughput(met)).append(')');
            }
            return s.append(". The endpoint's own capacity lies above what this account may send.").toString();
        }
        if (met == null) {
            s.append("Misses the objectives already at the lowest level, ").append(sweep.level(missed.level())).append(": ")
                    .append(missedObjectives(missed)).append('.');
            return s.append(limitSentence(limit, null, missed, sweep)).toString();
        }
        s.append(missed == null ? "Sustains at least " : "Sustains ").append(sweep.level(met.level())).append(" (").append(throughput(met))
                .append(") with ").append(objectivesText(met.objectives())).append(": ").append(values(met.objectives(), true));
        if (missed == null) {
            s.append(met.level() >= sweep.round(sweep.to()) ? ", the highest level asked for." : ", the highest level tried: the sweep stopped before "
                    + sweep.level(sweep.to()) + (c.stopped() == null ? "." : " (" + c.stopped() + ")."));
        } else {
            s.append("; at ").append(sweep.level(missed.level())).append(' ').append(missedObjectives(missed)).append('.');
        }
        return s.append(limitSentence(limit, met, missed, sweep)).toString();
    }

    private static String limitSentence(Capacity.Limit limit, Capacity.Stage met, Capacity.Stage missed, RunConfig.Sweep sweep) {
        return switch (limit) {
            case NONE -> met.level() >= sweep.round(sweep.to()) ? " The limit lies above the sweep's range." : " The limit lies above " + sweep.level(met.level()) + ".";
            case ENDPOINT -> " The limit was the endpoint: the load generator kept its schedule and no call was rate-limited.";
            case GENERATOR -> " The limit was the load generator itself at " + sweep.level(missed.level())
                    + " (it fell behind its schedule, or its CPU or GC ran out): the endpoint may sustain more.";
            case RATE_LIMITS -> " The limit was the provider's rate limit.";
        };
    }

    /** {@code 41.8 episodes/min, 12.4 calls/s}. */
    private static String throughput(Capacity.Stage s) {
        return String.format(Locale.ROOT, "%s episodes/min, %s calls/s", Format.rate(s.episodesPerMinute()), Format.rate(s.callsPerSecond()));
    }

    /** {@code TTFT p99 ≤ 2 s and errors ≤ 1%}. */
    static String objectivesText(List<Capacity.Objective> objectives) {
        return join(objectives.stream().map(o -> name(o.slo()) + " ≤ " + limit(o.slo())).toList());
    }

    /** {@code TTFT p99 1.62 s (95% CI 1.41 s–1.83 s), errors 0.00%}, or with "was": {@code TTFT p99 was 1.62 s ...}. */
    private static String values(List<Capacity.Objective> objectives, boolean was) {
        return String.join(", ", objectives.stream().map(o -> value(o, was)).toList());
    }

    private static String missedObjectives(Capacity.Stage s) {
        if (s.calls() == 0) {
            return "no call ended";
        }
        return String.join(", ", s.objectives().stream().filter(o -> !o.met()).map(o -> value(o, true)).toList());
    }

    /** One objective's value with its interval, when its windows differed: {@code TTFT p99 212 ms (95% CI 180 ms–240 ms)}. */
    static String value(Capacity.Objective o, boolean was) {
        String v = name(o.slo()) + (was ? (o.slo().metric().equals("errors") ? " were " : " was ") : " ") + RunSections.sloValue(o.slo(), o.value());
        if (o.measured() && !Double.isNaN(o.low()) && o.high() > o.low()) {
            v += " (95% CI " + RunSections.sloValue(o.slo(), o.low()) + "–" + RunSections.sloValue(o.slo(), o.high()) + ")";
        }
        return v;
    }

    /** {@code TTFT p99}, {@code errors}, {@code episode cost p95}. */
    static String name(Slo slo) {
        if (slo.metric().equals("errors")) {
            return "errors";
        }
        String p = new java.math.BigDecimal(slo.percentile()).stripTrailingZeros().toPlainString();
        String metric = slo.latency() && !slo.metric().equals("episode") ? slo.metric().toUpperCase(Locale.ROOT) : slo.metric().replace('.', ' ');
        return metric + " p" + p;
    }

    private static String limit(Slo slo) {
        return RunSections.sloValue(slo, slo.limit().doubleValue());
    }

    private static String join(List<String> parts) {
        if (parts.size() <= 1) {
            return String.join("", parts);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    /** A stage, for the console: {@code stage 3 (bisect) at 12 users: 9.8 calls/s, TTFT p99 1.2 s, errors 0.00%: met}. */
    public static String stageLine(Capacity c, Capacity.Stage s) {
        RunConfig.Sweep sweep = c.sweep();
        String head = "stage " + (s.line().stage() + 1) + " (" + s.line().search().name().toLowerCase(Locale.ROOT) + ") at " + sweep.level(s.level()) + ": ";
        if (!s.measured()) {
            return head + "not measured";
        }
        return head + Format.rate(s.callsPerSecond()) + " calls/s, " + Format.rate(s.outputTokensPerSecond()) + " output tokens/s; "
                + values(s.objectives(), false) + (s.rateLimited() > 0 ? "; " + Format.count(s.rateLimited()) + " refused with 429" : "")
                + (s.generatorBound() ? "; the load generator fell behind" : "") + ": " + (s.met() ? "met" : "missed");
    }

    /** The report's section: the answer, the stages, the curves. */
    static void section(Page page) throws IOException {
        Capacity c = Capacity.of(page.run);
        RunConfig.Sweep sweep = c.sweep();
        page.out.append("<h2>Capacity</h2>\n<p class=\"lead\">").append(Page.e(sentence(c))).append("</p>\n");
        page.out.append("<p class=\"dim\">A sweep of ").append(sweep.kind() == RunConfig.Sweep.Kind.USERS ? "concurrent users" : "arrival rates")
                .append(" from ").append(Page.e(sweep.level(sweep.from()))).append(" to ").append(Page.e(sweep.level(sweep.to())))
                .append(": a ladder up by ×").append(new java.math.BigDecimal(sweep.factor()).stripTrailingZeros().toPlainString()).append(" until a stage missed an objective, then bisection to within ")
                .append(Format.percent(sweep.precision())).append(". Each stage left out ").append(c.stages().isEmpty() ? 0 : c.stages().get(0).line().settleWindows())
                .append(" window(s) while the load moved and settled, then measured ").append(sweep.stageWindows())
                .append(" windows; an objective's value is over a stage's measured windows together, its 95% confidence interval from the windows' own values (batch means).")
                .append(" Every stage is in <code>sweep.csv</code>.</p>\n");
        page.out.append("<table><thead><tr><th>stage</th><th>level</th><th>calls/s</th><th>output tokens/s</th><th>episodes/min</th>")
                .append("<th>TTFT p50</th><th>TTFT p99</th><th>E2E p99</th><th>episode p99</th><th>goodput /s</th><th>cost per task</th>")
                .append("<th>errors</th><th>429s</th><th>verdict</th></tr></thead><tbody>\n");
        for (Capacity.Stage s : c.stages()) {
            page.out.append("<tr><td>").append(s.line().stage() + 1).append(' ').append(s.line().search().name().toLowerCase(Locale.ROOT))
                    .append("</td><td>").append(Page.e(sweep.level(s.level()))).append("</td>");
            if (!s.measured()) {
                page.out.append("<td colspan=\"12\">not measured: the run ended first</td></tr>\n");
                continue;
            }
            page.out.append("<td>").append(Format.rate(s.callsPerSecond())).append("</td><td>").append(Format.rate(s.outputTokensPerSecond()))
                    .append("</td><td>").append(Format.rate(s.episodesPerMinute())).append("</td><td>").append(lat(s.ttft(), false))
                    .append("</td><td>").append(lat(s.ttft(), true)).append("</td><td>").append(lat(s.e2e(), true)).append("</td><td>")
                    .append(lat(s.episode(), true)).append("</td><td>").append(Double.isNaN(s.goodput()) ? "" : Format.rate(s.goodput()))
                    .append("</td><td>").append(s.costPerTask() == null ? "" : Format.usd(s.costPerTask())).append("</td><td>")
                    .append(s.calls() == 0 ? "" : Format.percent((double) s.errors() / s.calls())).append("</td><td>")
                    .append(Format.count(s.rateLimited())).append("</td><td>").append(s.met() ? "met" : "<b>missed</b>")
                    .append(s.generatorBound() ? " (generator-bound)" : "").append("</td></tr>\n");
        }
        page.out.append("</tbody></table>\n");
        for (Charts.Chart chart : SweepCharts.draw(c, page.run.dir())) {
            page.figure(chart);
        }
    }

    private static String lat(Percentiles p, boolean p99) {
        return p.empty() ? "" : Format.latency(p99 ? p.p99() : p.p50());
    }
}
