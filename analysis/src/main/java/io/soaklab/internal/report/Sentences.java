package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Comparison;
import io.soaklab.internal.text.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The analysis' findings in words, each with the figures and the test it rests on: how two runs
 * differ ({@link Comparison}). Public for the command line, which prints a comparison's rows, and
 * for the analysis' tests, which hold their findings to the words they are stated in.
 */
public final class Sentences {

    private Sentences() {
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
