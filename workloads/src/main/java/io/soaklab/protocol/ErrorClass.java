package io.soaklab.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a model call ended. Every failure is classified into exactly one of these and counted; the
 * {@link #wireName()} is what {@code calls.jsonl} and the report show. The rule that picks one for
 * a call soaklab sent is written once, in {@code Outcomes} (and in docs/metrics.md, "Outcomes").
 */
public enum ErrorClass {
    /** The stream finished normally and delivered content or a finish reason. */
    OK("ok"),
    /** HTTP 429: rate limited. */
    HTTP_429("http_429"),
    /** HTTP 529: Anthropic's {@code overloaded_error}. */
    HTTP_529("http_529"),
    /** Any other HTTP 5xx. */
    HTTP_5XX("http_5xx"),
    /** Any other HTTP 4xx (bad request, authentication, unknown model...). */
    HTTP_4XX("http_4xx"),
    /**
     * The server refused the prompt as longer than its context window, as an HTTP client error or
     * inside a 200 stream (OpenAI's {@code context_length_exceeded}, Anthropic's "prompt is too
     * long", vLLM's, SGLang's, llama.cpp's and TGI's wordings). A context that runs out in the middle
     * of a reply is not a refusal: servers end such a reply with finish reason {@code length}.
     */
    CONTEXT_LENGTH("context_length"),
    /** No connection within the connect timeout. */
    TIMEOUT_CONNECT("timeout_connect"),
    /** No content token within the first-token timeout after the request was sent. */
    TIMEOUT_FIRST_TOKEN("timeout_first_token"),
    /** The gap since the last content token exceeded the idle timeout. */
    TIMEOUT_IDLE("timeout_idle"),
    /** The whole call exceeded the total timeout. */
    TIMEOUT_TOTAL("timeout_total"),
    /** The connection could not be made (refused, unreachable, TLS failure). */
    CONNECT_ERROR("connect_error"),
    /** The connection broke after the request was sent. */
    STREAM_RESET("stream_reset"),
    /** The response was not the protocol: bad SSE, bad JSON, unexpected content type. */
    STREAM_MALFORMED("stream_malformed"),
    /**
     * The server signalled an error inside a 200 stream: an {@code error:} field line, an
     * {@code event: error}, a chunk with an {@code error} object, or a finish reason that says so.
     */
    STREAM_ERROR("stream_error"),
    /** The stream closed cleanly but without its terminator ({@code [DONE]}, {@code message_stop}) or a finish reason. */
    STREAM_TRUNCATED("stream_truncated"),
    /** The stream ended normally but carried neither content nor a finish reason. */
    EMPTY_REPLY("empty_reply"),
    /**
     * The reply ran past the bound derived from its output cap (content chunks, characters or
     * bytes): soaklab stopped reading it and closed the connection.
     */
    RUNAWAY("runaway"),
    /** soaklab itself failed to make the call. */
    CLIENT_ERROR("client_error"),
    /** The client's circuit breaker was open: the call failed fast, nothing was sent. */
    CIRCUIT_OPEN("circuit_open"),
    /** The run's spend limit left no room for what the call could cost: nothing was sent. */
    SPEND_LIMIT("spend_limit"),
    /**
     * The call was still open when the run ended: neither a success nor a failure. Its latency is at
     * least its age, the time from its intended start to the end of the run.
     */
    OPEN("open");

    private final String wireName;

    ErrorClass(String wireName) {
        this.wireName = wireName;
    }

    /** False when soaklab refused the call itself and sent nothing (an open breaker, the spend limit). */
    public boolean sent() {
        return this != CIRCUIT_OPEN && this != SPEND_LIMIT;
    }

    /** True for every outcome but {@link #OK} and {@link #OPEN}: the call ended, and not well. */
    public boolean failed() {
        return this != OK && this != OPEN;
    }

    /** The stable lower-case name used in files and reports. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The class of a non-2xx HTTP status. */
    public static ErrorClass ofStatus(int status) {
        if (status == 429) {
            return HTTP_429;
        }
        if (status == 529) {
            return HTTP_529;
        }
        if (status >= 500) {
            return HTTP_5XX;
        }
        if (status >= 400) {
            return HTTP_4XX;
        }
        return STREAM_MALFORMED; // 1xx/3xx where a stream was expected
    }

    /** The class with this wire name. */
    @JsonCreator
    public static ErrorClass ofWireName(String name) {
        for (ErrorClass c : values()) {
            if (c.wireName.equals(name)) {
                return c;
            }
        }
        StringBuilder known = new StringBuilder();
        for (ErrorClass c : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(c.wireName);
        }
        throw new IllegalArgumentException("unknown error class '" + name + "' (known: " + known + ")");
    }
}
