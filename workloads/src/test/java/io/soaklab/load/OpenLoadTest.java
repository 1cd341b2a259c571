package io.soaklab.load;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.resilience.Resilience;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An open load keeps its schedule whatever the endpoint does, so overload shows as latency that grows. */
class OpenLoadTest {

    @TempDir
    Path dir;

    /** One question, one answer of 20 tokens. */
    static final String ONE_TURN = """
            name: one-turn
            description: a single question
            kind: chat
            system_prompt_tokens: 20
            max_tokens: 64
            chat: {turns: 1, user_tokens: 10}
            """;

    @Test
    void arrivalsFasterThanTheEndpointServesMakeLatencyGrowFromTheIntendedStart() throws Exception {
        // Two decode slots, 0.2 s a reply: 10 replies a second at most. Arrivals: 20 a second for 3 s.
        List<JsonNode> calls;
        OpenLoad load;
        try (Lab lab = new Lab(dir, Lab.fast(100, 20).maxBatch(2).build(), Lab.scenario(ONE_TURN), Resilience.none())) {
            load = new OpenLoad(lab.runner, Arrivals.parse("constant:20/s"), 1000, 1);
            load.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (load.arrived() < 60 && System.nanoTime() < deadline) { // three seconds of the schedule
                Thread.sleep(5);
            }
            load.stop(); // arrivals stop; calls in flight are cut, recorded as client errors (no endRun here), and not among those served
            load.awaitStopped(5000);
            calls = lab.lines(RunFile.CALLS.fileName());
        }
        List<JsonNode> served = calls.stream().filter(c -> c.get("error").asText().equals("ok"))
                .sorted(Comparator.comparingLong(c -> c.get("intended_us").asLong())).toList();
        assertTrue(served.size() >= 8, "at most 10 a second can be served, fewer on a busy machine: " + served.size());
        assertTrue(load.arrived() >= 60, "the schedule was kept: " + load.arrived() + " arrived");
        // intended starts keep to the schedule: 50 ms apart, however slow the endpoint
        List<JsonNode> sent = calls.stream().sorted(Comparator.comparingLong(c -> c.get("intended_us").asLong())).toList();
        for (int i = 1; i < Math.min(8, sent.size()); i++) {
            long gap = sent.get(i).get("intended_us").asLong() - sent.get(i - 1).get("intended_us").asLong();
            assertEquals(50_000, gap, 1_000, "arrival " + i + ": " + sent.get(i));
        }
        // 20 arrive a second and two slots serve them, a reply taking 190 ms or more (its first token, then 19 more at 100 a
        // second). Whatever order the calls reach the endpoint in (a busy machine sends some late, out of turn), two slots end
        // the j-th reply to end (from 0) no sooner than 190 ms x (floor(j / 2) + 1) after the first call was sent: the queue
        // grows, and each call's latency from its intended start holds its wait. A busy machine only adds to that.
        long firstSent = served.stream().mapToLong(c -> c.get("intended_us").asLong() + c.get("lag_us").asLong()).min().orElseThrow();
        List<JsonNode> byEnd = served.stream().sorted(Comparator.comparingLong(c -> c.get("intended_us").asLong() + c.get("e2e_us").asLong())).toList();
        for (int j = 0; j < byEnd.size(); j++) {
            JsonNode c = byEnd.get(j);
            long end = c.get("intended_us").asLong() + c.get("e2e_us").asLong();
            assertTrue(end >= firstSent + 190_000L * (j / 2 + 1), "reply " + j + " to end waited its turn: " + c);
        }
        // measured from the intended start: a call's latency holds its own lateness in sending and then its reply (190 ms or
        // more); how punctual the generator is on an idle machine is a benchmark's figure (README, "Measured"), not a test's
        for (JsonNode c : served) {
            assertTrue(c.get("e2e_us").asLong() >= c.get("lag_us").asLong() + 190_000, "late sending counts into the latency: " + c);
        }
        assertEquals(0, load.failures());
    }

    @Test
    void arrivalsBeyondAFullBacklogAreShedAndRecordedAsFailedEpisodes() throws Exception {
        // one worker, room for two waiting; a reply takes 0.2 s, and arrivals come 20 a second for a second
        List<JsonNode> episodes;
        OpenLoad load;
        try (Lab lab = new Lab(dir, Lab.fast(100, 20).build(), Lab.scenario(ONE_TURN), Resilience.none())) {
            load = new OpenLoad(lab.runner, Arrivals.parse("constant:20/s"), 1, 2, 1);
            load.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (load.arrived() < 20 && System.nanoTime() < deadline) { // a second of the schedule
                Thread.sleep(5);
            }
            load.stop();
            load.awaitStopped(5000);
            episodes = lab.lines(RunFile.EPISODES.fileName());
        }
        List<JsonNode> shed = episodes.stream().filter(e -> e.path("reason").asText().startsWith("shed")).toList();
        assertTrue(load.shed() >= 10, "about 20 arrived, about 5 could run or wait: " + load.shed() + " shed");
        assertEquals(load.shed(), shed.size(), "every shed arrival is on record");
        assertTrue(shed.stream().allMatch(e -> e.get("calls").asInt() == 0 && !e.get("ok").asBoolean()));
    }
}
