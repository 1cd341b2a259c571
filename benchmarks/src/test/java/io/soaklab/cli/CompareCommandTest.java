package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.bench.SoakLauncher;
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

/** {@code soaklab compare} on two real runs: the same load against an endpoint and one twice as slow to its first token. */
class CompareCommandTest {

    @TempDir
    Path tmp;

    private Path run(String name, long baseLatencyMs) throws Exception {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(baseLatencyMs)).jitter(0.05).decodeTokensPerSecond(2_000)
                .outputTokensMedian(20).build();
        Path scenario = Files.writeString(tmp.resolve("one-turn.yaml"), String.join("\n", "name: one-turn", "description: one short turn, no pauses", "kind: chat",
                "system_prompt_tokens: 100", "max_tokens: 50", "think_time: 0s", "chat:", "  turns: {min: 1, max: 1}",
                "  user_tokens: {min: 20, max: 40}", ""));
        RunConfig config = RunConfig.builder().scenario(scenario.toString()).thinkTime(Duration.ZERO).concurrency(4).sim(sim)
                .warmup(Duration.ofSeconds(1)).duration(Duration.ofSeconds(3)).window(Duration.ofSeconds(1)).forks(0).build();
        Path dir = tmp.resolve(name);
        SoakLauncher.Outcome o = SoakLauncher.launch(config, dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(RunStatus.COMPLETE, o.status(), o.problem());
        return dir;
    }

    /** The run's windows a comparison tests: those the load generator did not bound. */
    private static int compared(Path run) throws Exception {
        io.soaklab.internal.analysis.RunData data = io.soaklab.internal.analysis.RunData.load(run);
        double seconds = data.manifest().config().schedule().window().toMillis() / 1000.0;
        return (int) data.windows().stream().filter(w -> !io.soaklab.internal.analysis.Degradation.generatorBound(w, seconds)).count();
    }

    private static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }

    @Test
    void seesATwofoldShiftInTtftBetweenTwoShortRunsAndWritesAPageWithOverlaidCharts() throws Exception {
        Path fast = run("fast", 100);
        Path slow = run("slow", 200);
        SoakLabTest.Result r = SoakLabTest.run("compare", fast.toString(), slow.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("A: fast (3 windows)"), r.out());
        // three windows against three (fewer where a busy machine made a window generator-bound: it is left out): no window
        // test can reach p < 0.01 (exactly, 2 of the C(6, 3) = 20 splits: 0.10), so the medians are tested on the calls
        int a = compared(fast);
        int b = compared(slow);
        double smallest = 2.0 / binomial(a + b, a);
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "note: %d window%s of A and %d window%s of B are too few for a window test"
                + " to reach p < 0.01 (its smallest p-value here: %.2f)", a, a == 1 ? "" : "s", b, b == 1 ? "" : "s", smallest)), r.out());
        String ttft = r.out().lines().filter(l -> l.contains("TTFT p50")).findFirst().orElseThrow();
        assertTrue(ttft.startsWith("  worse  TTFT p50 higher by "), r.out());
        assertTrue(ttft.matches(".* calls p < 0\\.001\\)"), ttft);
        int percent = Integer.parseInt(ttft.replaceAll(".*higher by (\\d+)%.*", "$1"));
        assertTrue(percent >= 60 && percent <= 140, "about twice the base latency, plus the same prefill and transfer: " + ttft);
        assertTrue(r.out().contains("TTFT p99: not tested, too few windows"), r.out());
        String html = Files.readString(slow.resolve("compare.html"));
        assertTrue(html.contains("<li class=\"worse\">TTFT p50 higher by "), html);
        for (String chart : new String[] {"ttft-p99.png", "e2e-p99.png", "throughput.png"}) {
            assertTrue(Files.size(slow.resolve("compare-charts").resolve(chart)) > 10_000, chart);
        }
    }
}
