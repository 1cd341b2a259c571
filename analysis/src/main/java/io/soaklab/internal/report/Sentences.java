package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Comparison;
import io.soaklab.internal.analysis.ContextTrend;
import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.Trend;
import io.soaklab.internal.text.Durations;
import io.soaklab.internal.text.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The analysis' findings in words, each with the figures and the test it rests on: what changed
 * over a run ({@link Degradation}), how a series follows the context's size ({@link ContextTrend}),
 * how two runs differ ({@link Comparison}). Every figure a sentence quotes agrees with the others
 * (docs/analysis.md; {@code SentencesTest} reads each kind back from its text and checks). Public
 * for the command line, which prints a comparison's rows, and for the analysis' tests, which hold
 * their findings to the words they are stated in.
 */
public final class Sentences {

    private Sentences() {
    }

    /** One sentence on what was tested: all there is for a run with nothing to state or too short to test, else what leads the findings. */
    public static String summary(Degradation d) {
        if (d.tested() < Degradation.MIN_WINDOWS) {
            return "Too few windows (" + d.tested() + ") to test for trends: " + Degradation.MIN_WINDOWS + " or more are needed.";
        }
        List<Degradation.Finding> stated = d.findings();
        if (stated.isEmpty()) {
            String series = String.join(", ", d.series().stream().map(Degradation.Finding::series).toList());
            return "Nothing degraded: over " + d.tested() + " windows no series (" + series + ") showed a trend or step of "
                    + Degradation.MIN_CHANGE_PERCENT + "% or more at p < " + Degradation.ALPHA + ".";
        }
        long worse = stated.stream().filter(Degradation.Finding::worse).count();
        return worse == 0 ? "Changes over the run, none for the worse:" : worse + " of " + d.series().size() + " series degraded over the run:";
    }

    /** A finding of {@code d} in words: its trend, its steps; null when it states nothing ({@link Degradation.Finding#stated()}). */
    public static String finding(Degradation d, Degradation.Finding f) {
        String unit = f.unit();
        double change = f.change();
        Trend trend = f.trend();
        StringBuilder text = new StringBuilder();
        if (f.trending()) {
            text.append(f.series()).append(change > 0 ? " rose " : " fell ")
                    .append(Double.isInfinite(change) ? "from zero" : String.format(Locale.ROOT, "%.0f%%", Math.abs(change)))
                    .append(" from the first to the last ").append(part(d.partMillis())).append(" (").append(Format.amount(f.first(), unit))
                    .append(" to ").append(Format.amount(f.last(), unit));
            if (f.rateAgrees()) {
                text.append(", ").append(Format.clock(d.apartMillis())).append(" apart; trend ").append(signedSlope(trend.slope(), unit))
                        .append(" an hour, 95% CI ").append(signedSlope(trend.slopeLow(), unit)).append(" to ").append(signedSlope(trend.slopeHigh(), unit));
            }
            text.append("; Mann-Kendall ").append(Format.pValue(trend.pValue())).append(")");
        }
        for (Degradation.Step s : f.steps()) {
            if (!s.matters()) {
                continue;
            }
            double jump = s.change().after() - s.change().before();
            text.append(text.length() == 0 ? f.series() + ": " : "; ").append("step from window ").append(s.window() + 1).append(" (")
                    .append(Format.clock(s.elapsedMillis())).append(" into the run; ")
                    .append(jump >= 0 ? "+" : "-").append(Format.amount(Math.abs(jump), unit)).append(": ").append(Format.amount(s.change().before(), unit))
                    .append(" to ").append(Format.amount(s.change().after(), unit)).append(", permutation ").append(Format.pValue(s.change().pValue()))
                    .append(")");
        }
        return text.length() == 0 ? null : text + ".";
    }

    /**
     * A client step for the worse beside the server's own series: which moved with it, from what to
     * what; or, when none did, that the change lies outside what the server measures.
     */
    public static String server(io.soaklab.internal.analysis.ServerFindings.Step s) {
        double before = s.step().change().before();
        double after = s.step().change().after();
        String unit = s.client().unit();
        StringBuilder text = new StringBuilder(s.client().series()).append(after >= before ? " rose " : " fell ");
        if (before > 0 && after / before >= 1.5) {
            text.append(String.format(Locale.ROOT, "%.1f×", after / before));
        } else {
            text.append(String.format(Locale.ROOT, "%.0f%%", before == 0 ? 100 : Math.abs(after - before) / Math.abs(before) * 100));
        }
        text.append(" from window ").append(s.step().window() + 1).append(" (").append(Format.amount(before, unit)).append(" to ")
                .append(Format.amount(after, unit)).append(")");
        if (s.moved().isEmpty()) {
            text.append("; none of the server's own series (").append(String.join(", ", s.tested().stream()
                    .map(io.soaklab.internal.analysis.ServerFindings.Series::words).toList()))
                    .append(") stepped with it: the change lies outside what the server measures (the network, a proxy, the client).");
            return text.toString();
        }
        text.append(", when ");
        double worst = 0;
        for (int i = 0; i < s.moved().size(); i++) {
            io.soaklab.internal.analysis.ServerFindings.Moved m = s.moved().get(i);
            text.append(i == 0 ? "" : i == s.moved().size() - 1 ? " and " : ", ").append(m.series().words())
                    .append(m.step().after() >= m.step().before() ? " rose from " : " fell from ").append(serverAmount(m.step().before(), m.series().unit()))
                    .append(" to ").append(serverAmount(m.step().after(), m.series().unit()));
            worst = Math.max(worst, m.step().pValue());
        }
        return text.append(" (each a step found by the same test within ").append(s.within()).append(s.within() == 1 ? " window" : " windows")
                .append(" of it, permutation ").append(Format.pValue(worst)).append(").").toString();
    }

