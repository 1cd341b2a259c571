package io.soaklab.protocol;

/**
 * What a reply is held to, derived from its request's output cap. A server that ignores the cap
 * is caught twice: a reply past {@code cap + tolerance} tokens is flagged {@link CallFlag#OVER_CAP};
 * one that runs on past the bounds below is cut and recorded as {@link ErrorClass#RUNAWAY}, so that
 * a server streaming for ever (or 50 MB for a 300-token cap) can neither hold soaklab's memory nor
 * be billed and fed back into a conversation.
 *
 * <p>The bounds are deliberately loose: a content chunk carries at least one token, so four times
 * the cap (plus 256) in chunks is far past any compliant reply; a token is rarely more than 16
 * characters, so 32 characters per token of cap (plus 16,384) bounds the text, reasoning and
 * tool-call arguments kept; 2 KiB of stream per token of cap (plus 1 MiB) covers every wire format's
 * overhead, content-filter annotations included.
 *
 * @param cap       the request's output cap in tokens ({@code max_tokens}), 0 when unknown
 * @param maxChunks content chunks read before the reply is cut
 * @param maxChars  characters of text, reasoning and tool-call arguments kept before it is cut
 * @param maxBytes  bytes of the response body read before it is cut
 */
record ReplyBounds(int cap, long maxChunks, long maxChars, long maxBytes) {

    /** Chunks allowed per token of cap, and beyond. */
    static final int CHUNKS_PER_TOKEN = 4;
    static final int EXTRA_CHUNKS = 256;
    static final int CHARS_PER_TOKEN = 32;
    static final int EXTRA_CHARS = 16 << 10;
    static final int BYTES_PER_TOKEN = 2 << 10;
    static final int EXTRA_BYTES = 1 << 20;
    /** The most of a body read for any cap, and for a call whose cap is unknown. */
    static final long MAX_BYTES = 256L << 20;

    /** The bounds of a reply to a request capped at {@code cap} tokens (0: unknown). */
    static ReplyBounds of(int cap) {
        if (cap <= 0) {
            return new ReplyBounds(0, Long.MAX_VALUE, MAX_BYTES, MAX_BYTES);
        }
        return new ReplyBounds(cap, (long) CHUNKS_PER_TOKEN * cap + EXTRA_CHUNKS, (long) CHARS_PER_TOKEN * cap + EXTRA_CHARS,
                Math.min(MAX_BYTES, (long) BYTES_PER_TOKEN * cap + EXTRA_BYTES));
    }

    /**
     * Tokens a reply may exceed its cap by before it is flagged: 2% of the cap, at least 4 (some
     * servers count the end-of-sequence token, or a few tokens of framing, as output).
     */
    int tolerance() {
        return Math.max(4, cap / 50);
    }

    /** True when {@code outputTokens} is past the cap by more than the tolerance. */
    boolean overCap(long outputTokens) {
        return cap > 0 && outputTokens > (long) cap + tolerance();
    }
}
