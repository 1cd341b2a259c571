package io.soaklab.sim;

import io.soaklab.internal.text.Probes;
import io.soaklab.internal.text.SyntheticText;
import io.soaklab.protocol.Api;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What one reply will be, drawn at its admission from its seeded random streams in a fixed order:
 * its length, hidden or visible reasoning, the tool it calls or the text it must say, how it ends,
 * and the fault it will meet. No Netty, no clock: the same request and seed draw the same plan,
 * which {@link Reply} then plays out on the event loop.
 */
final class ReplyPlan {

    /** Visible tokens: text, or a tool call's start and its argument fragments. */
    final int visibleTokens;
    /** Reasoning tokens before them, shown or hidden. */
    final int reasoningTokens;
    final boolean reasoningVisible;
    final Reply.Stop stop;
    /** The tool it calls, or null. */
    final SimRequest.Tool tool;
    final String toolId;
    final List<String> toolFragments;
    /** Text the reply must say (a probe's answer), one piece per token; null for generated words. */
    final List<byte[]> fixedText;
    /** The fault drawn for it. */
    final Fault fault;
    /** Mid-stream faults strike after this many tokens. */
    final int faultAt;

    private ReplyPlan(int visibleTokens, int reasoningTokens, boolean reasoningVisible, Reply.Stop stop, SimRequest.Tool tool, String toolId,
                      List<String> toolFragments, List<byte[]> fixedText, Fault fault, int faultAt) {
        this.visibleTokens = visibleTokens;
        this.reasoningTokens = reasoningTokens;
        this.reasoningVisible = reasoningVisible;
        this.stop = stop;
        this.tool = tool;
        this.toolId = toolId;
        this.toolFragments = toolFragments;
        this.fixedText = fixedText;
        this.fault = fault;
        this.faultAt = faultAt;
    }

    /**
     * Draws the plan of {@code request}'s reply.
     *
     * @param cap       the output cap: the request's, or what the context window leaves
     * @param content   draws about the reply itself: its length, words, tool call
     * @param service   draws about how it is served: its fault
     * @param inBurst   whether the endpoint is in an error burst (its drift) now
     * @param burstRate the share of requests a burst fails
     */
    static ReplyPlan draw(SimConfig config, SimRequest request, Api api, int cap, SplittableRandom content, SplittableRandom service,
                          boolean inBurst, double burstRate) {
        SimConfig.Replies replies = config.replies();
        double drawn = replies.outputTokensMedian() * Math.exp(replies.outputTokensSigma() * content.nextGaussian());
        long wanted = Math.max(1, Math.round(drawn));
        if (request.ignoreEos()) {
            wanted = Long.MAX_VALUE; // no end of sequence: on to the cap
        }
        wanted = Math.max(wanted, request.minTokens()); // no end of sequence before min_tokens
        // OpenAI: the model reasons as its profile says (whatever reasoning_effort). Anthropic: a request that enables thinking
        // thinks, around the profile's median or, when the profile sets none, a quarter of its budget; never past the budget
        int budget = api == Api.ANTHROPIC ? request.thinkingBudget() : 0;
        int median = replies.reasoningTokensMedian() > 0 || budget == 0 ? replies.reasoningTokensMedian() : budget / 4;
        boolean thinks = median > 0 && (api == Api.OPENAI || budget > 0);
        int reasoning = thinks ? (int) Math.max(1, Math.round(median * Math.exp(0.5 * content.nextGaussian()))) : 0;
        boolean reasoningVisible = thinks && (api == Api.ANTHROPIC || replies.reasoningVisible());
        reasoning = Math.min(Math.min(reasoning, budget > 0 ? budget : Integer.MAX_VALUE), Math.max(0, cap - 1));
        int room = Math.min(cap, replies.outputTokensMax()) - reasoning;
        int visible = (int) Math.max(1, Math.min(wanted, room));
        Reply.Stop stop = wanted > room && cap <= replies.outputTokensMax() ? Reply.Stop.LENGTH : Reply.Stop.END;
        SimRequest.Tool tool = null;
        String toolId = null;
        List<String> toolFragments = null;
        List<byte[]> fixedText = null;
        SimRequest.Probe probe = request.probe();
        if (probe != null) {
            double p = config.probes().accuracy(request.promptTokens(), probe.depth());
            boolean right = probe.value() != null && content.nextDouble() < p;
            String said = right ? probe.value() : probe.distractor() != null ? probe.distractor() : Probes.randomValue(content);
            fixedText = pieces(Probes.answer(said));
            visible = fixedText.size();
            stop = Reply.Stop.END;
        } else {
            boolean callsTool = switch (request.toolChoice()) {
                case REQUIRED -> true;
                case NONE -> false;
                case AUTO -> content.nextDouble() < replies.toolCallProbability();
            };
            if (!request.tools().isEmpty() && callsTool) {
                tool = request.tools().get(content.nextInt(request.tools().size()));
                toolId = (api == Api.ANTHROPIC ? "toolu_sim" : "call_sim") + Long.toHexString(content.nextLong() & 0xffffffffL);
                toolFragments = fragments(arguments(tool, content));
                visible = 1 + toolFragments.size();
                stop = Reply.Stop.TOOL;
            }
        }
        // the fault, from the service stream
        double roll = service.nextDouble();
        double cumulative = 0;
        Fault fault = Fault.NONE;
        for (Fault candidate : Fault.DRAWN) {
            cumulative += candidate.odds(config.faults());
            if (roll < cumulative) {
                fault = candidate;
                break;
            }
        }
        int total = reasoning + visible;
        int first = reasoningVisible ? 0 : reasoning; // hidden reasoning sends nothing to fault in
        int faultAt = first + 1 + service.nextInt(Math.max(1, total - first - 1));
        if (fault == Fault.NONE && inBurst && service.nextDouble() < burstRate) {
            fault = Fault.BURST_ERROR;
        }
        return new ReplyPlan(visible, reasoning, reasoningVisible, stop, tool, toolId, toolFragments, fixedText, fault, faultAt);
    }

    /** The arguments of a tool call: each parameter filled according to its type. */
    private static String arguments(SimRequest.Tool t, SplittableRandom content) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < t.params().size(); i++) {
            json.append(i == 0 ? "" : ", ").append(OpenAiWire.quote(t.params().get(i))).append(": ");
            switch (t.types().get(i).toLowerCase(Locale.ROOT)) {
                case "integer", "number" -> json.append(content.nextInt(1000));
                case "boolean" -> json.append(content.nextBoolean());
                case "array" -> json.append("[]");
                case "object" -> json.append("{}");
                default -> json.append(OpenAiWire.quote(SyntheticText.words(content, 2 + content.nextInt(6)).strip()));
            }
        }
        return json.append('}').toString();
    }

    /** Splits a fixed answer into tokens: each word with its leading space. */
    private static List<byte[]> pieces(String text) {
        List<byte[]> out = new ArrayList<>();
        for (String word : text.split("(?= )")) {
            out.add(word.getBytes(StandardCharsets.US_ASCII));
        }
        return out;
    }

    /** Splits tool arguments into the small fragments models stream them in. */
    private static List<String> fragments(String json) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < json.length(); i += 6) {
            out.add(json.substring(i, Math.min(json.length(), i + 6)));
        }
        return out;
    }
}
