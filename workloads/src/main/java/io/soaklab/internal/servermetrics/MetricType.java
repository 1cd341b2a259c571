package io.soaklab.internal.servermetrics;

import java.util.Locale;

/** A metric family's type, as a {@code # TYPE} line names it; which sample-name suffixes belong to it. */
enum MetricType {
    COUNTER,
    GAUGE,
    HISTOGRAM,
    GAUGEHISTOGRAM,
    SUMMARY,
    INFO,
    STATESET,
    /** {@code untyped} (Prometheus text) or {@code unknown} (OpenMetrics), or no {@code # TYPE} line at all. */
    UNKNOWN;

    /** The type a {@code # TYPE} line's word names, or null if it names none. */
    static MetricType parse(String word) {
        switch (word.toLowerCase(Locale.ROOT)) {
            case "counter": return COUNTER;
            case "gauge": return GAUGE;
            case "histogram": return HISTOGRAM;
            case "gaugehistogram": return GAUGEHISTOGRAM;
            case "summary": return SUMMARY;
            case "info": return INFO;
            case "stateset": return STATESET;
            case "untyped":
            case "unknown": return UNKNOWN;
            default: return null;
        }
    }

    /**
     * Whether a sample named family name + {@code suffix} belongs to a family of this type
     * ({@code _total} and {@code _created} to a counter, {@code _bucket} to a histogram, …).
     */
    boolean owns(String suffix) {
        switch (this) {
            case COUNTER: return suffix.equals("_total") || suffix.equals("_created");
            case HISTOGRAM: return suffix.equals("_bucket") || suffix.equals("_sum") || suffix.equals("_count")
                    || suffix.equals("_created");
            case GAUGEHISTOGRAM: return suffix.equals("_bucket") || suffix.equals("_gsum") || suffix.equals("_gcount");
            case SUMMARY: return suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
            case INFO: return suffix.equals("_info");
            default: return false;
        }
    }
}
