package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.handler.codec.http.HttpHeaders;
import io.soaklab.protocol.JsonFields.FieldReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Reads a server's description of an error, in the shapes servers use: OpenAI's and Anthropic's
 * {@code {"error": {"type", "code", "message"}}}, TGI's {@code {"error": "...", "error_type": ...}},
 * vLLM's older top-level {@code {"object": "error", "type", "code", "message"}} and llama.cpp's
 * {@code {"code", "type", "message"}}. The description keeps the type and code beside the message,
 * because a context-length refusal is often told by its code ({@code context_length_exceeded}).
 * Also what the server's headers advise about retrying.
 */
final class ServerErrors {

    private ServerErrors() {
    }

    /** {@code type (code): message} of the value of an {@code error} field at {@code p}; a string as it is. */
    static String errorValue(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return String.valueOf(value);
        }
        ErrorFields f = new ErrorFields(false);
        JsonFields.eachField(p, value, f);
        if (f.error != null && f.message == null) {
            return f.error; // {"type": "error", "error": {...}}
        }
        return join(f.type, f.code, f.message);
    }

    /**
     * The description of a whole error body or event: the {@code error} member when there is one,
     * else the object's own type, code and message; the text itself when it is not JSON.
     */
    static String describe(byte[] bytes, int offset, int length) {
        try (JsonParser p = StreamingClient.JSON.createParser(bytes, offset, length)) {
            ErrorFields f = new ErrorFields(true);
            if (JsonFields.eachField(p, p.nextToken(), f)) {
                if (f.error != null) {
                    return f.type == null || "error".equals(f.type) || f.error.startsWith(f.type) ? f.error : f.type + ": " + f.error;
                }
                if (f.message != null || f.type != null || f.code != null) {
                    return join(f.type, f.code, f.message);
                }
            }
        } catch (IOException notJson) {
            // the raw text below
        }
        return new String(bytes, offset, length, StandardCharsets.UTF_8).strip();
    }

    /**
     * How long the server asks the client to wait before retrying: {@code retry-after-ms}, else
     * {@code retry-after} (seconds or an HTTP date); -1 when it gave no hint, or none it could read.
     */
    static long retryAfterNanos(HttpHeaders headers) {
        String ms = headers.get("retry-after-ms");
        String after = headers.get("retry-after");
        try {
            if (ms != null) {
                return (long) (Double.parseDouble(ms.strip()) * 1_000_000);
            } else if (after != null) {
                String a = after.strip();
                return a.chars().allMatch(Character::isDigit) || a.matches("\\d+\\.\\d*")
                        ? (long) (Double.parseDouble(a) * 1e9)
                        : Math.max(0, Duration.between(Instant.now(),
                                ZonedDateTime.parse(a, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).toNanos());
            }
        } catch (RuntimeException unreadable) {
            // a hint we cannot read is no hint
        }
        return -1;
    }

    /**
     * The rate limits a refusal's headers state, for its detail: each limit
     * ({@code x-ratelimit-limit-requests}, {@code anthropic-ratelimit-tokens-limit}, {@code ratelimit-limit}...) and
     * each remaining count that is zero (what ran out), as {@code name: value; ...}; null when it states none.
     */
    static String rateLimits(HttpHeaders headers) {
        StringBuilder out = null;
        for (java.util.Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!(name.startsWith("x-ratelimit-") || name.startsWith("anthropic-ratelimit-") || name.startsWith("ratelimit-"))) {
                continue;
            }
            boolean limit = name.endsWith("-limit") || name.contains("-limit-");
            boolean exhausted = name.contains("remaining") && h.getValue().strip().equals("0");
            if (limit || exhausted) {
                out = (out == null ? new StringBuilder() : out.append("; ")).append(name).append(": ").append(h.getValue().strip());
            }
        }
        return out == null ? null : out.toString();
    }

    /** The server's {@code x-should-retry} verdict, or null when it gave none. */
    static Boolean shouldRetry(HttpHeaders headers) {
        String should = headers.get("x-should-retry");
        return should == null ? null : Boolean.valueOf(should.strip().equalsIgnoreCase("true"));
    }

    /** The members of one error object as it is read: an {@code error} member (described), its type, code and message. */
    private static final class ErrorFields implements FieldReader {

        /** A whole body may also name its type {@code error_type} and its message {@code detail} (TGI, FastAPI). */
        private final boolean body;
        private String error;
        private String type;
        private String code;
        private String message;

        ErrorFields(boolean body) {
            this.body = body;
        }

        @Override
        public void field(JsonParser p, String name, JsonToken v) throws IOException {
            switch (name) {
                case "error" -> error = errorValue(p, v);
                case "type" -> type = scalar(p, v, type);
                case "code" -> code = scalar(p, v, code);
                case "message" -> message = scalar(p, v, message);
                case "error_type" -> type = body ? scalar(p, v, type) : skip(p, type);
                case "detail" -> message = body ? scalar(p, v, message) : skip(p, message);
                default -> p.skipChildren();
            }
        }
    }

    private static String skip(JsonParser p, String otherwise) throws IOException {
        p.skipChildren();
        return otherwise;
    }

    private static String join(String type, String code, String message) {
        StringBuilder b = new StringBuilder();
        if (type != null) {
            b.append(type);
        }
        if (code != null && !code.equals(type)) {
            b.append(b.length() == 0 ? "" : " ").append('(').append(code).append(')');
        }
        if (message != null) {
            b.append(b.length() == 0 ? "" : ": ").append(message);
        }
        return b.length() == 0 ? "(no message)" : b.toString();
    }

    private static String scalar(JsonParser p, JsonToken v, String otherwise) throws IOException {
        if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getText();
        }
        p.skipChildren();
        return otherwise;
    }
}
