package io.soaklab.internal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.Stalls;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunStatus;
import io.soaklab.sim.SimConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed loop against an endpoint that stops sending for 2 s every 5 s: the users wait with it,
 * so its percentiles can hide the stall; the silence each window measured, and the report, do not.
 */
class ClosedLoopStallTest {

    private static final Duration STALL = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    @Test
    void aStalledEndpointIsSeenDirectlyInAClosedLoop() throws Exception {
        Path scenario = Files.writeString(tmp.resolve("long-replies.yaml"), "name: long-replies\ndescription: one long reply an episode\n"
                + "kind: chat\nsystem_prompt_tokens: 50\nmax_tokens: 4096\nchat: {turns: 1, user_tokens: 10}\n");
        SimConfig.Faults stalls = new SimConfig.Faults(0, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(1), 0, 0, Duration.ofSeconds(1), 0,
                Duration.ofSeconds(5), STALL);
        // four users, replies of 100 tokens at 50 a second: calls are open all the time, a byte every few milliseconds
        RunConfig config = RunConfig.builder().scenario(scenario.toString()).concurrency(4).window(Duration.ofSeconds(1))
                .duration(Duration.ofSeconds(10)).forks(0).priceAs("none")
                .sim(SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(50).outputTokensMedian(100)
                        .outputTokensSigma(0).jitter(0).faults(stalls).build()).build();
        Path dir = tmp.resolve("run");
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, new PrintStream(said, true, StandardCharsets.UTF_8));
        assertEquals(RunStatus.COMPLETE, outcome.status(), outcome.problem() + "\n" + said.toString(StandardCharsets.UTF_8));

        RunData run = RunData.load(dir);
        Stalls s = Stalls.of(run);
        assertTrue(s.any(), "10 s of an endpoint stalling 2 s every 5 s: " + s);
        WindowStats longest = run.windows().get(s.longestWindow());
        // no byte can arrive during a stall; the meter may see it shorter only by as much as it was itself held up
        long floor = STALL.toNanos() / 1000 - longest.generator().pauseMaxMicros();
        assertTrue(s.longestMicros() >= floor, "silence " + s.longestMicros() + " us against a 2 s stall and the meter's own worst pause "
                + longest.generator().pauseMaxMicros() + " us");
        assertTrue(s.gapP99Micros() * Stalls.FACTOR <= s.longestMicros(), "a stall is far beyond the replies' own gaps: " + s);
        assertTrue(s.windows().size() < s.measured(), "not every window stalled: " + s);
        String report = Files.readString(dir.resolve("report.html"));
        assertTrue(report.contains("The endpoint stalled: no byte arrived for up to "), "the report says so");
        assertTrue(report.contains(" while replies were streaming, in "), "while replies were streaming");
        assertTrue(report.contains("In a closed loop a stall delays only the calls in flight during it"), "and why the percentiles may not");
        String csv = Files.readString(dir.resolve("windows.csv"));
        assertTrue(csv.lines().findFirst().orElseThrow().contains(",generator_pause_p99_ms,generator_pause_max_ms,silence_ms,server_scrapes,"),
                "the generator's columns, then the embedded endpoint's own: " + csv);
    }
}
