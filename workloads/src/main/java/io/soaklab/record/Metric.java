package io.soaklab.record;

/**
 * The latency distributions soaklab records, each a tag in {@code histograms.hlog}, in
 * microseconds. Definitions are in {@code docs/metrics.md}.
 */
public enum Metric {
    /** First content token after the intended start; successful calls. */
    TTFT("ttft"),
    /** First content token after the request was sent (the figure other tools report). */
    TTFT_SENT("ttft-sent"),
    /** Every gap between consecutive content chunks, of every call. */
    ITL("itl"),
    /** Time per output token after the first, one value per successful call. */
    TPOT("tpot"),
    /** Intended start to end of stream; successful calls. */
    E2E("e2e"),
    /** Intended start to failure; failed calls, so that timeouts stay visible. */
    E2E_FAILED("e2e-failed"),
    /** Intended start of a session's first call to the end of its last; sessions that succeeded. */
    SESSION("session"),
    /** How late the load generator sent each call: sent minus intended. */
    SCHEDULE_LAG("schedule-lag");

    private final String tag;

    Metric(String tag) {
        this.tag = tag;
    }

    /** The tag used in {@code histograms.hlog}. */
    public String tag() {
        return tag;
    }

    /** The metric with this tag. */
    public static Metric ofTag(String tag) {
        for (Metric m : values()) {
            if (m.tag.equals(tag)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric tag '" + tag + "'");
    }
}
