package io.soaklab.scenario;

import java.util.SplittableRandom;

/** Kind {@code agent}: one agent works a task in steps of tool calls, compacting its context when it must. */
final class AgentScenario extends SpecScenario {

    private final AgentLoop loop;

    AgentScenario(ScenarioSpec spec) {
        super(spec);
        this.loop = new AgentLoop(spec);
    }

    @Override
    public void run(Episode episode) throws InterruptedException {
        SplittableRandom random = episode.random();
        int task = spec.taskTokens().draw(random);
        Conversation conversation = new Conversation()
                .head(prompts.system("agent", spec.systemPromptTokens()), Prompts.systemTokens(spec.systemPromptTokens()))
                .head(Prompts.user("Task:", random, task), task + 2);
        AgentLoop.Result result = loop.run(episode, conversation, spec.steps().draw(random), true);
        if (!result.ok()) {
            episode.fail(result.reason());
        }
        if (result.toolFailures() > 0) { // for the recovery rate: of the episodes a tool failed in, how many still succeeded
            episode.count("tool_failure_episodes", 1);
            episode.count("recovered", result.ok() ? 1 : 0);
        }
    }
}
