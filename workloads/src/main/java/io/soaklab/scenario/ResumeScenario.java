package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kind {@code resume}: an agent works in sessions separated by gaps. Each new session starts from
 * what the last carried: in the {@code memory} arm a summary the agent wrote at the end of the last
 * session, in the {@code full} arm the whole history, never compacted. Users and their successive
 * episodes take the arms in turn, so both meet the same endpoint at the same time; calls are recorded under the arm's
 * name as their role, and each resume is an event saying what was carried.
 */
final class ResumeScenario extends SpecScenario {

    private final AgentLoop loop;

    ResumeScenario(ScenarioSpec spec) {
        super(spec);
        this.loop = new AgentLoop(spec);
    }

    @Override
    public void run(Episode episode) throws InterruptedException {
        ScenarioSpec.Resume resume = spec.resume();
        String arm = resume.arms().get((int) ((episode.user() + episode.index()) % resume.arms().size()));
        boolean full = arm.equals("full");
        Agent agent = episode.as(arm);
        SplittableRandom random = agent.random();
        Conversation previous = null;
        String memory = null;
        long memoryTokens = 0;
        for (int s = 0; s < resume.sessions(); s++) {
            Conversation conversation;
            long carried;
            if (s == 0) {
                conversation = new Conversation()
                        .head(prompts.system("agent", spec.systemPromptTokens()), Prompts.systemTokens(spec.systemPromptTokens()));
                carried = 0;
            } else {
                agent.pause(resume.gap().draw(random)); // the user is away; caches may expire meanwhile
                if (full) {
                    conversation = previous.carried();
                    carried = previous.tokens();
                } else {
                    conversation = new Conversation()
                            .head(prompts.system("agent", spec.systemPromptTokens()), Prompts.systemTokens(spec.systemPromptTokens()))
                            .head(Message.user("Memory from earlier sessions:" + memory), memoryTokens + 6);
                    carried = memoryTokens;
                }
                agent.count("carried_tokens", carried);
                agent.event("resume", "arm", arm, "session", s, "carried_tokens", carried);
            }
            int task = spec.taskTokens().draw(random);
            conversation.head(Prompts.user(s == 0 ? "Task:" : "Next task:", random, task), task + 3);
            AgentLoop.Result work = loop.run(agent, conversation, spec.steps().draw(random), !full);
            if (!work.ok()) {
                episode.fail(work.reason());
                return;
            }
            if (!full && s < resume.sessions() - 1) {
                CallResult note = agent.call(spec.request(conversation.plus(Message.user("Write down what you must remember for the "
                        + "next session, in at most " + resume.memoryTokens() + " tokens.")), resume.memoryTokens(), spec.wireTools(),
                        spec.tools().isEmpty() ? ChatRequest.ToolChoice.AUTO : ChatRequest.ToolChoice.NONE));
                if (!note.ok()) {
                    episode.fail("model_" + note.error().wireName());
                    return;
                }
                memory = note.content();
                memoryTokens = note.usage().completionTokens();
                agent.count("memory_calls", 1);
            }
            previous = conversation;
        }
        agent.count(full ? "full_episodes" : "memory_episodes", 1);
    }
}
