package io.soaklab.text;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;

/**
 * Counts tokens locally with a real BPE encoding ({@code o200k_base}), for calls whose server
 * reported no usage. Counts made here are estimates and are always marked so.
 *
 * <p>Chat framing follows OpenAI's published rule of thumb: each message costs its content plus
 * {@value #TOKENS_PER_MESSAGE} tokens, and every request {@value #TOKENS_PER_REQUEST} more for the
 * reply's priming.
 */
public final class TokenEstimator {

    /** Framing tokens of one chat message (start marker, role, separator, end marker). */
    public static final int TOKENS_PER_MESSAGE = 4;
    /** Tokens that prime the assistant's reply in every chat request. */
    public static final int TOKENS_PER_REQUEST = 3;

    private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private TokenEstimator() {
    }

    /** Tokens of {@code text} in {@code o200k_base}. */
    public static int count(String text) {
        return text == null || text.isEmpty() ? 0 : O200K.countTokensOrdinary(text);
    }

    /** Prompt tokens of a chat request whose message contents are {@code contents}. */
    public static long countChat(List<String> contents) {
        long total = TOKENS_PER_REQUEST;
        for (String content : contents) {
            total += TOKENS_PER_MESSAGE + count(content);
        }
        return total;
    }
}
