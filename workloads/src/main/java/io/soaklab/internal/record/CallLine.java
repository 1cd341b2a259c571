package io.soaklab.internal.record;

import io.soaklab.internal.layout.RunFile;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.internal.cost.Cost;
import io.soaklab.protocol.CallFlag;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One line of {@code calls.jsonl}: the file's only writer ({@link RunRecorder} hands it each call)
 * and its only reader. Read with the streaming parser into this reused holder (nothing allocated per
 * line but the strings it keeps), and <em>validated</em>: a line that is not a whole JSON object,
 * names an unknown outcome, or holds an absurd value (a negative or overflowing token count, time or
 * window) is refused, and the reader is told it was a bad line. No figure of soaklab's rests on a
 * value a damaged or forged line put there. Field meanings: {@code results/README.md}.
 *
 * <pre>{@code
 * CallLine.read(runDir, line -> total += line.usage().completionTokens());
 * }</pre>
 */
public final class CallLine {

    /** No call holds more tokens than this; more is a damaged line. */
    static final long MAX_TOKENS = 1L << 40;
    /** No time in the file is longer than this (about 11 days, in microseconds); longer is a damaged line. */
    static final long MAX_MICROS = 1_000_000_000_000L;
    /** No run has more windows or steps than this. */
    static final int MAX_INDEX = 100_000_000;

    // the fields, in the order they are written after the head
    static final String ROLE = "role";
    static final String STEP = "step";
    static final String ATTEMPT = "attempt";
    static final String LAST = "last";
    static final String INTENDED_US = "intended_us";
    static final String LAG_US = "lag_us";
    static final String CONNECT_US = "connect_us";
    static final String HEADERS_US = "headers_us";
    static final String TTFT_US = "ttft_us";
    static final String TTFT_SENT_US = "ttft_sent_us";
    static final String TTFT_TOOL_US = "ttft_tool_us";
    static final String E2E_US = "e2e_us";
    static final String CALL_TTFT_US = "call_ttft_us";
    static final String CALL_E2E_US = "call_e2e_us";
    static final String STATUS = "status";
    static final String ERROR = "error";
    static final String ERROR_DETAIL = "error_detail";
    static final String FINISH = "finish";
    static final String PROMPT_TOKENS = "prompt_tokens";
    static final String COMPLETION_TOKENS = "completion_tokens";
    static final String CACHED_TOKENS = "cached_tokens";
    static final String REASONING_TOKENS = "reasoning_tokens";
    static final String CACHE_WRITE_TOKENS = "cache_write_tokens";
    static final String CACHE_WRITE_1H_TOKENS = "cache_write_1h_tokens";
    static final String USAGE = "usage";
    static final String PROMPT_TOKENS_SENT = "prompt_tokens_sent";
    static final String FLAGS = "flags";
    static final String MAX_TOKENS_FIELD = "max_tokens";
    static final String COST_USD = "cost_usd";
    static final String LONG_CONTEXT_TIER = "long_context_tier";
    static final String REQUEST_ID = "request_id";
    static final String CHUNKS = "chunks";
    static final String TOOL_CALLS = "tool_calls";
    static final String ITL_MEAN_US = "itl_mean_us";
    static final String ITL_MAX_US = "itl_max_us";
    static final String TPOT_US = "tpot_us";

    private static final JsonFactory JSON = new JsonFactory();
    private static final CallFlag[] FLAG_VALUES = CallFlag.values();

    /** Receives each valid line, and is told of each bad one. */
    public interface Reader {
        /** A valid line: read it now, the holder is reused for the next. */
        void line(CallLine line);

        /** Whether {@link CallLine#requestId()} is wanted: a String a line, kept only when asked for. */
        default boolean wantsRequestIds() {
            return false;
        }

        /**
         * A line that is not a valid call record, skipped.
         *
         * @param number the line's number, from 1
         * @param last   true when it is the file's last line (a run cut off while writing it)
         * @param why    what is wrong with it, in a few words
         */
        default void bad(long number, boolean last, String why) {
        }
    }

