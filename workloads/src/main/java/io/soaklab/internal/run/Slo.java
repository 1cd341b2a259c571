package io.soaklab.internal.run;

import io.soaklab.internal.text.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One service-level objective: a percentile of a metric at or under a limit, or an error rate
 * at or under a share. Written {@code ttft.p99=2s}, {@code e2e.p99=60s}, {@code itl.p99=100ms},
 * {@code tpot.p90=50ms}, {@code errors=1%}, {@code episode.p95=10m}, {@code episode.cost.p95=$0.50}.
 *
 * <pre>{@code
 * List<Slo> slos = Slo.parseAll("ttft.p99=2s,e2e.p99=60s,errors=1%");
 * }</pre>
 *
 * @param metric     {@code ttft}, {@code itl}, {@code tpot}, {@code e2e}, {@code episode},
 *                   {@code episode.cost} or {@code errors}
 * @param percentile the percentile held to the limit (0..100); for {@code errors}, 0
 * @param limit      microseconds for a latency, USD for {@code episode.cost}, a fraction for {@code errors}
 * @param text       as written
 */
public record Slo(String metric, double percentile, BigDecimal limit, String text) {

    private static final Set<String> LATENCIES = Set.of("ttft", "itl", "tpot", "e2e", "episode");

    /** True for a limit on a latency (microseconds). */
    public boolean latency() {
        return LATENCIES.contains(metric);
    }

    /** True for a limit that applies to each call (as opposed to each episode, or to a rate). */
    public boolean perCall() {
        return latency() && !metric.equals("episode");
    }

    /** True for a limit that applies to each episode. */
    public boolean perEpisode() {
        return metric.startsWith("episode");
    }

    /** The limit in microseconds (latencies). */
    public long limitMicros() {
        return limit.longValue();
    }

    /** Reads a comma-separated list; an empty or null text is no SLO. */
    public static List<Slo> parseAll(String text) {
        List<Slo> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (String part : text.split(",")) {
            Slo slo = parse(part.strip());
            if (!seen.add(slo.metric())) {
                throw new IllegalArgumentException("--slo '" + text + "': " + slo.metric() + " is given twice");
            }
            out.add(slo);
        }
        return List.copyOf(out);
    }

    /** Reads one, e.g. {@code ttft.p99=2s}. */
    public static Slo parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        int eq = s.indexOf('=');
        if (eq < 0) {
            throw bad(text, "write e.g. ttft.p99=2s, e2e.p99=60s, errors=1%, episode.p95=10m or episode.cost.p95=$0.50");
        }
        String key = s.substring(0, eq).strip();
        String value = s.substring(eq + 1).strip();
        if (key.equals("errors")) {
            if (!value.endsWith("%")) {
                throw bad(text, "an error rate is a percentage, e.g. errors=1%");
            }
            BigDecimal share = number(text, value.substring(0, value.length() - 1)).movePointLeft(2);
            if (share.signum() < 0 || share.compareTo(BigDecimal.ONE) > 0) {
                throw bad(text, "an error rate is between 0% and 100%");
            }
            return new Slo("errors", 0, share, text.strip());
        }
        int dot = key.lastIndexOf(".p");
        if (dot < 0) {
            throw bad(text, "name a percentile, e.g. " + key + ".p99");
        }
        String metric = key.substring(0, dot);
        double percentile;
        try {
            percentile = Double.parseDouble(key.substring(dot + 2));
        } catch (NumberFormatException e) {
            throw bad(text, "'" + key.substring(dot + 1) + "' is not a percentile: write p50, p99 or p99.9");
        }
        if (!(percentile > 0 && percentile <= 100)) {
            throw bad(text, "a percentile is above 0 and at most 100");
        }
        if (metric.equals("episode.cost")) {
            BigDecimal usd = number(text, value.startsWith("$") ? value.substring(1) : value);
            if (usd.signum() <= 0) {
                throw bad(text, "a cost limit is above zero");
            }
            return new Slo(metric, percentile, usd, text.strip());
        }
        if (!LATENCIES.contains(metric)) {
            throw bad(text, "unknown metric '" + metric + "': use ttft, itl, tpot, e2e, episode, episode.cost or errors");
        }
        Duration limit;
        try {
            limit = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw bad(text, e.getMessage());
        }
        if (limit.isZero() || limit.isNegative()) {
            throw bad(text, "a latency limit is above zero");
        }
        return new Slo(metric, percentile, BigDecimal.valueOf(limit.toNanos() / 1000), text.strip());
    }

    private static BigDecimal number(String text, String value) {
        try {
            return new BigDecimal(value.strip());
        } catch (NumberFormatException e) {
            throw bad(text, "'" + value + "' is not a number");
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("--slo '" + text.strip() + "': " + why);
    }
}
