package io.soaklab.internal.record;

import io.soaklab.protocol.ErrorClass;

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

    /** Receives one value of one metric, in nanoseconds; negative values mean "not reached" and are for the sink to skip. */
    public interface Sink {
        void value(Metric metric, long nanos);
    }

    /**
     * The one rule for which distributions a call attempt's times go into: the recorder's, and a
     * reader rebuilding a window from {@code calls.jsonl}. A call still open when the run ended goes
     * into none; every other attempt gives its schedule lag, and, if it was sent, its attempt
     * latency; the last attempt of a call that succeeded gives TTFT, TTFT from sending, E2E, TPOT and
     * time to first tool call, one that failed its E2E-failed.
     *
     * @param callTtft     TTFT from the call's first intended start (retries included)
     * @param callE2e      end to end from the call's first intended start
     * @param callTtftTool first tool-call chunk from the call's first intended start
     */
    public static void ofAttempt(ErrorClass error, boolean last, long lag, long attempt, long ttftSent, long tpot,
                                 long callTtft, long callE2e, long callTtftTool, Sink out) {
        if (error == ErrorClass.OPEN) {
            return;
        }
        out.value(SCHEDULE_LAG, lag);
        if (error.sent()) {
            out.value(ATTEMPT, attempt); // nothing was sent when the breaker was open or the spend limit said no
        }
        if (!last) {
            return;
        }
        if (error.failed()) {
            out.value(E2E_FAILED, callE2e);
        } else {
            out.value(TTFT, callTtft);
            out.value(TTFT_SENT, ttftSent);
            out.value(E2E, callE2e);
            out.value(TPOT, tpot);
            out.value(TTFT_TOOL, callTtftTool);
        }
    }

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
