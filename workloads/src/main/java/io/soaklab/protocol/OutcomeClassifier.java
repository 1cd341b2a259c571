package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * How one call ends, by {@link Outcomes}' rule: the first failure seen while the call runs (an
 * error the server signalled inside a 200 stream, a stream that is not the protocol, a reply past
 * its bounds, a timeout, soaklab stopping the call) stands; without one, the end decides (an HTTP
 * error status and what its body says, how the stream ended, what the HTTP layer reported). Holds
 * the class and its detail until the call's result is made.
 *
 * <p>One thread at a time: the connection's event loop, where the lifecycle serialises timeouts
 * and aborts too.
 */
final class OutcomeClassifier {

    /**
     * The longest detail kept: a server's message, and for a 429 the rate limits its headers stated before it (Anthropic's
     * four buckets take about 280 characters), so that neither cuts the other off.
     */
    private static final int MAX_DETAIL_CHARS = 600;

    /** The first failure seen while the call ran, and why; null while there is none. */
    private ErrorClass failure;
    private String failureDetail;
    /** How the call ended when no failure was seen before. */
    private ErrorClass end;
    private String endDetail;

    /** True once a failure was seen: the call ends with it, whatever comes next. */
    boolean failed() {
        return failure != null;
    }

    /** The call's outcome: the failure seen first, else what its end decided; null while neither is known. */
    ErrorClass kind() {
        return failure != null ? failure : end;
    }

    /** Why, for a failure; null for {@link ErrorClass#OK}. */
    String detail() {
        return failure != null ? failureDetail : endDetail;
    }

    // ---- failures seen while the call runs: the first one stands -----------------------------------

    /** The server reported an error inside the stream: a stream error, or a context-length refusal by its wording. */
    void streamError(String detail) {
        seen(Outcomes.ofStreamError(detail), detail);
    }

    /** An error body the server sent inside the stream or reply, described after {@code prefix} ({@link ServerErrors}). */
    void serverError(String prefix, byte[] bytes, int offset, int length) {
        streamError(prefix + ServerErrors.describe(bytes, offset, length));
    }

    /** An {@code error:} field line (llama.cpp's server), whatever the event held besides. */
    void errorLine(String error) {
        byte[] bytes = error.getBytes(StandardCharsets.UTF_8);
        serverError("error in stream: ", bytes, 0, bytes.length);
    }

    /**
     * The value of an {@code error} member of a chunk or whole reply, the parser on it: an error
     * "in {@code where}" unless it is null or false ({@code "error": null} is no error).
     */
    void errorMember(JsonParser p, JsonToken value, String where) throws IOException {
        if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_FALSE) {
            streamError("error in " + where + ": " + ServerErrors.errorValue(p, value));
        }
    }

    /** The stream is not the protocol. */
    void malformed(String detail) {
        seen(ErrorClass.STREAM_MALFORMED, detail);
    }

    /** The reply ran past a bound derived from its cap ({@code what}): soaklab stops reading it. */
    void runaway(String what) {
        if (failure == null) {
            seen(ErrorClass.RUNAWAY, "the reply ran past its bound (" + what + "): soaklab stopped reading it");
        }
    }

    /** soaklab stops the call ({@code kind}: a timeout, or a client error); a failure already seen is the truer cause. */
    void stopped(ErrorClass kind, String detail) {
        seen(kind, detail);
    }

    /** A failure that ends the call now, in place of any seen before. */
    void fail(ErrorClass kind, String detail) {
        failure = kind;
        failureDetail = detail;
    }

    private void seen(ErrorClass kind, String detail) {
        if (failure == null) {
            failure = kind;
            failureDetail = detail;
        }
    }

    // ---- the end, which decides only when no failure was seen --------------------------------------

    /** The stream or whole reply ended without an error signal ({@link Outcomes#ofEnd}). */
    void ended(boolean terminated, int chunks, String finishReason, boolean droppedPartialEvent) {
        if (failure == null) {
            end = Outcomes.ofEnd(terminated, chunks, finishReason);
            endDetail = Outcomes.describeEnd(end, droppedPartialEvent, finishReason);
        }
    }

    /**
     * The server answered {@code status}, not 200, with {@code body} (possibly cut, or null), and for a 429 the rate limits its
     * headers stated ({@code name: value; ...}, or null), put first so that a long message never cuts them off.
     */
    void httpError(int status, ByteArrayOutputStream body, String limits) {
        if (failure == null) {
            String described = describe(body);
            end = Outcomes.ofHttpError(status, described);
            endDetail = "HTTP " + status + (limits == null ? "" : " [" + limits + "]") + (described.isEmpty() ? "" : ": " + described);
        }
    }

    /** The HTTP layer reported {@code t}. */
    void threw(Throwable t) {
        if (failure == null) {
            end = Outcomes.ofThrowable(t);
            endDetail = describe(t);
        }
    }

    // ---- details -----------------------------------------------------------------------------------

    /** {@code s} on one line, cut to a length a report can show; null stays null. */
    static String truncate(String s) {
        if (s == null) {
            return null;
        }
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
    }

    /** The root cause of {@code t}: its class and message. */
    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The server's description of an HTTP error body ({@link ServerErrors}), empty when it sent none. */
    private static String describe(ByteArrayOutputStream body) {
        if (body == null || body.size() == 0) {
            return "";
        }
        byte[] bytes = body.toByteArray();
        return ServerErrors.describe(bytes, 0, bytes.length);
    }
}
