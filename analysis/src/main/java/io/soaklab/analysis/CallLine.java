package io.soaklab.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.CallFlag;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import io.soaklab.record.RunRecorder;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One line of {@code calls.jsonl} as the analysis reads it: parsed with the streaming parser into
 * this reused holder (nothing allocated per line but the strings it keeps), and <em>validated</em>:
 * a line that is not a whole JSON object, names an unknown outcome, or holds an absurd value (a
 * negative or overflowing token count, time or window) is refused, and the reader counts it as a
 * bad line. No figure of soaklab's rests on a value a damaged or forged line put there.
 */
final class CallLine {

    /** No call holds more tokens than this; more is a damaged line. */
    static final long MAX_TOKENS = 1L << 40;
    /** No time in the file is longer than this (about 11 days, in microseconds); longer is a damaged line. */
    static final long MAX_MICROS = 1_000_000_000_000L;
    /** No run has more windows or steps than this. */
    static final int MAX_INDEX = 100_000_000;

    private static final JsonFactory JSON = new JsonFactory();
    private static final CallFlag[] FLAGS = CallFlag.values();

    /** Whether the request id is kept: only the reader matching calls with the endpoint's log needs it, and it is a String a line. */
    private final boolean keepIds;

    /** A holder that skips the request id. */
    CallLine() {
        this(false);
    }

    CallLine(boolean keepIds) {
        this.keepIds = keepIds;
    }

    boolean warmup;
    int window;
    long user;
    long episode;
    String role;
    int step;
    int attempt;
    boolean last;
    long intendedUs;
    long lagUs;
    long e2eUs;
    long ttftUs;
    long ttftSentUs;
    long ttftToolUs;
    long callE2eUs;
    long callTtftUs;
    long tpotUs;
    long itlMaxUs;
    int status;
    ErrorClass error;
    String detail;
    String requestId;
    boolean connected;
    long prompt;
    long completion;
    long cached;
    long reasoning;
    long cacheWrite;
    long cacheWrite1h;
    Usage.Source usage;
    long promptSent;
    long maxTokens;
    int flags;

