package io.soaklab.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a model call ended. Every failure is classified into exactly one of these and counted; the
 * {@link #wireName()} is what {@code calls.jsonl} and the report show.
 */
public enum ErrorClass {
    /** The stream finished normally. */
    OK("ok"),
    /** HTTP 429: rate limited. */
    HTTP_429("http_429"),
    /** HTTP 529: Anthropic's {@code overloaded_error}. */
    HTTP_529("http_529"),
    /** Any other HTTP 5xx. */
    HTTP_5XX("http_5xx"),
    /** Any other HTTP 4xx (bad request, auth, context too long...). */
    HTTP_4XX("http_4xx"),
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
    /** The server sent an error object inside a 200 stream. */
    STREAM_ERROR("stream_error"),
    /** The stream closed cleanly but without its terminator ({@code [DONE]}, {@code message_stop}). */
    STREAM_TRUNCATED("stream_truncated"),
    /** soaklab itself failed to make the call. */
    CLIENT_ERROR("client_error"),
    /** The client's circuit breaker was open: the call failed fast, nothing was sent. */
    CIRCUIT_OPEN("circuit_open"),
    /** The run's spend limit left no room for what the call could cost: nothing was sent. */
    SPEND_LIMIT("spend_limit");

    private final String wireName;

    ErrorClass(String wireName) {
        this.wireName = wireName;
    }

    /** False when soaklab refused the call itself and sent nothing (an open breaker, the spend limit). */
    public boolean sent() {
        return this != CIRCUIT_OPEN && this != SPEND_LIMIT;
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
