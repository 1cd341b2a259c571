package io.soaklab.scenario;

import io.soaklab.protocol.Message;
import io.soaklab.internal.text.SyntheticText;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fixed texts of a scenario: system prompts, the same in every episode (as in a real agent
 * harness, where they make the cached prefix), and the harness's own instructions.
 */
final class Prompts {

    private final Map<String, Message> systems = new ConcurrentHashMap<>();

    /** The system prompt of {@code role}: about {@code tokens} tokens, always the same text. */
    Message system(String role, int tokens) {
        return systems.computeIfAbsent(role + "/" + tokens, k -> Message.system("You are the " + role
                + " of a software team. Use the tools when they help, then answer."
                + SyntheticText.words(new SplittableRandom(role.hashCode() * 31L + tokens), tokens)));
    }

    /** Tokens of a system prompt of {@code tokens} words: the words plus its opening sentence. */
    static long systemTokens(int tokens) {
        return tokens + 20;
    }

    /** A user message of {@code tokens} tokens of synthetic text after {@code label}. */
    static Message user(String label, SplittableRandom random, int tokens) {
        return Message.user(label + SyntheticText.words(random, tokens));
    }
}
