package io.soaklab.scenario;

import io.soaklab.internal.text.SyntheticText;
import io.soaklab.internal.text.TokenEstimator;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The request of a Mooncake record: one user message per hash id, each the block of
 * {@value #BLOCK_TOKENS} tokens of text that id stands for (the same id, the same text, in any run),
 * the last ones cut so that the prompt, chat framing included, is {@code input_length} tokens; the
 * output cap {@code output_length}, asked for exactly. A block is {@link SyntheticText} words, each one
 * token with its leading space for the embedded endpoint and for {@code o200k_base} and
 * {@code cl100k_base}: blocks put together are as long as they are apart.
 *
 * <p>A block is a message of its own because a server caches prefixes at message boundaries (the
 * embedded endpoint, OpenAI) or at token blocks (vLLM, SGLang), which message boundaries also are.
 */
final class MooncakePrompt {

    /** Tokens of one hash id's block, as Mooncake's traces count them. */
    static final int BLOCK_TOKENS = 512;
    /** A chat request's framing beyond its messages' (the reply's priming). */
    static final int FRAMING = TokenEstimator.TOKENS_PER_REQUEST + TokenEstimator.TOKENS_PER_MESSAGE;

    private MooncakePrompt() {
    }

    /** The request of {@code record}; {@code exact}: asking for exactly {@code output_length} tokens. */
    static ChatRequest request(Trace.Mooncake record, boolean exact) {
        List<Message> messages = record.textInput() != null ? List.of(Message.user(record.textInput())) : messages(record);
        return new ChatRequest(messages, record.outputLength(), List.of(), ChatRequest.ToolChoice.AUTO, false,
                ChatRequest.CacheTtl.FIVE_MINUTES, ChatRequest.Reasoning.NONE, exact);
    }

    /** The block messages: their text lengths from {@link #lengths}, each the start of its id's block. */
    static List<Message> messages(Trace.Mooncake record) {
        int[] lengths = lengths(record.inputLength(), record.hashIds().length);
        List<Message> out = new ArrayList<>(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            out.add(Message.user(block(record.hashIds()[i], lengths[i])));
        }
        return out;
    }

    /**
     * The text tokens of each block message of a prompt of {@code input} tokens: whole blocks while they fit, then what is
     * left; when what is left is too little for a message of its own (its framing and a token), the block before it gives
     * up the difference.
     *
     * @throws IllegalArgumentException when {@code blocks} blocks cannot hold the prompt
     */
    static int[] lengths(int input, int blocks) {
        int[] lengths = new int[blocks];
        long left = input - (long) TokenEstimator.TOKENS_PER_REQUEST;
        int n = 0;
        while (left > 0) {
            if (n == blocks) {
                throw new IllegalArgumentException(input + " tokens need more than " + blocks + " blocks");
            }
            if (left > TokenEstimator.TOKENS_PER_MESSAGE) {
                lengths[n] = (int) Math.min(BLOCK_TOKENS, left - TokenEstimator.TOKENS_PER_MESSAGE);
            } else {
                int borrowed = TokenEstimator.TOKENS_PER_MESSAGE + 1 - (int) left;
                if (n == 0 || lengths[n - 1] <= borrowed) {
                    throw new IllegalArgumentException(input + " tokens are too few for a chat request");
                }
                lengths[n - 1] -= borrowed;
                lengths[n] = 1;
                left += borrowed;
            }
            left -= TokenEstimator.TOKENS_PER_MESSAGE + lengths[n];
            n++;
        }
        return java.util.Arrays.copyOf(lengths, n);
    }

    /** The first {@code tokens} tokens of hash id {@code id}'s block: words drawn from a stream seeded by the id alone. */
    static String block(long id, int tokens) {
        return SyntheticText.words(new SplittableRandom(id * 0x9E3779B97F4A7C15L + 0x5EED_B10CL), tokens);
    }
}