    /** The client's time to first token beside the server's own: what lies between them. */
    public static String serverGap(io.soaklab.internal.analysis.ServerFindings.Gap g) {
        double gap = g.millis();
        String text = "Time to first token from sending was " + Latency.PROSE.millis(g.clientMs()) + ", the server's own "
                + Latency.PROSE.millis(g.serverMs()) + " (medians over " + g.windows() + (g.windows() == 1 ? " window" : " windows") + "): ";
        if (gap < 0) {
            return text + "the server counted more than soaklab saw, which happens when its clock starts before the request is read, "
                    + "or its histogram's buckets are wide.";
        }
        text += Latency.PROSE.millis(gap) + String.format(Locale.ROOT, " (%.0f%%)", 100 * gap / g.clientMs())
                + " lies in the network, the server's front end before its own clock starts, and the client.";
        return g.large() ? text + " That is a large share: worth a look at what stands between them (a proxy or gateway, TLS, distance, "
                + "a busy client)." : text;
    }

    private static String serverAmount(double v, String unit) {
        return switch (unit) {
            case "ms" -> Latency.PROSE.millis(v);
            case "ratio" -> String.format(Locale.ROOT, "%.0f%%", 100 * v);
            case "/s" -> String.format(Locale.ROOT, "%.2f/s", v);
            default -> v >= 10 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
        };
    }

    /** The part of the run a finding compares: {@code hour}, or its length ({@code 10m}). */
    /**
     * The endpoint's stalls in words, or null when there is nothing to say: which windows stalled
     * and how long, and, in a closed loop, why the percentiles may not show it.
     */
    public static String stalls(io.soaklab.internal.analysis.Stalls s, boolean closedLoop) {
        if (!s.any()) {
            return null;
        }
        StringBuilder text = new StringBuilder("The endpoint stalled: no byte arrived for up to ")
                .append(Latency.PROSE.micros(s.longestMicros())).append(" while replies were streaming, in ")
                .append(s.windows().size() == 1 ? "window " + (s.windows().get(0) + 1)
                        : s.windows().size() + " of " + s.measured() + " windows (the longest in window " + (s.longestWindow() + 1) + ")")
                .append("; its replies' gaps between tokens were ").append(Latency.PROSE.micros(s.gapP99Micros()))
                .append(" at the 99th percentile.");
        if (closedLoop) {
            text.append(" In a closed loop a stall delays only the calls in flight during it (the next ones are intended when those end):"
                    + " it shows as lost throughput and in the highest percentiles, not in the median or p99.");
        }
        return text.toString();
    }

    private static String part(long millis) {
        return millis == Duration.ofHours(1).toMillis() ? "hour" : Durations.format(Duration.ofMillis(millis));
    }

    private static String signedSlope(double v, String unit) {
        return (v >= 0 ? "+" : "-") + Format.slope(Math.abs(v), unit);
    }

