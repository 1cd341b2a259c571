package io.soaklab.protocol;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The one outcome rule: how a call soaklab sent is classified, whatever the protocol and whatever
 * the server did. docs/metrics.md ("Outcomes") says the same in words.
 *
 * <ul>
 * <li>A non-2xx status is its HTTP class, except a context-length refusal in a 4xx other than
 * 429, which is {@link ErrorClass#CONTEXT_LENGTH}.</li>
 * <li>An error signalled inside a 200 stream (an {@code error:} field line, {@code event: error},
 * a chunk with an {@code error} object, a finish reason of {@code error} or {@code abort}) is
 * {@link ErrorClass#STREAM_ERROR}, or {@link ErrorClass#CONTEXT_LENGTH} in that wording.</li>
 * <li>A stream is {@link ErrorClass#OK} only when it ended normally (its terminator, or a finish
 * reason before the connection closed) <em>and</em> delivered content or a finish reason; ended
 * normally with neither, it is {@link ErrorClass#EMPTY_REPLY}; closed without either, it is
 * {@link ErrorClass#STREAM_TRUNCATED}.</li>
 * <li>A failure of the connection is classified by its cause ({@link #ofThrowable}).</li>
 * </ul>
 */
final class Outcomes {

    /**
     * The wordings in which servers refuse a prompt longer than their context: OpenAI and Azure
     * ({@code context_length_exceeded}, "maximum context length"), Anthropic ("prompt is too long",
     * "exceed context limit"), vLLM ("maximum context length", "longer than the maximum model
     * length"), SGLang ("longer than the model's context length"), llama.cpp
     * ({@code exceed_context_size_error}, "exceeds the available context size", "context shift is
     * disabled"), TGI ("must be &lt;= N" tokens, "must have less than N tokens"), Gemini ("input token
     * count ... exceeds the maximum"), and the generic "context window".
     */
    private static final Pattern CONTEXT_LENGTH = Pattern.compile(String.join("|",
            "context_length_exceeded",
            "exceed_context_size",
            "maximum context length",
            "context length (is )?exceeded",
            "(longer|larger) than the (maximum model length|model'?s? (maximum )?context( length| window)?|context (length|window))",
            "exceeds? (the )?(available |model'?s? )?(context|max(imum)? (context|model) length)",
            "exceed context limit",
            "prompt is too long",
            "context window",
            "context shift is disabled",
            "input token count.{0,40}exceeds",
            "tokens? \\+ `?max_new_tokens`? must be <=",
            "`?inputs`? (tokens )?must have less than \\d+ tokens"), Pattern.CASE_INSENSITIVE);

    private Outcomes() {
    }

    /** True when {@code text} (an error message or body) refuses the prompt for its length. */
    static boolean contextLength(String text) {
        return text != null && CONTEXT_LENGTH.matcher(text).find();
    }

    /**
     * The class of an HTTP error response with status {@code status} and body {@code body}. A
     * refusal of the prompt comes as a client error (400, 413, 422...); a 429 is throttling whatever
     * it says ("too many tokens" per minute is a rate, not a context), and a 5xx is the server's.
     */
    static ErrorClass ofHttpError(int status, String body) {
        if (status >= 400 && status < 500 && status != 429 && contextLength(body)) {
            return ErrorClass.CONTEXT_LENGTH;
        }
        return ErrorClass.ofStatus(status);
    }

    /** The class of an error the server signalled inside a 200 stream, described by {@code message}. */
    static ErrorClass ofStreamError(String message) {
        return contextLength(message) ? ErrorClass.CONTEXT_LENGTH : ErrorClass.STREAM_ERROR;
    }

    /** True for a finish reason that reports a failure rather than an end ({@code error}, {@code abort}). */
    static boolean failedFinish(String finishReason) {
        return finishReason != null && (finishReason.equalsIgnoreCase("error") || finishReason.equalsIgnoreCase("abort"));
    }

    /**
     * The class of a stream that ended without an error signal.
     *
     * @param terminated   the protocol's terminator arrived ({@code [DONE]}, {@code message_stop})
     * @param chunks       content chunks it delivered (text, reasoning, tool-call fragments)
     * @param finishReason the server's finish reason, or null
     */
    static ErrorClass ofEnd(boolean terminated, int chunks, String finishReason) {
        if (failedFinish(finishReason)) {
            return ErrorClass.STREAM_ERROR;
        }
        if (!terminated && finishReason == null) {
            return ErrorClass.STREAM_TRUNCATED;
        }
        return chunks > 0 || finishReason != null ? ErrorClass.OK : ErrorClass.EMPTY_REPLY;
    }

    /** A short explanation for {@link #ofEnd}'s failures. */
    static String describeEnd(ErrorClass end, boolean droppedPartialEvent, String finishReason) {
        return switch (end) {
            case STREAM_ERROR -> "the server ended the reply with finish reason '" + finishReason + "'";
            case STREAM_TRUNCATED -> droppedPartialEvent ? "stream ended inside an event" : "stream ended without its terminator";
            case EMPTY_REPLY -> "the stream ended normally with no content and no finish reason";
            default -> null;
        };
    }

    /** The class of a failure the HTTP layer reported. */
    static ErrorClass ofThrowable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CallTimeoutException timeout) {
                return timeout.kind();
            }
            if (c instanceof ConnectTimeoutException) {
                return ErrorClass.TIMEOUT_CONNECT;
            }
            if (c instanceof TimeoutException) {
                // async-http-client's own backstops: "Request timeout ..." or "Read timeout ..."
                String m = String.valueOf(c.getMessage());
                return m.startsWith("Read") ? ErrorClass.TIMEOUT_IDLE : ErrorClass.TIMEOUT_TOTAL;
            }
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof UnresolvedAddressException || c instanceof SSLException) {
                String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
                return m.contains("timed out") ? ErrorClass.TIMEOUT_CONNECT : ErrorClass.CONNECT_ERROR;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return ErrorClass.STREAM_RESET;
            }
        }
        return ErrorClass.CLIENT_ERROR;
    }
}
