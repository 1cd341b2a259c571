package io.soaklab.protocol;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What one model call did, measured on one monotonic clock. All durations are nanoseconds after
 * the call's <em>intended</em> start (see METRICS.md); {@code -1} means the point was never reached.
 *
 * @param intendedNanos   {@link System#nanoTime()} at which the load model wanted the call to start
 * @param lagNanos        from intended start to the moment soaklab handed the request to the HTTP client
 * @param connectNanos    duration of a new connection made for this call, or -1 when a pooled one was used
 * @param headersNanos    from intended start to the response status and headers, or -1
 * @param firstTokenNanos from intended start to the first chunk carrying text, reasoning or a tool call, or -1
 * @param e2eNanos        from intended start to the end of the stream or the failure
 * @param status          HTTP status, or 0 when no response arrived
 * @param error           how the call ended
 * @param errorDetail     a short explanation of a failure, or {@code null}
 * @param usage           token usage
 * @param content         the reply's text (content deltas only, not reasoning)
 * @param contentChunks   chunks that carried text, reasoning or a tool-call fragment
 * @param itlSumNanos     sum of the gaps between consecutive content chunks
 * @param itlMaxNanos     largest such gap, or 0
 * @param finishReason    the server's finish reason ({@code stop}, {@code length}, {@code end_turn}...), or {@code null}
 * @param requestId       the server's id of the request ({@code x-request-id} or {@code request-id}), or {@code null}
 * @param toolCalls       the tool calls the reply made, in order
 * @param retryAfterNanos how long the server asked the client to wait before retrying
 *                        ({@code retry-after-ms}, else {@code retry-after}), or -1
 * @param shouldRetry     the server's {@code x-should-retry} verdict, or {@code null} when it gave none
 * @param firstToolNanos  from intended start to the first chunk of a tool call, or -1: the agent's
 *                        time to first action, measured like TTFT
 * @param reasoning       the reply's reasoning or thinking text, as far as it was streamed (kept to
 *                        count it when usage must be estimated; never sent back)
 * @param maxTokens       the request's output cap the reply was checked against, or 0 when unknown
 * @param promptTokensSent soaklab's own count of the prompt it sent, or -1 when not counted
 * @param flags           what soaklab noticed about the reply ({@link CallFlag}), empty for most calls
 */
public record CallResult(
        long intendedNanos,
        long lagNanos,
        long connectNanos,
        long headersNanos,
        long firstTokenNanos,
        long e2eNanos,
        int status,
        ErrorClass error,
        String errorDetail,
        Usage usage,
        String content,
        int contentChunks,
        long itlSumNanos,
        long itlMaxNanos,
        String finishReason,
        String requestId,
        List<ToolCall> toolCalls,
        long retryAfterNanos,
        Boolean shouldRetry,
        long firstToolNanos,
        String reasoning,
        int maxTokens,
        long promptTokensSent,
        Set<CallFlag> flags) {

    public CallResult {
        toolCalls = List.copyOf(toolCalls);
        reasoning = reasoning == null ? "" : reasoning;
        flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    }

    /**
     * A call that failed inside soaklab without a response (nothing sent, or no outcome from the
     * client), {@code e2eNanos} after its intended start; {@code lagNanos} is how late soaklab was
     * to decide or send it, or -1.
     */
    public static CallResult failure(long intendedNanos, long lagNanos, long e2eNanos, ErrorClass error, String detail) {
        return new CallResult(intendedNanos, lagNanos, -1, -1, -1, e2eNanos, 0, error, detail, Usage.NONE, "", 0, 0, 0, null, null,
                List.of(), -1, null, -1, "", 0, -1, Set.of());
    }

    /**
     * A call still open {@code ageNanos} after its intended start, when the run ended and nothing
     * more of it is known: no response yet, as far as anyone can tell.
     */
    public static CallResult open(long intendedNanos, long ageNanos, String detail) {
        return new CallResult(intendedNanos, -1, -1, -1, -1, ageNanos, 0, ErrorClass.OPEN, detail, Usage.NONE, "", 0, 0, 0, null, null,
                List.of(), -1, null, -1, "", 0, -1, Set.of());
    }

    /** True when the call finished normally. */
    public boolean ok() {
        return error == ErrorClass.OK;
    }

    /** Time to first token from the request's send, the figure other tools report; -1 if none. */
    public long ttftSentNanos() {
        return firstTokenNanos < 0 ? -1 : firstTokenNanos - lagNanos;
    }

    /** Number of inter-token gaps. */
    public int itlCount() {
        return Math.max(0, contentChunks - 1);
    }

    /** Mean inter-token gap, or -1 when there was at most one content chunk. */
    public long itlMeanNanos() {
        int n = itlCount();
        return n == 0 ? -1 : itlSumNanos / n;
    }

    /**
     * Time per output token after the first: {@code (end - first token) / (output tokens - 1)}, or -1
     * when usage is unknown or the reply had fewer than two tokens.
     */
    public long tpotNanos() {
        long tokens = usage.completionTokens();
        if (firstTokenNanos < 0 || !usage.known() || tokens < 2) {
            return -1;
        }
        return (e2eNanos - firstTokenNanos) / (tokens - 1);
    }

    /** True when soaklab raised {@code flag} for this call. */
    public boolean flagged(CallFlag flag) {
        return flags.contains(flag);
    }

    /** The same result with other usage (used when usage is estimated locally). */
    public CallResult withUsage(Usage newUsage) {
        return new CallResult(intendedNanos, lagNanos, connectNanos, headersNanos, firstTokenNanos, e2eNanos,
                status, error, errorDetail, newUsage, content, contentChunks, itlSumNanos, itlMaxNanos, finishReason, requestId,
                toolCalls, retryAfterNanos, shouldRetry, firstToolNanos, reasoning, maxTokens, promptTokensSent, flags);
    }

    /** The same result ended as {@code newError}, for the reason {@code detail}: a call soaklab itself stopped. */
    public CallResult withOutcome(ErrorClass newError, String detail) {
        return new CallResult(intendedNanos, lagNanos, connectNanos, headersNanos, firstTokenNanos, e2eNanos,
                status, newError, detail, usage, content, contentChunks, itlSumNanos, itlMaxNanos, finishReason, requestId,
                toolCalls, retryAfterNanos, shouldRetry, firstToolNanos, reasoning, maxTokens, promptTokensSent, flags);
    }

    /**
     * The same result with soaklab's own count of the prompt it sent, flagged
     * {@link CallFlag#PROMPT_TRUNCATED} when {@code truncated}.
     */
    public CallResult withPromptCount(long sentTokens, boolean truncated) {
        Set<CallFlag> f = flags;
        if (truncated) {
            EnumSet<CallFlag> more = flags.isEmpty() ? EnumSet.noneOf(CallFlag.class) : EnumSet.copyOf(flags);
            more.add(CallFlag.PROMPT_TRUNCATED);
            f = more;
        }
        return new CallResult(intendedNanos, lagNanos, connectNanos, headersNanos, firstTokenNanos, e2eNanos,
                status, error, errorDetail, usage, content, contentChunks, itlSumNanos, itlMaxNanos, finishReason, requestId,
                toolCalls, retryAfterNanos, shouldRetry, firstToolNanos, reasoning, maxTokens, sentTokens, f);
    }
}
