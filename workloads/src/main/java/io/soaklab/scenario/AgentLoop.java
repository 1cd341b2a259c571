package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import io.soaklab.internal.text.SyntheticText;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The loop agent harnesses run: call the model with the conversation and the tools; when it calls
 * tools, run them and hand back their results; when it answers, the step is done. A planned number
 * of steps make the work; tools are required on every step but the last, which answers, so that the
 * work has the same shape against any model. Calls caused by a tool failure come on top of the plan.
 */
final class AgentLoop {

    /**
     * How the work ended; {@code lastText} is the final answer, for whoever waits for it;
     * {@code toolFailures} how many tool runs failed or timed out on the way.
     */
    record Result(boolean ok, String reason, String lastText, int toolFailures) {
    }

    private final ScenarioSpec spec;
    private final List<ToolSpec> wireTools;

    AgentLoop(ScenarioSpec spec) {
        this.spec = spec;
        this.wireTools = spec.wireTools();
    }

    /**
     * Runs {@code plannedSteps} steps of work on {@code conversation}, which grows as it goes.
     *
     * @param compact whether to compact past the context budget (never, for a "full history" arm)
     */
    Result run(Agent agent, Conversation conversation, int plannedSteps, boolean compact) throws InterruptedException {
        SplittableRandom random = agent.random();
        double cascade = 1;
        boolean extra = false;
        String lastText = "";
        int done = 0;
        int calls = 0;
        int failures = 0;
        int maxCalls = 4 * plannedSteps + 4; // a model that keeps calling failing tools still stops
        while (done < plannedSteps) {
            if (calls++ >= maxCalls) {
                return new Result(false, "too_many_calls", lastText, failures);
            }
            if (compact && spec.context().enabled() && conversation.tokens() >= spec.context().budget()) {
                compact(agent, conversation);
            }
            boolean answer = done == plannedSteps - 1;
            ChatRequest.ToolChoice choice = wireTools.isEmpty() ? ChatRequest.ToolChoice.AUTO
                    : answer ? ChatRequest.ToolChoice.NONE : ChatRequest.ToolChoice.REQUIRED;
            CallResult r = agent.call(spec.request(conversation.messages(), spec.maxTokens(), wireTools, choice));
            if (extra) {
                agent.count("extra_calls", 1);
                agent.count("extra_tokens", r.usage().promptTokens() + r.usage().completionTokens());
            }
            if (!r.ok()) {
                return new Result(false, "model_" + r.error().wireName(), lastText, failures);
            }
            lastText = r.content();
            conversation.turn(Message.assistant(r.content(), r.toolCalls()), r.usage().completionTokens());
            if (r.toolCalls().isEmpty()) {
                done++;
                extra = false;
                if (done < plannedSteps) {
                    conversation.add(Message.user("Continue."), 2);
                    agent.pause(spec.thinkTime().draw(random));
                }
                continue;
            }
            boolean told = false;
            for (ToolCall call : r.toolCalls()) {
                ToolRun run = runTool(agent, call, cascade);
                cascade = run.cascade;
                failures += run.failures;
                if (run.gaveUp) {
                    return new Result(false, "tool_failure:" + run.tool, lastText, failures);
                }
                conversation.add(Message.toolResult(call.id() == null ? "call_" + calls : call.id(), run.output, run.error), run.tokens);
                told |= run.error;
            }
            extra = told; // the model must now deal with the failure: that call is not progress
            if (!told) {
                done++;
            }
            agent.pause(spec.thinkTime().draw(random));
        }
        return new Result(true, null, lastText, failures);
    }

    private static final class ToolRun {
        String tool;
        String output;
        long tokens;
        boolean error;
        boolean gaveUp;
        double cascade;
        int failures;
    }