    /** A line refused: why, in a few words. */
    static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String why) {
            super(why, null, false, false);
        }
    }

    private boolean warmup;
    private int window;
    private long user;
    private long episode;
    private String role;
    private int step;
    private int attempt;
    private boolean last;
    private long intendedUs;
    private long lagUs;
    private long e2eUs;
    private long ttftUs;
    private long ttftSentUs;
    private long ttftToolUs;
    private long callE2eUs;
    private long callTtftUs;
    private long tpotUs;
    private long itlMaxUs;
    private int status;
    private ErrorClass error;
    private String detail;
    private String requestId;
    private boolean connected;
    private long prompt;
    private long completion;
    private long cached;
    private long reasoning;
    private long cacheWrite;
    private long cacheWrite1h;
    private Usage.Source source;
    private long promptSent;
    private long maxTokens;
    private int flags;

    /** Whether the request id is kept. */
    private boolean keepIds = true;

    private CallLine() {
    }

    // ---- writing -------------------------------------------------------------------------------

    /** Opens {@code dir}'s file for appending lines. */
    static JsonLines open(Path dir) throws IOException {
        return new JsonLines(RunFile.CALLS.in(dir));
    }

    /**
     * Writes one call attempt's line: the head, then its fields.
     *
     * @param priced whether the run is priced (then {@code cost_usd} is written, exactly)
     */
    static void write(JsonGenerator g, boolean warmup, int window, CallResult r, CallInfo info, Cost cost, boolean priced, TimeBase time)
            throws IOException {
        LineHead.write(g, warmup, window, info.user(), info.episode());
        g.writeStringField(ROLE, info.role());
        g.writeNumberField(STEP, info.step());
        g.writeNumberField(ATTEMPT, info.attempt());
        g.writeBooleanField(LAST, info.last());
        g.writeNumberField(INTENDED_US, time.epochMicros(r.intendedNanos()));
        optional(g, LAG_US, r.lagNanos());
        optional(g, CONNECT_US, r.connectNanos());
        optional(g, HEADERS_US, r.headersNanos());
        optional(g, TTFT_US, r.firstTokenNanos());
        optional(g, TTFT_SENT_US, r.ttftSentNanos());
        optional(g, TTFT_TOOL_US, r.firstToolNanos());
        g.writeNumberField(E2E_US, r.e2eNanos() / 1000);
        if (info.attempt() > 1 && info.last()) {
            long wait = r.intendedNanos() - info.firstIntended();
            optional(g, CALL_TTFT_US, r.firstTokenNanos() < 0 ? -1 : r.firstTokenNanos() + wait);
            g.writeNumberField(CALL_E2E_US, (r.e2eNanos() + wait) / 1000);
        }
        g.writeNumberField(STATUS, r.status());
        g.writeStringField(ERROR, r.error().wireName());
        if (r.errorDetail() != null) {
            g.writeStringField(ERROR_DETAIL, r.errorDetail());
        }
        if (r.finishReason() != null) {
            g.writeStringField(FINISH, r.finishReason());
        }
        Usage u = r.usage();
        g.writeNumberField(PROMPT_TOKENS, u.promptTokens());
        g.writeNumberField(COMPLETION_TOKENS, u.completionTokens());
        g.writeNumberField(CACHED_TOKENS, u.cachedTokens());
        g.writeNumberField(REASONING_TOKENS, u.reasoningTokens());
        g.writeNumberField(CACHE_WRITE_TOKENS, u.cacheWriteTokens());
        if (u.cacheWrite1hTokens() > 0) {
            g.writeNumberField(CACHE_WRITE_1H_TOKENS, u.cacheWrite1hTokens());
        }
        g.writeStringField(USAGE, u.source().wireName());
        if (r.promptTokensSent() >= 0 && r.flagged(CallFlag.PROMPT_TRUNCATED)) {
            g.writeNumberField(PROMPT_TOKENS_SENT, r.promptTokensSent());
        }
        if (!r.flags().isEmpty()) {
            g.writeArrayFieldStart(FLAGS);
            for (CallFlag f : r.flags()) {
                g.writeString(f.wireName());
            }
            g.writeEndArray();
            if (r.flagged(CallFlag.OVER_CAP)) {
                g.writeNumberField(MAX_TOKENS_FIELD, r.maxTokens());
            }
        }
        if (priced) {
            g.writeFieldName(COST_USD);
            g.writeNumber(cost.total().toPlainString()); // exact: a decimal, never a binary float
            if (cost.longTier()) {
                g.writeBooleanField(LONG_CONTEXT_TIER, true);
            }
        }
        if (r.requestId() != null) {
            g.writeStringField(REQUEST_ID, r.requestId());
        }
        g.writeNumberField(CHUNKS, r.contentChunks());
        if (!r.toolCalls().isEmpty()) {
            g.writeNumberField(TOOL_CALLS, r.toolCalls().size());
        }
        optional(g, ITL_MEAN_US, r.itlMeanNanos());
        if (r.itlCount() > 0) {
            g.writeNumberField(ITL_MAX_US, r.itlMaxNanos() / 1000);
        }
        optional(g, TPOT_US, r.tpotNanos());
    }

    private static void optional(JsonGenerator g, String field, long nanos) throws IOException {
        if (nanos >= 0) {
            g.writeNumberField(field, nanos / 1000);
        }
    }

    // ---- reading -------------------------------------------------------------------------------

    /**
     * Reads every line of {@code dir}'s {@code calls.jsonl} into {@code reader}, one reused holder
     * at a time.
     *
     * @return false when the file does not exist
     */
    public static boolean read(Path dir, Reader reader) throws IOException {
        CallLine line = new CallLine();
        line.keepIds = reader.wantsRequestIds();
        return LineFile.read(RunFile.CALLS.in(dir), (text, number, last) -> {
            try {
                line.parse(text);
            } catch (BadLine bad) {
                reader.bad(number, last, bad.getMessage());
                return;
            }
            reader.line(line);
        });
    }

    /** A holder for {@link #parse}: tests of the validation. */
    static CallLine holder() {
        return new CallLine();
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
                    case LineHead.PHASE -> warmup = LineHead.WARMUP.equals(p.getText());
                    case LineHead.WINDOW -> window = index(p, field);
                    case LineHead.USER -> user = count(p, field, Long.MAX_VALUE);
                    case LineHead.EPISODE, LineHead.SESSION -> episode = count(p, field, Long.MAX_VALUE);
                    case ROLE -> role = p.getText();
                    case STEP -> step = index(p, field);
                    case ATTEMPT -> attempt = Math.max(1, index(p, field));
                    case LAST -> last = p.getBooleanValue();
                    case INTENDED_US -> intendedUs = p.getLongValue();
                    case LAG_US -> lagUs = micros(p, field);
                    case E2E_US -> e2eUs = micros(p, field);
                    case TTFT_US -> ttftUs = micros(p, field);
                    case TTFT_SENT_US -> ttftSentUs = micros(p, field);
                    case TTFT_TOOL_US -> ttftToolUs = micros(p, field);
                    case CALL_E2E_US -> callE2eUs = micros(p, field);
                    case CALL_TTFT_US -> callTtftUs = micros(p, field);
                    case TPOT_US -> tpotUs = micros(p, field);
                    case ITL_MAX_US -> itlMaxUs = micros(p, field);
                    case CONNECT_US -> connected = true;
                    case STATUS -> status = (int) count(p, field, 999);
                    case ERROR -> error = ErrorClass.ofWireName(p.getText());
                    case ERROR_DETAIL -> detail = p.getText();
                    case REQUEST_ID -> requestId = keepIds ? p.getText() : null;
                    case PROMPT_TOKENS -> prompt = count(p, field, MAX_TOKENS);
                    case COMPLETION_TOKENS -> completion = count(p, field, MAX_TOKENS);
                    case CACHED_TOKENS -> cached = count(p, field, MAX_TOKENS);
                    case REASONING_TOKENS -> reasoning = count(p, field, MAX_TOKENS);
                    case CACHE_WRITE_TOKENS -> cacheWrite = count(p, field, MAX_TOKENS);
                    case CACHE_WRITE_1H_TOKENS -> cacheWrite1h = count(p, field, MAX_TOKENS);
                    case PROMPT_TOKENS_SENT -> promptSent = count(p, field, MAX_TOKENS);
                    case MAX_TOKENS_FIELD -> maxTokens = count(p, field, MAX_TOKENS);
                    case USAGE -> source = Usage.Source.ofWireName(p.getText());
                    case FLAGS -> flags(p, v);
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
        source = Usage.Source.SERVER;
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
            for (CallFlag f : FLAG_VALUES) {
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

    // ---- the line read -------------------------------------------------------------------------

    /** True in a warmup window. */
    public boolean warmup() {
        return warmup;
    }

    /** The window's number within its phase, from 0. */
    public int window() {
        return window;
    }

    public long user() {
        return user;
    }

    public long episode() {
        return episode;
    }

    /** The agent lane's role. */
    public String role() {
        return role;
    }

    /** The call's number in its lane, from 0. */
    public int step() {
        return step;
    }

    /** 1 for the first attempt. */
    public int attempt() {
        return attempt;
    }

    /** True for the attempt the agent saw. */
    public boolean last() {
        return last;
    }

    /** When the attempt was meant to start, epoch µs. */
    public long intendedUs() {
        return intendedUs;
    }

    /** Schedule lag, µs; -1 when the request was never sent. */
    public long lagUs() {
        return lagUs;
    }

    /** End after the attempt's intended start, µs (a call still open: its age). */
    public long e2eUs() {
        return e2eUs;
    }

    /** First content token after the attempt's intended start, µs, or -1. */
    public long ttftUs() {
        return ttftUs;
    }

    /** First content token after the request was sent, µs, or -1. */
    public long ttftSentUs() {
        return ttftSentUs;
    }

    /** Time per output token after the first, µs, or -1. */
    public long tpotUs() {
        return tpotUs;
    }

    /** Largest gap between content chunks, µs, or -1. */
    public long itlMaxUs() {
        return itlMaxUs;
    }

    /** HTTP status, 0 when none arrived. */
    public int status() {
        return status;
    }

    /** The attempt's outcome. */
    public ErrorClass error() {
        return error;
    }

    /** Its one-line explanation when not ok, or null. */
    public String detail() {
        return detail;
    }

    /** The server's id of the request, or null. */
    public String requestId() {
        return requestId;
    }

    /** True when the attempt opened a new connection. */
    public boolean connected() {
        return connected;
    }

    /** The attempt's usage, as recorded. */
    public Usage usage() {
        return new Usage(prompt, completion, cached, reasoning, cacheWrite, cacheWrite1h, source);
    }

    /** Soaklab's own count of the prompt it sent, on a call flagged {@code prompt_truncated}; else -1. */
    public long promptSent() {
        return promptSent;
    }

    /** The request's {@code max_tokens}, on a call flagged {@code over_cap}; else 0. */
    public long maxTokens() {
        return maxTokens;
    }

    /** True when soaklab raised {@code flag} for this call. */
    public boolean flagged(CallFlag flag) {
        return (flags & (1 << flag.ordinal())) != 0;
    }

    /** True when the request went out (not refused by soaklab itself, not a line without a send time). */
    public boolean sent() {
        return error.sent() && lagUs >= 0;
    }

    /** TTFT from the call's first intended start. */
    public long callTtft() {
        return callTtftUs >= 0 ? callTtftUs : ttftUs;
    }

    /** End to end from the call's first intended start. */
    public long callE2e() {
        return callE2eUs >= 0 ? callE2eUs : e2eUs;
    }

    /** First tool-call chunk from the call's first intended start: the retry wait is what separates the call's end from the attempt's. */
    public long callTtftTool() {
        return ttftToolUs < 0 ? -1 : ttftToolUs + (callE2eUs >= 0 && e2eUs >= 0 ? callE2eUs - e2eUs : 0);
    }

    /** Epoch microseconds at which the request was sent, or -1. */
    public long sentAtUs() {
        return sent() ? intendedUs + lagUs : -1;
    }

    /** Epoch microseconds at which it ended, or -1 for a call still open at the end. */
    public long endedAtUs() {
        return error == ErrorClass.OPEN ? -1 : intendedUs + e2eUs;
    }

    /** Merges the shards' files into {@code out}'s, in the order their calls ended ({@code soaklab merge}). */
    public static LineMerge.Result merge(java.util.List<Path> shardDirs, Path out) throws IOException {
        return LineMerge.merge(shardDirs.stream().map(RunFile.CALLS::in).toList(), RunFile.CALLS.in(out), false, LineMerge.Keep.ALL,
                INTENDED_US, E2E_US);
    }
}
