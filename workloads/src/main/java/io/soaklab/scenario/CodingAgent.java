package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.text.SyntheticText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A coding agent: a system prompt and a task, then several steps. Each step sends the whole
 * conversation, receives a reply, and appends it plus a tool result whose size is drawn from a
 * log-normal distribution, so prompt tokens grow step by step. A failed call ends the session.
 */
public final class CodingAgent implements Scenario {

    public static final String NAME = "coding-agent";

    /**
     * The scenario's knobs.
     *
     * @param systemPromptTokens     size of the (constant) system prompt
     * @param taskTokensMin          smallest task description
     * @param taskTokensMax          largest task description
     * @param stepsMin               fewest model calls per session
     * @param stepsMax               most model calls per session
     * @param toolOutputMedianTokens median tool result appended after a step
     * @param toolOutputSigma        log-normal spread of tool results
     * @param toolOutputMaxTokens    largest tool result
     * @param maxTokens              output cap of every call
     * @param toolTimeMin            shortest tool execution between steps
     * @param toolTimeMax            longest tool execution between steps
     */
    public record Params(
            int systemPromptTokens,
            int taskTokensMin,
            int taskTokensMax,
            int stepsMin,
            int stepsMax,
            int toolOutputMedianTokens,
            double toolOutputSigma,
            int toolOutputMaxTokens,
            int maxTokens,
            Duration toolTimeMin,
            Duration toolTimeMax) {

        /** Sessions of 4 to 12 steps whose context grows from about 1.5k to about 10k tokens. */
        public static Params defaults() {
            return new Params(1200, 80, 400, 4, 12, 600, 0.8, 6000, 800,
                    Duration.ofMillis(50), Duration.ofMillis(500));
        }

        public Params {
            if (taskTokensMin < 1 || taskTokensMax < taskTokensMin) {
                throw new IllegalArgumentException("task tokens must satisfy 1 <= min <= max");
            }
            if (stepsMin < 1 || stepsMax < stepsMin) {
                throw new IllegalArgumentException("steps must satisfy 1 <= min <= max");
            }
            if (toolOutputMedianTokens < 1 || toolOutputMaxTokens < 1 || toolOutputSigma < 0) {
                throw new IllegalArgumentException("tool output sizes must be positive");
            }
            if (maxTokens < 1 || systemPromptTokens < 0) {
                throw new IllegalArgumentException("maxTokens must be positive and systemPromptTokens non-negative");
            }
            if (toolTimeMin.isNegative() || toolTimeMax.compareTo(toolTimeMin) < 0) {
                throw new IllegalArgumentException("tool time must satisfy 0 <= min <= max");
            }
        }
    }

    private final Params params;
    private final Message systemPrompt;

    public CodingAgent() {
        this(Params.defaults());
    }

    public CodingAgent(Params params) {
        this.params = params;
        // The same system prompt in every session, as in a real agent harness.
        this.systemPrompt = Message.system("You are a coding agent working in a repository. Use the tools, then answer."
                + SyntheticText.words(new SplittableRandom(0x5EED), params.systemPromptTokens()));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a coding agent: each step resends the whole conversation plus a tool result, so context grows step by step";
    }

    public Params params() {
        return params;
    }

    @Override
    public Session newSession(long seed) {
        return new CodingSession(seed);
    }

    private final class CodingSession implements Session {
        private final SplittableRandom random;
        private final List<Message> conversation = new ArrayList<>();
        private final int steps;
        private int index;
        private boolean failed;
        private Duration pause = Duration.ZERO;

        CodingSession(long seed) {
            random = new SplittableRandom(seed);
            steps = between(params.stepsMin(), params.stepsMax());
            conversation.add(systemPrompt);
            conversation.add(Message.user("Task:" + SyntheticText.words(random, between(params.taskTokensMin(), params.taskTokensMax()))));
        }

        @Override
        public Step next() {
            if (failed || index >= steps) {
                return null;
            }
            return new Step(index, new ChatRequest(conversation, params.maxTokens()), pause);
        }

        @Override
        public void complete(CallResult result) {
            if (!result.ok()) {
                failed = true;
                return;
            }
            conversation.add(Message.assistant(result.content()));
            index++;
            if (index < steps) {
                double drawn = params.toolOutputMedianTokens() * Math.exp(params.toolOutputSigma() * random.nextGaussian());
                int tokens = (int) Math.max(1, Math.min(params.toolOutputMaxTokens(), Math.round(drawn)));
                conversation.add(Message.user("Tool output:" + SyntheticText.words(random, tokens)));
                long min = params.toolTimeMin().toNanos();
                long max = params.toolTimeMax().toNanos();
                pause = Duration.ofNanos(min == max ? min : random.nextLong(min, max + 1));
            }
        }

        private int between(int min, int max) {
            return min == max ? min : random.nextInt(min, max + 1);
        }
    }
}
