package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kind {@code team}: a coordinator plans, specialists work in parallel (each an agent of its own,
 * with tools), the coordinator merges their results. The episode's duration is its critical path:
 * plan, the slowest specialist, merge; the episode records each part and which role was slowest.
 */
final class TeamScenario extends SpecScenario {

    private final AgentLoop loop;

    TeamScenario(ScenarioSpec spec) {
        super(spec);
        this.loop = new AgentLoop(spec);
    }

    private record Work(boolean ok, String reason, String answer, long nanos, int toolFailures) {
    }

    @Override
    public void run(Episode episode) throws InterruptedException {
        ScenarioSpec.Team team = spec.team();
        Agent coordinator = episode.as("coordinator");
        SplittableRandom random = coordinator.random();
        int task = spec.taskTokens().draw(random);
        Conversation conversation = new Conversation()
                .head(prompts.system("coordinator", spec.systemPromptTokens()), Prompts.systemTokens(spec.systemPromptTokens()))
                .head(Prompts.user("Task:", random, task), task + 2);
        long planStart = coordinator.elapsedNanos();
        CallResult plan = coordinator.call(spec.request(conversation.plus(Message.user("Plan the work for your specialists.")),
                team.planTokens(), List.of(), ChatRequest.ToolChoice.AUTO));
        if (!plan.ok()) {
            episode.fail("model_" + plan.error().wireName());
            return;
        }
        conversation.turn(Message.assistant(plan.content()), plan.usage().completionTokens());
        long planNanos = coordinator.elapsedNanos() - planStart;

        int k = team.specialists().draw(random);
        List<String> roles = new ArrayList<>(k);
        List<Integer> steps = new ArrayList<>(k);
        List<Integer> subtasks = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            // more specialists than roles: the second researcher is researcher-2, so that each lane stays its own
            int round = i / team.roles().size();
            roles.add(team.roles().get(i % team.roles().size()) + (round == 0 ? "" : "-" + (round + 1)));
            steps.add(team.specialistSteps().draw(random));
            subtasks.add(spec.taskTokens().draw(random));
        }
        long fanOut = coordinator.elapsedNanos();
        List<Work> results = episode.parallel(roles, (agent, i) -> {
            long start = agent.elapsedNanos();
            Conversation own = new Conversation()
                    .head(prompts.system(agent.role(), team.specialistPromptTokens()), Prompts.systemTokens(team.specialistPromptTokens()))
                    .head(Prompts.user("Your part (" + (i + 1) + " of " + k + ") of the coordinator's plan:" + plan.content() + " Details:",
                            agent.random(), subtasks.get(i)), subtasks.get(i) + plan.usage().completionTokens() + 16);
            AgentLoop.Result r = loop.run(agent, own, steps.get(i), true);
            return new Work(r.ok(), r.reason(), r.lastText(), agent.elapsedNanos() - start, r.toolFailures());
        });
        long parallelNanos = coordinator.elapsedNanos() - fanOut;

        StringBuilder merged = new StringBuilder("Results of the specialists:");
        int slowest = 0;
        String failure = null;
        for (int i = 0; i < k; i++) {
            Work w = results.get(i);
            if (w.nanos() > results.get(slowest).nanos()) {
                slowest = i;
            }
            if (!w.ok() && failure == null) {
                failure = "specialist_failed:" + roles.get(i) + ":" + w.reason();
            }
            merged.append("\n").append(roles.get(i)).append(": ").append(w.ok() ? w.answer() : "(failed: " + w.reason() + ")");
        }
        long mergeStart = coordinator.elapsedNanos();
        CallResult merge = coordinator.call(spec.request(conversation.plus(Message.user(merged.toString())), team.mergeTokens(),
                List.of(), ChatRequest.ToolChoice.AUTO));
        long mergeNanos = coordinator.elapsedNanos() - mergeStart;
        episode.count("specialists", k);
        episode.count("plan_ms", planNanos / 1e6);
        episode.count("parallel_ms", parallelNanos / 1e6);
        episode.count("merge_ms", mergeNanos / 1e6);
        episode.event("critical_path", "plan_ms", planNanos / 1_000_000, "slowest_role", roles.get(slowest),
                "slowest_ms", results.get(slowest).nanos() / 1_000_000, "parallel_ms", parallelNanos / 1_000_000,
                "merge_ms", mergeNanos / 1_000_000, "specialists", k);
        if (!merge.ok()) {
            episode.fail("model_" + merge.error().wireName());
        } else if (failure != null) {
            episode.fail(failure);
        }
        if (results.stream().anyMatch(w -> w.toolFailures() > 0)) {
            episode.count("tool_failure_episodes", 1);
            episode.count("recovered", episode.failed() ? 0 : 1);
        }
    }
}
