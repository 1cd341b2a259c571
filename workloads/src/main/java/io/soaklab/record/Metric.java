package io.soaklab.record;

/**
 * The latency distributions soaklab records, each a tag in {@code histograms.hlog}, in
 * microseconds. Definitions are in {@code docs/metrics.md}.
 */
public enum Metric {
    /**
     * First content token after the intended start; successful calls. A call that needed retries is
     * measured from its first attempt's intended start: what the agent waited.
     */
    TTFT("ttft"),
    /** First content token after the request was sent (the figure other tools report). */
    TTFT_SENT("ttft-sent"),
    /** Every gap between consecutive content chunks, of every call. */
    ITL("itl"),
    /** Time per output token after the first, one value per successful call. */
    TPOT("tpot"),
    /** Intended start to end of stream; successful calls, retries included, as {@link #TTFT}. */
    E2E("e2e"),
    /** Intended start to failure; calls that failed after every attempt, so that timeouts stay visible. */
    E2E_FAILED("e2e-failed"),
    /** Every attempt, retries included, from its own intended start to its end: what the endpoint served. */
    ATTEMPT("attempt"),
    /** First chunk of a tool call after the intended start: the agent's time to first action; calls that called a tool. */
    TTFT_TOOL("ttft-tool"),
    /** Intended start of an episode's first call to the end of its last; episodes that succeeded. */
    EPISODE("episode"),
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
