package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.internal.text.Probes;
import io.soaklab.internal.text.SyntheticText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Kind {@code probe}, MRCR-style retrieval: a document of a chosen length with distinct facts (a
 * random key, a random code) planted at random depths, then questions, each for one fact. Answers
 * are checked deterministically: exact match of the code, and a similarity score. Every answer is an
 * event with the context length and the fact's depth, so accuracy can be read by length, depth and
 * time. An episode succeeds when every answer was exact.
 */
final class ProbeScenario extends SpecScenario {

    /** About what one planted fact costs in tokens. */
    private static final int FACT_TOKENS = 18;

    ProbeScenario(ScenarioSpec spec) {
        super(spec);
    }

    @Override
    public void run(Episode episode) throws InterruptedException {
        ScenarioSpec.Probe probe = spec.probe();
        SplittableRandom random = episode.random();
        int length = probe.contextLengths().get(random.nextInt(probe.contextLengths().size()));
        int facts = probe.facts();
        Set<String> keys = new LinkedHashSet<>();
        while (keys.size() < facts) {
            keys.add(Probes.randomKey(random));
        }
        String[] key = keys.toArray(new String[0]);
        String[] value = new String[facts];
        double[] depth = new double[facts];
        for (int i = 0; i < facts; i++) {
            value[i] = Probes.randomValue(random);
            depth[i] = random.nextDouble();
        }
        Integer[] order = new Integer[facts];
        for (int i = 0; i < facts; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(depth[a], depth[b]));
        int filler = Math.max(0, length - facts * FACT_TOKENS);
        StringBuilder document = new StringBuilder(filler * 6 + facts * 64).append("Document:");
        int written = 0;
        for (int i : order) {
            int at = (int) Math.round(depth[i] * filler);
            SyntheticText.appendWords(document, random, at - written);
            written = at;
            document.append(' ').append(Probes.fact(key[i], value[i]));
        }
        SyntheticText.appendWords(document, random, filler - written);

        Conversation conversation = new Conversation()
                .head(prompts.system("reader", spec.systemPromptTokens()), Prompts.systemTokens(spec.systemPromptTokens()))
                .head(Message.user(document.toString()), length);
        List<Integer> asked = new ArrayList<>();
        boolean allExact = true;
        for (int q = 0; q < probe.questions(); q++) {
            int j;
            do {
                j = random.nextInt(facts);
            } while (asked.contains(j));
            asked.add(j);
            conversation.turn(Message.user(Probes.question(key[j])), 16);
            CallResult r = episode.call(spec.request(conversation.messages(), probe.answerTokens(), List.of(),
                    ChatRequest.ToolChoice.AUTO));
            if (!r.ok()) {
                episode.fail("model_" + r.error().wireName());
                return;
            }
            String answer = Probes.answerIn(r.content());
            boolean exact = answer.equals(value[j]);
            double similarity = Probes.similarity(value[j], answer);
            allExact &= exact;
            episode.count("probe_questions", 1);
            episode.count("probe_exact", exact ? 1 : 0);
            episode.count("probe_similarity", similarity);
            episode.event("probe", "context_tokens", r.usage().promptTokens(), "planned_tokens", length, "depth",
                    Math.round(depth[j] * 1000) / 1000.0, "key", key[j], "expected", value[j], "answer", answer, "exact", exact,
                    "similarity", Math.round(similarity * 1000) / 1000.0);
            conversation.add(Message.assistant(r.content()), r.usage().completionTokens());
        }
        if (!allExact) {
            episode.fail("wrong_answer");
        }
    }
}
