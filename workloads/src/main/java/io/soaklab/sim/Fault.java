package io.soaklab.sim;

import io.soaklab.protocol.Api;
import java.util.Locale;

/** A fault the endpoint plays into one reply, drawn at its arrival ({@code fault} in the truth log). */
enum Fault {
    NONE, HTTP_500, HTTP_502, HTTP_503, OVERLOADED, OVERLOADED_MID_STREAM, RESET, STALL, MALFORMED, SLOW_FIRST_BYTE, NEVER_ENDS,
    /** Drawn from the drift's error bursts, not the configured odds. */
    BURST_ERROR,
    /** Not drawn: every decode slot and the queue were taken. */
    QUEUE_FULL;

    /** The faults drawn from the configured odds, in the order of the draw (the same seed draws the same faults). */
    static final Fault[] DRAWN = {HTTP_500, HTTP_502, HTTP_503, OVERLOADED, OVERLOADED_MID_STREAM, RESET, STALL, MALFORMED, SLOW_FIRST_BYTE,
        NEVER_ENDS};

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Its name in the truth log and the endpoint's counts. */
    String wireName() {
        return wireName;
    }

    /** The configured odds of this fault. */
    double odds(SimConfig.Faults f) {
        return switch (this) {
            case HTTP_500 -> f.http500();
            case HTTP_502 -> f.http502();
            case HTTP_503 -> f.http503();
            case OVERLOADED -> f.overloaded();
            case OVERLOADED_MID_STREAM -> f.overloadedMidStream();
            case RESET -> f.reset();
            case STALL -> f.stall();
            case MALFORMED -> f.malformed();
            case SLOW_FIRST_BYTE -> f.slowFirstByte();
            case NEVER_ENDS -> f.neverEnds();
            default -> 0;
        };
    }

    /** The error response this fault answers with instead of a reply, or null when it plays out inside the reply. */
    Wire.Failure instead(Api api) {
        return switch (this) {
            case HTTP_500 -> Wire.Failure.SERVER;
            case HTTP_502 -> Wire.Failure.BAD_GATEWAY;
            case HTTP_503, BURST_ERROR -> Wire.Failure.UNAVAILABLE;
            case OVERLOADED, QUEUE_FULL -> busy(api);
            default -> null;
        };
    }

    /** What a busy server answers: Anthropic's 529 overloaded, else 503. */
    static Wire.Failure busy(Api api) {
        return api == Api.ANTHROPIC ? Wire.Failure.OVERLOADED : Wire.Failure.UNAVAILABLE;
    }
}
