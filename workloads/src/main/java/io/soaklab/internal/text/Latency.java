package io.soaklab.internal.text;

import java.util.Locale;

/**
 * The one place a latency is written for a reader, in the style of its use. Each style is a
 * ladder of units, the next unit taking over where the last one's figure grows long; they differ
 * in what their reader needs:
 *
 * <ul>
 *   <li>{@link #CONSOLE}, the progress line of every window: dense, no spaces, {@code 0.49ms},
 *       {@code 43ms}, {@code 1.20s};</li>
 *   <li>{@link #REPORT}, the report's figures and tables: {@code 850 µs}, {@code 45.2 ms},
 *       {@code 312 ms}, {@code 1.24 s}, {@code 3.5 min};</li>
 *   <li>{@link #PROSE}, the sentences that state a finding with its test (what changed over a
 *       run, how two runs differ): whole milliseconds or seconds to two decimals, {@code 45 ms},
 *       {@code 1.20 s}, a precision that the figures those sentences derive (a change in
 *       percent, a step, a rate) are checked against.</li>
 * </ul>
 *
 * <pre>{@code
 * Latency.REPORT.micros(ttft.p99());   // "1.24 s"
 * Latency.PROSE.millis(finding.last()); // "515 ms"
 * }</pre>
 */
public enum Latency {

    /** Sub-millisecond to two decimals, then whole milliseconds, then seconds to two decimals, unspaced; {@code -} for none (a negative value). */
    CONSOLE {
        @Override
        public String millis(double ms) {
            return ms < 0 ? "-" : ms < 1 ? in(ms, 2, "ms") : ms < 1000 ? in(ms, 0, "ms") : in(ms / 1000, 2, "s");
        }
    },

    /** Whole microseconds, milliseconds to one decimal below 100 ms, whole ones to a second, seconds to two decimals to two minutes, then minutes. */
    REPORT {
        @Override
        public String millis(double ms) {
            if (ms < 1) {
                return Math.round(ms * 1000) + " µs";
            }
            if (ms < 1000) {
                return in(ms, ms < 100 ? 1 : 0, " ms");
            }
            return ms < 120_000 ? in(ms / 1000, 2, " s") : in(ms / 60_000, 1, " min");
        }
    },

    /** Whole milliseconds, from a second seconds to two decimals. */
    PROSE {
        @Override
        public String millis(double ms) {
            return ms >= 1000 ? in(ms / 1000, 2, " s") : in(ms, 0, " ms");
        }
    };

    /** {@code ms} milliseconds in this style. */
    public abstract String millis(double ms);

    /** {@code micros} microseconds in this style. */
    public String micros(long micros) {
        return millis(micros / 1000.0);
    }

    private static String in(double amount, int decimals, String unit) {
        return String.format(Locale.ROOT, "%." + decimals + "f", amount) + unit;
    }
}
