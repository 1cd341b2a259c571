package io.soaklab.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Something soaklab noticed about a call, whatever its outcome: a reply checked against its
 * request. Flags are written to {@code calls.jsonl} ({@code "flags": ["over_cap"]}), counted and
 * stated in the report.
 */
public enum CallFlag {
    /**
     * The reply had more output tokens (the server's count, else content chunks) than the request's
     * cap plus {@link ReplyBounds#tolerance}: the server ignored {@code max_tokens}.
     */
    OVER_CAP,
    /**
     * The server's prompt count was below half of soaklab's own count of what it sent: the server
     * cut the prompt without saying so, and the reply answered something shorter than was asked.
     */
    PROMPT_TRUNCATED,
    /**
     * The cached-token count was derived from llama.cpp's non-standard {@code timings} object
     * (prompt tokens less {@code timings.prompt_n}, those it evaluated), the server having reported
     * none in {@code prompt_tokens_details}.
     */
    CACHE_FROM_TIMINGS;

    /** The stable lower-case name used in files and reports. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The flag with this wire name. */
    public static CallFlag ofWireName(String name) {
        for (CallFlag f : values()) {
            if (f.wireName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown call flag '" + name + "'");
    }
}
