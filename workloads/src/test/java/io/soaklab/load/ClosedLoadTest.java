package io.soaklab.load;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.WindowSummary;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.scenario.Episode;
import io.soaklab.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClosedLoadTest {

    @TempDir
    Path dir;

    static final String CHAT = """
            name: short-chat
            description: two turns, 30 ms apart
            kind: chat
            system_prompt_tokens: 50
            max_tokens: 64
            think_time: 30ms
            chat: {turns: 2, user_tokens: 10}
            """;

    @Test
    void usersRunOnTheirOwnAndWindowBoundariesNeverMakeThemLate() throws Exception {
        // Calls of ~300 ms against windows of 100 ms: a harness that waited for calls at each boundary would show lag.
        long calls = 0;
        int completed = 0;
        long maxLagMicros = 0;
        List<JsonNode> lines;
        try (Lab lab = new Lab(dir, Lab.fast(100, 25).baseLatency(Duration.ofMillis(50)).build(), Lab.scenario(CHAT), Resilience.none())) {
            lab.recorder.endWindow();
            ClosedLoad load = new ClosedLoad(lab.runner, 6, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1));
            load.start();
            for (int w = 0; w < 15; w++) {
                lab.recorder.beginWindow(false);
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                while (System.nanoTime() < end) {
                    if (lab.runner.awaitCall(5, TimeUnit.MILLISECONDS)) {
                        completed++;
                    }
                }
                WindowSummary s = w == 14 ? null : lab.recorder.endWindow();
                if (s != null) {
                    calls += s.calls();
                    maxLagMicros = Math.max(maxLagMicros, s.lagMaxMicros());
                }
            }
            lab.runner.endRun(System.nanoTime()); // as Soak ends a run: the calls in flight go on record as open
            load.stop();
            assertTrue(load.awaitStopped(3000), "every user thread ends");
            assertEquals(0, load.failures());
            lines = lab.lines(RunFile.CALLS.fileName());
        }
        // A harness that held users at window boundaries would make most calls late by about a call (~350 ms).
        long late = lines.stream().filter(c -> c.get("lag_us").asLong() >= 100_000).count();
        assertTrue(late <= lines.size() / 10, late + " of " + lines.size() + " calls were sent 100 ms or more late (max lag "
                + maxLagMicros + " µs)");
        assertTrue(calls >= 20, "about 6 users x 1.4 s / 0.35 s: " + calls);
        assertTrue(Math.abs(completed - lines.size()) <= 6, "awaited " + completed + ", recorded " + lines.size());
        Set<Integer> users = new HashSet<>();
        for (JsonNode call : lines) {
            users.add(call.get("user").asInt());
            assertTrue(Set.of("ok", "open").contains(call.get("error").asText()), call.toString());
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), users);
    }

    @Test
    void usersStartSpreadOverTheRampUpAndThinkBetweenEpisodes() throws Exception {
        List<JsonNode> episodes;
        try (Lab lab = new Lab(dir, Lab.fast(5000, 5).build(), Lab.scenario(CHAT), Resilience.none())) {
            ClosedLoad load = new ClosedLoad(lab.runner, 4, Duration.ofMillis(200), Duration.ofMillis(400), Duration.ZERO);
            load.start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (lab.runner.attempts() < 40 && System.nanoTime() < deadline) { // 20 episodes of two calls: five a user, on average
                Thread.sleep(20);
            }
            load.stop();
            assertTrue(load.awaitStopped(3000));
            episodes = lab.lines(RunFile.EPISODES.fileName());
        }
        long first = episodes.stream().mapToLong(e -> e.get("intended_us").asLong()).min().orElseThrow();
        for (int user = 0; user < 4; user++) {
            int u = user;
            List<JsonNode> mine = episodes.stream().filter(e -> e.get("user").asInt() == u).toList();
            assertTrue(mine.size() >= 2, "user " + u + " ran episodes back to back: " + mine.size());
            assertEquals(100_000L * u, mine.get(0).get("intended_us").asLong() - first, 2_000, "user " + u + " starts at u x 400 ms / 4");
            long gap = mine.get(1).get("intended_us").asLong() - (mine.get(0).get("intended_us").asLong() + mine.get(0).get("duration_us").asLong());
            assertEquals(200_000, gap, 2, "think time between a user's episodes");
        }
    }

    @Test
    void aFailureInsideSoaklabNeitherEndsTheUserNorTheRun() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        Scenario chat = Lab.scenario(CHAT);
        Scenario flaky = new Scenario() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public String description() {
                return "its first episode hits a bug";
            }

            @Override
            public void run(Episode episode) throws InterruptedException {
                if (opened.getAndIncrement() == 0) {
                    throw new IllegalStateException("a bug in a scenario");
                }
                chat.run(episode);
            }
        };
        List<JsonNode> episodes;
        try (Lab lab = new Lab(dir, Lab.fast(5000, 5).build(), flaky, Resilience.none())) {
            ClosedLoad load = new ClosedLoad(lab.runner, 1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
            load.start();
            assertTrue(lab.runner.awaitCall(5, TimeUnit.SECONDS), "the user went on after the failure");
            assertEquals(1, load.failures());
            load.stop();
            assertTrue(load.awaitStopped(3000));
            episodes = lab.lines(RunFile.EPISODES.fileName());
        }
        assertEquals("soaklab_error: java.lang.IllegalStateException: a bug in a scenario", episodes.get(0).get("reason").asText(),
                "the failed episode is on record, classified");
    }
}
