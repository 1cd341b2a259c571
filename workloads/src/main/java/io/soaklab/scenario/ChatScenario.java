package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import java.util.SplittableRandom;

/** Kind {@code chat}: short conversational turns without tools, a baseline at high volume. */
final class ChatScenario extends SpecScenario {

    ChatScenario(ScenarioSpec spec) {
        super(spec);
    }

    @Override
    public void run(Episode episode) throws InterruptedException {
        SplittableRandom random = episode.random();
        Conversation conversation = new Conversation()
                .head(prompts.system("support agent", spec.systemPromptTokens()), Prompts.systemTokens(spec.systemPromptTokens()));
        int turns = spec.chat().turns().draw(random);
        for (int t = 0; t < turns; t++) {
            if (t > 0) {
                episode.pause(spec.thinkTime().draw(random)); // the user reads and types
            }
            int words = spec.chat().userTokens().draw(random);
            conversation.turn(Prompts.user("", random, words), words);
            CallResult r = episode.call(spec.request(conversation.messages(), spec.maxTokens(), java.util.List.of(),
                    ChatRequest.ToolChoice.AUTO));
            if (!r.ok()) {
                episode.fail("model_" + r.error().wireName());
                return;
            }
            conversation.add(Message.assistant(r.content()), r.usage().completionTokens());
        }
    }
}