    /** Runs one tool call as the policy says: its latency, failures, retries and fallback. */
    private ToolRun runTool(Agent agent, ToolCall call, double cascade) {
        SplittableRandom random = agent.random();
        ToolRun run = new ToolRun();
        ScenarioSpec.Tool tool = spec.tool(call.name());
        run.cascade = cascade;
        agent.count("tool_calls", 1);
        if (tool == null) {
            run.tool = call.name();
            run.output = "Error: there is no tool named " + call.name() + ".";
            run.tokens = 12;
            run.error = true;
            run.failures = 1;
            agent.count("tool_failures", 1);
            agent.event("tool_failure", "tool", call.name(), "kind", "unknown_tool", "action", "tell_model");
            return run;
        }
        ScenarioSpec.OnToolFailure policy = spec.onToolFailure();
        boolean fellBack = false;
        int retries = 0;
        while (true) {
            run.tool = tool.name();
            double timeout = Math.min(1, tool.timeoutRate() * run.cascade);
            double failure = Math.min(1 - timeout, tool.failureRate() * run.cascade);
            double roll = random.nextDouble();
            String kind = null;
            if (roll < timeout) {
                agent.tool(tool.name(), tool.timeout());
                kind = "timeout";
            } else {
                agent.tool(tool.name(), tool.latency().draw(random));
                if (roll < timeout + failure) {
                    kind = "error";
                }
            }
            if (kind == null) {
                int tokens = tool.outputTokens().draw(random);
                run.output = "Tool output:" + SyntheticText.words(random, tokens);
                run.tokens = tokens + 3;
                return run;
            }
            agent.count(kind.equals("timeout") ? "tool_timeouts" : "tool_failures", 1);
            run.failures++;
            run.cascade *= 1 + policy.cascade();
            String action;
            if (retries < policy.retries()) {
                retries++;
                action = "retry";
            } else if (policy.then() == ScenarioSpec.OnToolFailure.Then.FALLBACK && !fellBack && tool.fallback() != null) {
                action = "fallback:" + tool.fallback();
            } else if (policy.then() == ScenarioSpec.OnToolFailure.Then.GIVE_UP) {
                action = "give_up";
            } else {
                action = "tell_model";
            }
            agent.event("tool_failure", "tool", tool.name(), "kind", kind, "action", action);
            switch (action) {
                case "retry" -> agent.count("tool_retries", 1);
                case "give_up" -> {
                    run.gaveUp = true;
                    return run;
                }
                case "tell_model" -> {
                    run.output = "Error: " + tool.name() + (kind.equals("timeout") ? " timed out after " + tool.timeout().toMillis() + " ms."
                            : " failed: the operation could not be completed.");
                    run.tokens = 16;
                    run.error = true;
                    return run;
                }
                default -> {
                    agent.count("fallbacks", 1);
                    fellBack = true;
                    retries = 0;
                    tool = spec.tool(tool.fallback());
                }
            }
        }
    }

    /** Cuts the conversation down to about {@code compact_to} tokens, by summary or truncation. */
    private void compact(Agent agent, Conversation conversation) throws InterruptedException {
        ScenarioSpec.Context context = spec.context();
        long before = conversation.tokens();
        String mode = context.compaction().wireName();
        long summaryTokens = 0;
        if (context.compaction() == ScenarioSpec.Context.Compaction.SUMMARIZE) {
            ChatRequest ask = spec.request(conversation.plus(Message.user("Summarize the work so far for your own later use, in at most "
                    + context.compactTo() + " tokens.")), context.compactTo(), wireTools,
                    wireTools.isEmpty() ? ChatRequest.ToolChoice.AUTO : ChatRequest.ToolChoice.NONE);
            CallResult r = agent.call(ask);
            agent.count("compaction_calls", 1);
            if (r.ok()) {
                summaryTokens = r.usage().completionTokens();
                conversation.replaceTurns(Message.user("Summary of the work so far:" + r.content()), summaryTokens + 6);
            } else {
                mode = "truncate_after_failed_summary";
                conversation.dropOldestTo(context.compactTo());
            }
        } else {
            conversation.dropOldestTo(context.compactTo());
        }
        long after = conversation.tokens();
        agent.count("compactions", 1);
        agent.count("compaction_saved_tokens", before - after);
        agent.event("compaction", "mode", mode, "before_tokens", before, "after_tokens", after, "saved_tokens", before - after,
                "summary_tokens", summaryTokens);
    }
}
