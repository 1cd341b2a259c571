package io.soaklab.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** How numbers read in the report. */
final class Format {

    private Format() {
    }

    /** Microseconds as a readable latency: {@code 850 µs}, {@code 312 ms}, {@code 1.24 s}, {@code 3.5 min}. */
    static String latency(long micros) {
        if (micros < 1000) {
            return micros + " µs";
        }
        if (micros < 1_000_000) {
            return String.format(Locale.ROOT, micros < 100_000 ? "%.1f ms" : "%.0f ms", micros / 1e3);
        }
        if (micros < 120_000_000) {
            return String.format(Locale.ROOT, "%.2f s", micros / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f min", micros / 6e7);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, perSecond < 10 ? "%.2f" : "%,.1f", perSecond);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** US dollars: cents for sums of a dollar or more, four decimals below. */
    static String usd(BigDecimal usd) {
        int scale = usd.abs().compareTo(BigDecimal.ONE) >= 0 ? 2 : 4;
        return "$" + usd.setScale(scale, RoundingMode.HALF_EVEN).toPlainString();
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
