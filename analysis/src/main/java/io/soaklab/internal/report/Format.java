package io.soaklab.internal.report;

import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.text.Latency;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How numbers read in the report. */
final class Format {

    private Format() {
    }

    /** Microseconds as a readable latency: {@code 850 µs}, {@code 312 ms}, {@code 1.24 s}, {@code 3.5 min} ({@link Latency#REPORT}). */
    static String latency(long micros) {
        return Latency.REPORT.micros(micros);
    }

    /**
     * A value of a finding's series in its unit, to the precision its sentence quotes: {@code ms} ({@link Latency#PROSE}:
     * {@code 45 ms}, {@code 1.20 s}), {@code %} ({@code 12.5%}), {@code /s} ({@code 3.10 calls/s}), {@code $} ({@code $0.00200}).
     */
    static String amount(double v, String unit) {
        return switch (unit) {
            case "ms" -> Latency.PROSE.millis(v);
            case "%" -> String.format(Locale.ROOT, "%.1f%%", v);
            case "/s" -> String.format(Locale.ROOT, "%.2f calls/s", v);
            case "$" -> String.format(Locale.ROOT, "$%.5f", v);
            default -> String.format(Locale.ROOT, "%.3g", v);
        };
    }

    /** A rate or slope in a series' unit, to three significant digits whatever its size: a slope of 0.4 ms must not read "0 ms". */
    static String slope(double v, String unit) {
        return switch (unit) {
            case "ms" -> v >= 1000 ? sig3(v / 1000) + " s" : sig3(v) + " ms";
            case "%" -> sig3(v) + "%";
            case "/s" -> sig3(v) + " calls/s";
            case "$" -> "$" + sig3(v);
            default -> sig3(v);
        };
    }

    private static String sig3(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v == 0 ? 0 : v);
        }
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** A test's p-value as a finding quotes it: {@code p < 0.001}, {@code p < 0.01}, {@code p = 0.37}. */
    static String pValue(double p) {
        return p < 0.001 ? "p < 0.001" : p < 0.01 ? "p < 0.01" : String.format(Locale.ROOT, "p = %.2f", p);
    }

    /** A time into the run, {@code h:mm:ss}, with tenths when the time is not whole seconds. */
    static String clock(long millis) {
        long seconds = millis / 1000;
        String whole = String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        return millis % 1000 == 0 ? whole : whole + "." + (millis % 1000) / 100;
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code n} and a noun in the right number: "1 window", "3 windows", "1,200 calls". */
    static String count(long n, String noun) {
        return count(n) + " " + (n == 1 ? noun : noun + "s");
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, perSecond < 10 ? "%.2f" : "%,.1f", perSecond);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** US dollars, as {@link Cost#format} writes them. */
    static String usd(BigDecimal usd) {
        return Cost.format(usd);
    }

    static String seconds(double s) {
        if (s < 120) {
            return String.format(Locale.ROOT, "%.0f s", s);
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }
}
