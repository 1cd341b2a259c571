package io.soaklab.scenario;

import io.soaklab.protocol.Message;
import io.soaklab.internal.text.TokenEstimator;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent's conversation: a head that is never compacted (system prompt, task, carried memory)
 * and turns after it (an assistant message with its tool results), with what each holds in tokens,
 * so that the agent knows when it nears its context budget without asking a tokenizer.
 */
final class Conversation {

    private final List<Message> head = new ArrayList<>();
    private final List<List<Message>> turns = new ArrayList<>();
    private final List<Long> turnTokens = new ArrayList<>();
    private long headTokens;

    /** Adds to the head. */
    Conversation head(Message m, long tokens) {
        head.add(m);
        headTokens += tokens + TokenEstimator.TOKENS_PER_MESSAGE;
        return this;
    }

    /** Starts a new turn with {@code m}. */
    void turn(Message m, long tokens) {
        turns.add(new ArrayList<>(List.of(m)));
        turnTokens.add(tokens + TokenEstimator.TOKENS_PER_MESSAGE);
    }

    /** Adds {@code m} to the current turn (a tool result, a nudge). */
    void add(Message m, long tokens) {
        if (turns.isEmpty()) {
            turn(m, tokens);
            return;
        }
        turns.get(turns.size() - 1).add(m);
        int last = turnTokens.size() - 1;
        turnTokens.set(last, turnTokens.get(last) + tokens + TokenEstimator.TOKENS_PER_MESSAGE);
    }

    /** The whole conversation, oldest first. */
    List<Message> messages() {
        List<Message> out = new ArrayList<>(head);
        turns.forEach(out::addAll);
        return out;
    }

    /** The conversation with one more message at the end, leaving this one as it is. */
    List<Message> plus(Message m) {
        List<Message> out = messages();
        out.add(m);
        return out;
    }

    /** About what the conversation holds, in prompt tokens. */
    long tokens() {
        long t = TokenEstimator.TOKENS_PER_REQUEST + headTokens;
        for (long n : turnTokens) {
            t += n;
        }
        return t;
    }

    int turnCount() {
        return turns.size();
    }

    /** Drops the oldest turns until at most {@code target} tokens remain, keeping the last turn. */
    void dropOldestTo(long target) {
        while (turns.size() > 1 && tokens() > target) {
            turns.remove(0);
            turnTokens.remove(0);
        }
    }

    /** Replaces every turn by one message (a summary). */
    void replaceTurns(Message summary, long tokens) {
        turns.clear();
        turnTokens.clear();
        turn(summary, tokens);
    }

    /** A new conversation whose head is this whole conversation. */
    Conversation carried() {
        Conversation next = new Conversation();
        next.head.addAll(messages());
        next.headTokens = tokens() - TokenEstimator.TOKENS_PER_REQUEST;
        return next;
    }
}
