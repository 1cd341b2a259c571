package io.soaklab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.Usage;
import io.soaklab.text.TokenEstimator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodingAgentTest {

    private static CallResult reply(String text) {
        return new CallResult(0, 0, -1, 0, 0, 0, 200, ErrorClass.OK, null, Usage.NONE, text, 1, 0, 0, "stop", null, java.util.List.of(), -1, null);
    }

    /** Drives a session to its end with a fixed reply; returns the prompt size of each step. */
    private static List<Long> promptSizes(Session session) {
        List<Long> sizes = new ArrayList<>();
        for (Step step = session.next(); step != null; step = session.next()) {
            List<String> contents = step.request().messages().stream().map(Message::content).toList();
            sizes.add(TokenEstimator.countChat(contents));
            session.complete(reply(" the reply"));
        }
        return sizes;
    }

    @Test
    void contextGrowsStepByStepWithinTheConfiguredBounds() {
        CodingAgent agent = new CodingAgent();
        CodingAgent.Params p = agent.params();
        for (long seed = 0; seed < 20; seed++) {
            List<Long> sizes = promptSizes(agent.newSession(seed));
            assertTrue(sizes.size() >= p.stepsMin() && sizes.size() <= p.stepsMax(), "steps " + sizes.size());
            for (int i = 1; i < sizes.size(); i++) {
                long growth = sizes.get(i) - sizes.get(i - 1);
                // reply (2) + tool output (1..max) + "Tool output:" (3) + framing (8)
                assertTrue(growth > 2 + 3 + 8 && growth <= 2 + 3 + 8 + p.toolOutputMaxTokens(), "growth " + growth);
            }
            long first = sizes.get(0);
            assertTrue(first > p.systemPromptTokens() + p.taskTokensMin() && first < p.systemPromptTokens() + p.taskTokensMax() + 40);
        }
    }

    @Test
    void theSameSeedAsksTheSameThings() {
        CodingAgent agent = new CodingAgent();
        assertEquals(promptSizes(agent.newSession(42)), promptSizes(agent.newSession(42)));
        Session a = agent.newSession(42);
        Session b = agent.newSession(42);
        assertEquals(a.next(), b.next());
        assertNotEquals(promptSizes(agent.newSession(42)), promptSizes(agent.newSession(43)));
    }

    @Test
    void aFailedCallEndsTheSession() {
        Session s = new CodingAgent().newSession(1);
        s.next();
        s.complete(new CallResult(0, 0, -1, -1, -1, 0, 500, ErrorClass.HTTP_5XX, "boom", Usage.NONE, "", 0, 0, 0, null, null, java.util.List.of(), -1, null));
        assertNull(s.next());
    }

    @Test
    void stepsPauseForToolTimeButNotBeforeTheFirst() {
        CodingAgent agent = new CodingAgent();
        Session s = agent.newSession(5);
        Step first = s.next();
        assertEquals(0, first.pause().toNanos());
        s.complete(reply(" ok"));
        Step second = s.next();
        assertTrue(second.pause().compareTo(agent.params().toolTimeMin()) >= 0
                && second.pause().compareTo(agent.params().toolTimeMax()) <= 0);
    }
}
