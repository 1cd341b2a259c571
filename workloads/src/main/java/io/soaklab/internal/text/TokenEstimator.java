package io.soaklab.internal.text;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Counts tokens locally with a real BPE encoding, for calls whose server reported no usage:
 * {@code cl100k_base} for the models that use it (GPT-3.5, GPT-4 and GPT-4 Turbo, the
 * {@code text-embedding-3} and {@code ada-002} embeddings), {@code o200k_base} for every other.
 * Counts made here are estimates and are always marked so.
 *
 * <p>Chat framing follows OpenAI's published rule of thumb: each message costs its content plus
 * {@value #TOKENS_PER_MESSAGE} tokens, and every request {@value #TOKENS_PER_REQUEST} more for the
 * reply's priming.
 *
 * <pre>{@code
 * TokenEstimator tokens = TokenEstimator.forModel("gpt-4-turbo");   // cl100k_base
 * long prompt = tokens.chat(List.of(system, user));
 * }</pre>
 */
public final class TokenEstimator {

    /** Framing tokens of one chat message (start marker, role, separator, end marker). */
    public static final int TOKENS_PER_MESSAGE = 4;
    /** Tokens that prime the assistant's reply in every chat request. */
    public static final int TOKENS_PER_REQUEST = 3;

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
    private static final TokenEstimator O200K = new TokenEstimator(REGISTRY.getEncoding(EncodingType.O200K_BASE));
    private static final TokenEstimator CL100K = new TokenEstimator(REGISTRY.getEncoding(EncodingType.CL100K_BASE));
    private static final Pattern CL100K_MODELS = Pattern.compile(
            "(.*/)?(gpt-3\\.5.*|gpt-4(-turbo|-\\d{4}|-32k)?(-.*)?|text-embedding-(3-.*|ada-002))");

    private final Encoding encoding;

    private TokenEstimator(Encoding encoding) {
        this.encoding = encoding;
    }

    /** The encoding of {@code model}: {@code cl100k_base} for the GPT-3.5/GPT-4 generation, else {@code o200k_base}. */
    public static TokenEstimator forModel(String model) {
        if (model == null) {
            return O200K;
        }
        String m = model.toLowerCase(Locale.ROOT);
        return CL100K_MODELS.matcher(m).matches() && !m.contains("gpt-4o") && !m.contains("gpt-4.") ? CL100K : O200K;
    }

    /** The encoding's name, e.g. {@code o200k_base}. */
    public String encoding() {
        return encoding.getName();
    }

    /** Tokens of {@code text}. */
    public int tokens(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    /** Prompt tokens of a chat request whose message contents are {@code contents}. */
    public long chat(List<String> contents) {
        long total = TOKENS_PER_REQUEST;
        for (String content : contents) {
            total += TOKENS_PER_MESSAGE + tokens(content);
        }
        return total;
    }

    /** Tokens of {@code text} in {@code o200k_base}. */
    public static int count(String text) {
        return O200K.tokens(text);
    }

    /** Prompt tokens of a chat request in {@code o200k_base}. */
    public static long countChat(List<String> contents) {
        return O200K.chat(contents);
    }
}
