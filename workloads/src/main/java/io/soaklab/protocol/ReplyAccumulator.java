package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.ValueRecorder;

/**
 * What a reply has delivered, as a protocol's reader reports it: its content chunks and their
 * timing (the first, the first of a tool call, the gaps between them, each gap also recorded as it
 * is seen), its text, reasoning and tool calls ({@link ReplyParts}), its finish reason, usage and
 * flags. The reply is held to its {@link ReplyBounds}: one that runs past them is reported to the
 * call's {@link OutcomeClassifier} as a runaway.
 *
 * <p>Written on the connection's event loop only. The times the timer and a progress snapshot read
 * from other threads are volatile. Per token nothing is allocated, logged or locked.
 */
final class ReplyAccumulator {

    private final long sent;
    private final ReplyBounds bounds;
    private final ValueRecorder itlMicros;
    private final OutcomeClassifier outcome;
    private final ReplyParts parts;

    /** {@link System#nanoTime()} at which the bytes being read arrived. */
    private long arrival;
    // Times below are nanoseconds after `sent`; -1 until reached. Other threads read the volatile ones.
    private volatile long firstTokenAt = -1;
    private volatile long firstToolAt = -1;
    private volatile long lastTokenAt = -1;
    /** Written before {@link #lastTokenAt} on every token: a reader of that volatile sees it at least as new. */
    private int chunks;
    private long itlSum;
    private long itlMax;
    private String finishReason;
    private boolean usageSeen;
    private long promptTokens;
    private long completionTokens;
    private long cachedTokens;
    private long reasoningTokens;
    private long cacheWriteTokens;
    private long cacheWrite1hTokens;
    private final EnumSet<CallFlag> flags = EnumSet.noneOf(CallFlag.class);

    /**
     * @param sent      {@link System#nanoTime()} at which the request was sent
     * @param itlMicros receives every inter-token gap, in microseconds
     * @param outcome   told of a reply that runs past its bounds
     */
    ReplyAccumulator(long sent, ReplyBounds bounds, ValueRecorder itlMicros, OutcomeClassifier outcome) {
        this.sent = sent;
        this.bounds = bounds;
        this.itlMicros = itlMicros;
        this.outcome = outcome;
        this.parts = new ReplyParts(bounds.maxChars());
    }

    /** The bytes about to be read arrived at {@code nanoTime}: the time of every chunk in them. */
    void arrived(long nanoTime) {
        arrival = nanoTime;
    }

    long arrival() {
        return arrival;
    }

    // ---- what a protocol's reader reports ------------------------------------------------------------

    /** A chunk carrying generated content (text, reasoning, a tool-call fragment) arrived. */
    void token() {
        long at = arrival - sent;
        if (firstTokenAt < 0) {
            firstTokenAt = at;
        } else {
            long gap = at - lastTokenAt;
            itlSum += gap;
            if (gap > itlMax) {
                itlMax = gap;
            }
            itlMicros.recordValue(gap / 1000);
        }
        chunks++;
        lastTokenAt = at;
        if (chunks > bounds.maxChunks()) {
            outcome.runaway(chunks + " content chunks against a cap of " + bounds.cap() + " tokens");
        }
    }

    /** Appends the current string value of {@code p} to the reply text, without allocating; true when it was not empty. */
    boolean text(JsonParser p) throws IOException {
        if (p.getTextLength() == 0) {
            return false;
        }
        parts.text(p);
        checkChars();
        return true;
    }

    /** Appends the current string value of {@code p} to the reasoning text; true when it was not empty. */
    boolean reasoning(JsonParser p) throws IOException {
        if (p.getTextLength() == 0) {
            return false;
        }
        parts.reasoning(p);
        checkChars();
        return true;
    }

    void finishReason(String reason) {
        finishReason = reason;
    }

    /** A tool call begins: its position in the reply, its id and name (either may come later, or never). */
    void toolCall(int index, String id, String name) {
        if (firstToolAt < 0) {
            firstToolAt = arrival - sent;
        }
        parts.toolCall(index, id, name);
    }

    /** A fragment of a tool call's arguments: the current string value of {@code p}. */
    void toolArguments(int index, JsonParser p) throws IOException {
        toolCall(index, null, null);
        parts.toolArguments(index, p);
        checkChars();
    }

    /** A tool call's whole arguments, in JSON text. */
    void toolArguments(int index, String json) {
        toolCall(index, null, null);
        parts.toolArguments(index, json);
        checkChars();
    }

    /** Sets usage figures (OpenAI accounting: prompt includes cached and cache-written tokens). */
    void usage(long prompt, long completion, long cached, long reasoning, long cacheWrite, long cacheWrite1h) {
        usageSeen = true;
        promptTokens = prompt;
        completionTokens = completion;
        cachedTokens = cached;
        reasoningTokens = reasoning;
        cacheWriteTokens = cacheWrite;
        cacheWrite1hTokens = cacheWrite1h;
    }

    /** Raises {@code flag} for this call. */
    void flag(CallFlag flag) {
        flags.add(flag);
    }

    /** {@code bytes} of stream have been read: a runaway past the reply's bound. */
    void streamed(long bytes) {
        if (!outcome.failed() && bytes > bounds.maxBytes()) {
            outcome.runaway(bytes + " bytes of stream against a cap of " + bounds.cap() + " tokens");
        }
    }

    private void checkChars() {
        if (parts.full()) {
            outcome.runaway(parts.chars() + " characters of text, reasoning and tool calls against a cap of " + bounds.cap() + " tokens");
        }
    }

    // ---- what the call's result takes --------------------------------------------------------------

    long firstTokenAt() {
        return firstTokenAt;
    }

    long lastTokenAt() {
        return lastTokenAt;
    }

    long firstToolAt() {
        return firstToolAt;
    }

    /** Content chunks so far; from another thread, as many as a read of {@link #lastTokenAt} before it saw. */
    int chunks() {
        return chunks;
    }

    long itlSum() {
        return itlSum;
    }

    long itlMax() {
        return itlMax;
    }

    String finishReason() {
        return finishReason;
    }

    /** The server's usage, or {@link Usage#NONE} when it reported none. */
    Usage usage() {
        return usageSeen
                ? new Usage(promptTokens, completionTokens, cachedTokens, reasoningTokens, cacheWriteTokens, cacheWrite1hTokens, Usage.Source.SERVER)
                : Usage.NONE;
    }

    String content() {
        return parts.content();
    }

    List<ToolCall> toolCalls() {
        return parts.calls();
    }

    /** The reasoning text when usage must be estimated (the server reported none), else empty: kept only to count it. */
    String reasoningToEstimate() {
        return usageSeen ? "" : parts.reasoning();
    }

    /** The flags of a reply that ended as {@code outcome}: {@link CallFlag#OVER_CAP} too when it was past its cap, but no runaway. */
    Set<CallFlag> flags(ErrorClass outcome) {
        if (outcome != ErrorClass.RUNAWAY && bounds.overCap(usageSeen ? completionTokens : chunks)) {
            flags.add(CallFlag.OVER_CAP);
        }
        return flags;
    }
}
