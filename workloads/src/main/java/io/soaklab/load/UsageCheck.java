package io.soaklab.load;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.text.TokenEstimator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * Holds a call's usage to what soaklab sent and received, on the user's thread, once per call:
 *
 * <ul>
 * <li>a call that succeeded without usage from the server gets an estimate, marked so, counting
 * everything sent (message text, tool calls and their arguments, tool definitions) and received
 * (text, reasoning text, tool calls); a call that failed gets none, because soaklab never bills an
 * estimate for a call the server refused or cut off;</li>
 * <li>a call whose server counted its prompt below {@value #TRUNCATED_BELOW} of soaklab's own
 * count is flagged {@link io.soaklab.protocol.CallFlag#PROMPT_TRUNCATED}: tokenizers differ by up
 * to about a third, and a server that cut the prompt cut far more.</li>
 * </ul>
 *
 * <p>One per run, shared by its episodes: messages and tools are counted once each and remembered,
 * so a conversation that grows by one message per call costs one message of counting per call, and
 * a system prompt every episode sends is counted once for the run. What is remembered is bounded:
 * past {@value #REMEMBERED_CHARS} characters of remembered text the memory starts again, so a long
 * soak of distinct documents holds no more than that. For
 * the truncation check, a message longer than {@value #SAMPLED_ABOVE} characters is counted from
 * three slices of it and scaled to its length: a check against a factor of two does not need the
 * last token, and a 64,000-token document must not cost the user's thread tens of milliseconds
 * before its next call. Estimates, which are billed, are counted in full.
 */
final class UsageCheck {

    /** A server prompt count below this share of soaklab's own means the server truncated the prompt. */
    static final double TRUNCATED_BELOW = 0.5;
    /** Prompts shorter than this are not checked: chat templates dominate their count. */
    static final long MIN_CHECKED_PROMPT = 64;
    /** Framing tokens of one tool definition, beyond its name, description and schema. */
    static final int TOKENS_PER_TOOL = 8;
    /** Framing tokens of one tool call, beyond its name and arguments. */
    static final int TOKENS_PER_TOOL_CALL = 3;

    /** Messages longer than this (characters) are sampled for the truncation check. */
    static final int SAMPLED_ABOVE = 16_384;
    /** The length of each of the three slices sampled. */
    static final int SLICE = 4_096;

    /** Remembered text, in characters, past which the memory of counts starts again. */
    static final long REMEMBERED_CHARS = 8L << 20;

    private final TokenEstimator tokens;
    private final Map<Object, Integer> counted = new ConcurrentHashMap<>();
    private final Map<Object, Integer> sampled = new ConcurrentHashMap<>();
    private final AtomicLong remembered = new AtomicLong();

    UsageCheck(TokenEstimator tokens) {
        this.tokens = tokens;
    }

    /** {@code r}, answered to {@code request}, with its usage estimated or its prompt count checked. */
    CallResult check(ChatRequest request, CallResult r) {
        Usage u = r.usage();
        if (!u.known()) {
            return r.ok() ? r.withUsage(estimate(request, r)) : r;
        }
        if (u.source() != Usage.Source.SERVER || u.promptTokens() <= 0) {
            return r;
        }
        long sent = quickPrompt(request);
        if (sent < MIN_CHECKED_PROMPT) {
            return r;
        }
        return r.withPromptCount(sent, u.promptTokens() < sent * TRUNCATED_BELOW);
    }

    /** Prompt tokens of {@code request}, as soaklab counts them. */
    long prompt(ChatRequest request) {
        long total = TokenEstimator.TOKENS_PER_REQUEST;
        for (Message m : request.messages()) {
            total += remember(counted, m, m.content().length(), this::message);
        }
        return total + tools(request);
    }

    /** Prompt tokens of {@code request} for the truncation check: long messages sampled. */
    long quickPrompt(ChatRequest request) {
        long total = TokenEstimator.TOKENS_PER_REQUEST;
        for (Message m : request.messages()) {
            int length = m.content().length();
            total += length > SAMPLED_ABOVE ? remember(sampled, m, length, this::sampledMessage) : remember(counted, m, length, this::message);
        }
        return total + tools(request);
    }

    private long tools(ChatRequest request) {
        long total = 0;
        for (ToolSpec t : request.tools()) {
            total += remember(counted, t, t.description().length() + t.schema().length(), this::tool);
        }
        return total;
    }

    /** The count of {@code key}, remembered; the memory starts again when it holds too much text. */
    private <K> int remember(Map<Object, Integer> memory, K key, long chars, ToIntFunction<K> count) {
        Integer known = memory.get(key);
        if (known != null) {
            return known;
        }
        int n = count.applyAsInt(key);
        if (remembered.addAndGet(chars) > REMEMBERED_CHARS) {
            remembered.set(0);
            counted.clear();
            sampled.clear();
        }
        memory.putIfAbsent(key, n);
        return n;
    }

    /** How many counts are remembered now. */
    int remembered() {
        return counted.size() + sampled.size();
    }

    private int tool(ToolSpec t) {
        return TOKENS_PER_TOOL + tokens.tokens(t.name()) + tokens.tokens(t.description()) + tokens.tokens(t.schema());
    }

    private int sampledMessage(Message m) {
        String text = m.content();
        int length = text.length();
        long inSlices = 0;
        for (int start : new int[] {0, (length - SLICE) / 2, length - SLICE}) {
            int from = start;
            int to = start + SLICE;
            if (from > 0 && Character.isLowSurrogate(text.charAt(from))) {
                from++;
            }
            if (to < length && Character.isHighSurrogate(text.charAt(to - 1))) {
                to--;
            }
            inSlices += tokens.tokens(text.substring(from, to));
        }
        int n = TokenEstimator.TOKENS_PER_MESSAGE + (int) Math.round((double) inSlices * length / (3.0 * SLICE));
        for (ToolCall call : m.toolCalls()) {
            n += toolCall(call);
        }
        return n;
    }

    private int message(Message m) {
        int n = TokenEstimator.TOKENS_PER_MESSAGE + tokens.tokens(m.content());
        for (ToolCall call : m.toolCalls()) {
            n += toolCall(call);
        }
        return n;
    }

    private int toolCall(ToolCall call) {
        return TOKENS_PER_TOOL_CALL + tokens.tokens(call.name()) + tokens.tokens(call.arguments());
    }

    /** Usage counted locally for a call that succeeded without the server's; marked estimated. */
    private Usage estimate(ChatRequest request, CallResult r) {
        long reasoning = tokens.tokens(r.reasoning());
        long output = tokens.tokens(r.content()) + reasoning;
        for (ToolCall call : r.toolCalls()) {
            output += toolCall(call);
        }
        return new Usage(prompt(request), output, 0, reasoning, Usage.Source.ESTIMATED);
    }
}