    /** A line refused: why, in a few words. */
    static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String why) {
            super(why, null, false, false);
        }
    }

    /** Receives each valid line, and says what to do with each bad one. */
    interface Reader {
        void line(CallLine line);

        /**
         * @param number the line's number, from 1
         * @param last   true when it is the file's last line (a run cut off while writing it)
         */
        default void bad(long number, boolean last, String why) {
        }
    }

    /** Reads every line of {@code dir}'s {@code calls.jsonl} (none when it is missing); returns whether it exists. */
    static boolean readAll(Path dir, Reader reader) throws IOException {
        Path file = dir.resolve(RunRecorder.CALLS);
        if (!Files.exists(file)) {
            return false;
        }
        CallLine line = new CallLine();
        long number = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = in.readLine()) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    line.parse(text);
                } catch (BadLine bad) {
                    reader.bad(number, !in.ready(), bad.getMessage());
                    continue;
                }
                reader.line(line);
            }
        }
        return true;
    }

    /** True when soaklab raised {@code flag} for this call. */
    boolean flagged(CallFlag flag) {
        return (flags & (1 << flag.ordinal())) != 0;
    }

    /** True when the request went out (not refused by soaklab itself, not a line without a send time). */
    boolean sent() {
        return error.sent() && lagUs >= 0;
    }

    /** TTFT from the call's first intended start. */
    long callTtft() {
        return callTtftUs >= 0 ? callTtftUs : ttftUs;
    }

    /** End to end from the call's first intended start. */
    long callE2e() {
        return callE2eUs >= 0 ? callE2eUs : e2eUs;
    }

    /** First tool-call chunk from the call's first intended start: the retry wait is what separates the call's end from the attempt's. */
    long callTtftTool() {
        return ttftToolUs < 0 ? -1 : ttftToolUs + (callE2eUs >= 0 && e2eUs >= 0 ? callE2eUs - e2eUs : 0);
    }

    /** Epoch microseconds at which the request was sent, or -1. */
    long sentAtUs() {
        return sent() ? intendedUs + lagUs : -1;
    }

    /** Epoch microseconds at which it ended, or -1 for a call still open at the end. */
    long endedAtUs() {
        return error == ErrorClass.OPEN ? -1 : intendedUs + e2eUs;
    }

    void parse(String text) throws BadLine {
        clear();
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadLine("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "phase" -> warmup = "warmup".equals(p.getText());
                    case "window" -> window = index(p, field);
                    case "user" -> user = count(p, field, Long.MAX_VALUE);
                    case "episode", "session" -> episode = count(p, field, Long.MAX_VALUE);
                    case "role" -> role = p.getText();
                    case "step" -> step = index(p, field);
                    case "attempt" -> attempt = Math.max(1, index(p, field));
                    case "last" -> last = p.getBooleanValue();
                    case "intended_us" -> intendedUs = p.getLongValue();
                    case "lag_us" -> lagUs = micros(p, field);
                    case "e2e_us" -> e2eUs = micros(p, field);
                    case "ttft_us" -> ttftUs = micros(p, field);
                    case "ttft_sent_us" -> ttftSentUs = micros(p, field);
                    case "ttft_tool_us" -> ttftToolUs = micros(p, field);
                    case "call_e2e_us" -> callE2eUs = micros(p, field);
                    case "call_ttft_us" -> callTtftUs = micros(p, field);
                    case "tpot_us" -> tpotUs = micros(p, field);
                    case "itl_max_us" -> itlMaxUs = micros(p, field);
                    case "connect_us" -> connected = true;
                    case "status" -> status = (int) count(p, field, 999);
                    case "error" -> error = ErrorClass.ofWireName(p.getText());
                    case "error_detail" -> detail = p.getText();
                    case "request_id" -> requestId = keepIds ? p.getText() : null;
                    case "prompt_tokens" -> prompt = count(p, field, MAX_TOKENS);
                    case "completion_tokens" -> completion = count(p, field, MAX_TOKENS);
                    case "cached_tokens" -> cached = count(p, field, MAX_TOKENS);
                    case "reasoning_tokens" -> reasoning = count(p, field, MAX_TOKENS);
                    case "cache_write_tokens" -> cacheWrite = count(p, field, MAX_TOKENS);
                    case "cache_write_1h_tokens" -> cacheWrite1h = count(p, field, MAX_TOKENS);
                    case "prompt_tokens_sent" -> promptSent = count(p, field, MAX_TOKENS);
                    case "max_tokens" -> maxTokens = count(p, field, MAX_TOKENS);
                    case "usage" -> usage = switch (p.getText()) {
                        case "estimated" -> Usage.Source.ESTIMATED;
                        case "none" -> Usage.Source.NONE;
                        default -> Usage.Source.SERVER;
                    };
                    case "flags" -> flags(p, v);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new BadLine("cut off");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new BadLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private void clear() {
        warmup = false;
        window = 0;
        user = 0;
        episode = 0;
        role = "agent";
        step = 0;
        attempt = 1;
        last = true;
        intendedUs = 0;
        lagUs = -1;
        e2eUs = -1;
        ttftUs = -1;
        ttftSentUs = -1;
        ttftToolUs = -1;
        callE2eUs = -1;
        callTtftUs = -1;
        tpotUs = -1;
        itlMaxUs = -1;
        status = 0;
        error = ErrorClass.OK;
        detail = null;
        requestId = null;
        connected = false;
        prompt = 0;
        completion = 0;
        cached = 0;
        reasoning = 0;
        cacheWrite = 0;
        cacheWrite1h = 0;
        usage = Usage.Source.SERVER;
        promptSent = -1;
        maxTokens = 0;
        flags = 0;
    }

    private void flags(JsonParser p, JsonToken v) throws IOException, BadLine {
        if (v != JsonToken.START_ARRAY) {
            throw new BadLine("flags is not a list");
        }
        while (p.nextToken() == JsonToken.VALUE_STRING) {
            String name = p.getText();
            for (CallFlag f : FLAGS) {
                if (f.wireName().equals(name)) {
                    flags |= 1 << f.ordinal();
                }
            }
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new BadLine("flags holds something other than names");
        }
    }

    private static long count(JsonParser p, String field, long max) throws IOException, BadLine {
        long v = p.getLongValue();
        if (v < 0 || v > max) {
            throw new BadLine(field + " " + v + " is out of range");
        }
        return v;
    }

    private static long micros(JsonParser p, String field) throws IOException, BadLine {
        return count(p, field, MAX_MICROS);
    }

    private static int index(JsonParser p, String field) throws IOException, BadLine {
        return (int) count(p, field, MAX_INDEX);
    }
}
