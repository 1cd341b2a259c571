package io.soaklab.sim;

import java.util.Locale;

/** How a reply ended ({@code outcome} in the truth log). */
enum Outcome {
    /** Played out to its end. */
    COMPLETE,
    /** The client left first. */
    ABANDONED,
    /** The endpoint reset the connection (a fault). */
    RESET,
    /** An error event ended the stream (a fault, or the queue overflowing after the headers). */
    ERROR_IN_STREAM,
    RATE_LIMITED,
    CONTEXT_TOO_LONG,
    QUEUE_FULL,
    /** Answered with an error at once, by the fault of the same name. */
    HTTP_500, HTTP_502, HTTP_503, OVERLOADED, BURST_ERROR,
    /** A step failed inside the endpoint. */
    ENDPOINT_ERROR,
    /** The endpoint closed while the reply was under way. */
    ENDPOINT_CLOSED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    String wireName() {
        return wireName;
    }

    /** The outcome of a request answered at once with the error its fault calls for. */
    static Outcome answeredBy(Fault fault) {
        return valueOf(fault.name());
    }
}