    /** How a series follows the context's size, in words: its line with its test, and what was measured at either end. */
    public static String context(ContextTrend t) {
        ContextTrend.End from = t.from();
        ContextTrend.End to = t.to();
        String p = Format.pValue(t.pValue());
        if (t.series() == ContextTrend.Series.PROBE_ACCURACY) {
            String measured = String.format(Locale.ROOT, "measured, %s at %,.0f tokens and %s at %,.0f (as the server processed them)",
                    Format.amount(from.measured(), "%"), from.tokens(), Format.amount(to.measured(), "%"), to.tokens());
            return t.significant()
                    ? String.format(Locale.ROOT, "Probe accuracy %s %.1f points per 10,000 tokens of context: the weighted line over %d lengths runs from"
                                    + " %s at %,.0f tokens to %s at %,.0f (Cochran-Armitage trend test, %s); %s.",
                            t.slope() < 0 ? "falls" : "rises", Math.abs(t.slope()) * 10, t.points(), Format.amount(from.line(), "%"), from.tokens(),
                            Format.amount(to.line(), "%"), to.tokens(), p, measured)
                    : String.format(Locale.ROOT, "Probe accuracy shows no significant trend with context (Cochran-Armitage %s); %s.", p, measured);
        }
        boolean e2e = t.series() == ContextTrend.Series.E2E_P50;
        String unit = e2e ? "ms" : "$";
        String name = e2e ? "E2E p50" : "Cost per call";
        String measured = e2e
                ? String.format(Locale.ROOT, "measured, step %d (%,.0f prompt tokens) took %s and step %d (%,.0f) %s", from.step(), from.tokens(),
                        Format.amount(from.measured(), unit), to.step(), to.tokens(), Format.amount(to.measured(), unit))
                : String.format(Locale.ROOT, "measured, %s a call at %,.0f prompt tokens and %s at %,.0f", Format.amount(from.measured(), unit),
                        from.tokens(), Format.amount(to.measured(), unit), to.tokens());
        return t.significant()
                ? String.format(Locale.ROOT, "%s %s by %s per 1,000 prompt tokens%s: the Theil-Sen line over %d steps runs from %s at %,.0f prompt tokens"
                                + " to %s at %,.0f (Mann-Kendall %s); %s.", name, t.slope() >= 0 ? "grows" : "falls", Format.slope(Math.abs(t.slope()), unit),
                        e2e ? " as context grows" : "", t.points(), Format.amount(from.line(), unit), from.tokens(), Format.amount(to.line(), unit),
                        to.tokens(), p, measured)
                : String.format(Locale.ROOT, "%s shows no significant trend with context (Mann-Kendall %s over %d steps); %s.", name, p, t.points(),
                        measured);
    }

    /** A row of a comparison in words: B against A, with the test, or why there is none. */
    public static String row(Comparison.Row r) {
        String name = r.series();
        String a = Format.amount(r.a(), r.unit());
        String b = Format.amount(r.b(), r.unit());
        if (Double.isNaN(r.a()) || Double.isNaN(r.b())) {
            return name + ": only one run has it";
        }
        if (r.test() == Comparison.Test.NONE) {
            return String.format(Locale.ROOT, "%s: not tested, too few windows (%s and %s)", name, a, b);
        }
        String on = r.test() == Comparison.Test.CALLS ? String.format(Locale.ROOT, " on %,d and %,d calls", r.callsA(), r.callsB()) : "";
        if (r.pValue() < Comparison.ALPHA) {
            double change = r.a() == 0 ? Double.NaN : (r.b() - r.a()) / Math.abs(r.a()) * 100;
            return String.format(Locale.ROOT, "%s %s %s in B (%s to %s, Mann-Whitney%s %s)", name, r.b() > r.a() ? "higher" : "lower",
                    Double.isNaN(change) ? "" : String.format(Locale.ROOT, "by %.0f%%", Math.abs(change)), a, b, on, Format.pValue(r.pValue()))
                    .replace("  ", " ");
        }
        return String.format(Locale.ROOT, "%s: no significant difference (%s and %s, Mann-Whitney%s %s)", name, a, b, on, Format.pValue(r.pValue()));
    }

    /** What to keep in mind reading a comparison's rows: windows too few for a window test, unlike windows, windows left out. */
    public static List<String> caveats(Comparison c) {
        List<String> out = new ArrayList<>();
        if (c.smallestP() >= Comparison.ALPHA) {
            out.add(String.format(Locale.ROOT, "%s and %s are too few for a window test to reach p < %s (its smallest p-value here: %s); "
                            + "the medians are tested on the calls instead, the other rows are not tested: run each for %d windows or more",
                    windows(c.windowsA().compared(), "A"), windows(c.windowsB().compared(), "B"), Comparison.ALPHA,
                    Format.pValue(c.smallestP()).replace("p = ", "").replace("p < ", "below "), Comparison.windowsNeeded()));
        }
        Duration wa = c.a().manifest().config().schedule().window();
        Duration wb = c.b().manifest().config().schedule().window();
        if (!wa.equals(wb)) {
            out.add("A's windows last " + Durations.format(wa) + " and B's " + Durations.format(wb)
                    + ": a window's percentiles rest on more or fewer calls, so its p99 is not quite the same measure");
        }
        leftOut(out, c.windowsA(), "A");
        leftOut(out, c.windowsB(), "B");
        return List.copyOf(out);
    }

    private static String windows(int n, String run) {
        return n + (n == 1 ? " window of " : " windows of ") + run;
    }

    private static void leftOut(List<String> out, Comparison.Windows w, String run) {
        if (w.leftOut() > 0) {
            out.add(w.leftOut() + " of " + run + "'s windows are left out: its load generator was the bottleneck there");
        }
    }
}
