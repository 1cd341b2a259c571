package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.Capacity;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.record.StageLine;
import io.soaklab.internal.report.SweepSections;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code soaklab sweep} against an embedded endpoint whose capacity is known by construction: 4 slots, each reply 160 tokens
 * at 200 a second (800 ms a slot). A closed load of 4 users never waits; with a fifth, every call waits a fifth of a reply
 * (200 ms) for a slot, as the users take turns. An open load is served up to 4 / 0.8 s = 5 calls a second; beyond, its queue
 * grows without end. The objective (TTFT p99 ≤ 120 ms) lies between a free slot's first token (about 20 ms) and a waiting
 * one's (220 ms): the knee is the slots (docs/sweep.md).
 */
class SweepTest {

    /** The embedded endpoint's planted service: 4 slots, 160 tokens at 200 a second hold a slot 800 ms. */
    private static final String[] PLANTED = {"--sim-max-batch", "4", "--sim-output-tokens", "160", "--sim-output-sigma", "0", "--sim-decode-tps", "200", "--sim-jitter", "0",
        "--sim-batch-slowdown", "0", "--sim-base-latency", "20ms"};
    private static final double SLOT_SECONDS = 0.8;
    private static final int SLOTS = 4;

    @TempDir
    Path tmp;

    private Path scenario() throws Exception {
        return Files.writeString(tmp.resolve("one-call.yaml"), "name: one-call\ndescription: one call an episode\nkind: chat\n"
                + "system_prompt_tokens: 20\nmax_tokens: 256\nchat: {turns: {min: 1, max: 1}, user_tokens: 10}\n");
    }

    private static String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of("sweep", "--window", "1s", "--warmup", "1s", "--settle", "1s", "--stage-windows", "3",
                "--budget", "3m", "--slo", "ttft.p99=120ms,errors=1%"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static String[] with(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void aClosedSweepFindsThePlantedSlotsAndDrawsItsCurves() throws Exception {
        Path dir = tmp.resolve("closed");
        SoakLabTest.Result r = SoakLabTest.run(with(args("--scenario", scenario().toString(), "--concurrency", "1..64",
                "--out", dir.toString()), PLANTED));
        assertEquals(0, r.code(), r.out() + r.err());

        Capacity c = Capacity.of(RunData.load(dir));
        assertEquals(SLOTS, c.highestMet().level(), "the planted slots: " + SweepSections.sentence(c) + "\n" + r.err());
        assertEquals(SLOTS + 1, c.lowestMissed().level(), "one user more makes every call wait for a slot");
        assertEquals(Capacity.Limit.ENDPOINT, c.limit());
        String sentence = SweepSections.sentence(c);
        assertTrue(sentence.startsWith("Sustains 4 users (") && sentence.contains("with TTFT p99 ≤ 120 ms and errors ≤ 1.00%: TTFT p99 was ")
                && sentence.contains("; at 5 users TTFT p99 was ") && sentence.contains("The limit was the endpoint"), sentence);
        assertTrue(r.err().contains("soaklab: " + sentence), "the sentence is said when the sweep ends");
        // physics: 4 users, each call at least a slot's 800 ms, sustain at most 5 calls a second
        Capacity.Stage knee = c.highestMet();
        assertTrue(knee.callsPerSecond() <= SLOTS / SLOT_SECONDS * 1.05 && knee.callsPerSecond() >= SLOTS / SLOT_SECONDS * 0.7, "calls/s " + knee.callsPerSecond());
        assertTrue(knee.objectives().get(0).low() <= knee.objectives().get(0).value() && knee.objectives().get(0).value() <= knee.objectives().get(0).high());

        // the ladder, then bisection: 1, 2, 4, 8 missed, then between 4 and 8 down to one apart
        List<StageLine> stages = StageLine.read(dir);
        assertEquals(List.of(1.0, 2.0, 4.0, 8.0), stages.subList(0, 4).stream().map(StageLine::level).toList());
        assertTrue(stages.subList(4, stages.size()).stream().allMatch(s -> s.search() == StageLine.Search.BISECT && s.level() > 4 && s.level() < 8));
        for (int i = 1; i < stages.size(); i++) {
            assertTrue(stages.get(i).firstWindow() >= stages.get(i - 1).endWindow(), "stages never share a window");
        }
        RunManifest m = RunManifest.read(dir);
        assertEquals(RunStatus.COMPLETE, m.status());
        assertTrue(m.message().startsWith("sweep ended: the bracket is tight: 4 users met every objective, 5 users missed"), m.message());
        assertTrue(m.windowsCompleted() >= stages.get(stages.size() - 1).endWindow());

        // the curves, in the report and as CSV: one row per stage
        List<String> csv = Files.readAllLines(dir.resolve("sweep.csv"));
        assertEquals(stages.size() + 1, csv.size());
        assertTrue(csv.get(0).startsWith("stage,search,level,level_unit,") && csv.get(0).contains(",slo_ttft_p99,slo_ttft_p99_ci_low,slo_ttft_p99_ci_high,slo_errors,"), csv.get(0));
        assertTrue(csv.get(3).startsWith("3,ladder,4,users,3,") && csv.get(3).contains(",met,"), csv.get(3));
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<h2>Capacity</h2>") && html.contains(Page.e(sentence)), "the report says it");
        assertTrue(html.contains("Complete: the sweep ended by itself (the bracket is tight: 4 users met every objective, 5 users missed). "), "its banner");
        assertTrue(html.contains("Not tested: a sweep changes its load stage by stage") && !html.contains("degraded over the run"),
                "no drift is read into the sweep's own ramp");
        for (String chart : List.of("sweep-latency.png", "sweep-goodput.png", "sweep-cost.png")) {
            assertTrue(Files.size(dir.resolve("charts").resolve(chart)) > 1000, chart);
        }
        // a sweep's folder is a run folder: report and compare read it as any other
        assertEquals(0, SoakLabTest.run("report", dir.toString()).code());
        SoakLabTest.Result compared = SoakLabTest.run("compare", dir.toString(), dir.toString(), "--out", tmp.resolve("cmp").toString());
        assertTrue(compared.code() == 0 || compared.code() == 3, compared.out() + compared.err());
    }

    @Test
    void anOpenSweepFindsThePlantedRateAndDrainsEachOverloadBeforeMeasuringAgain() throws Exception {
        Path dir = tmp.resolve("open");
        SoakLabTest.Result r = SoakLabTest.run(with(args("--scenario", scenario().toString(), "--arrival-rate", "1/s..32/s", "--arrivals", "constant",
                "--price-as", "none", "--out", dir.toString()), PLANTED));
        assertEquals(0, r.code(), r.out() + r.err());
        Capacity c = Capacity.of(RunData.load(dir));
        double planted = SLOTS / SLOT_SECONDS; // 5 calls a second
        String said = SweepSections.sentence(c) + "\n" + r.err();
        // docs/sweep.md: an open sweep's highest met rate lies within 25 % below the planted capacity, never above it
        assertTrue(c.highestMet().level() <= planted * 1.05 && c.highestMet().level() >= planted * 0.75, said);
        assertTrue(c.lowestMissed().level() > c.highestMet().level() && c.lowestMissed().level() <= 2 * planted, said);
        assertEquals(Capacity.Limit.ENDPOINT, c.limit(), said);
        assertTrue(r.err().contains("soaklab: drained "), "an overloaded stage's backlog drains before the next stage: " + r.err());
        // no stage below the planted rate missed: what an overload queued never spilled into a later stage's latency
        for (Capacity.Stage s : c.byLevel()) {
            if (s.level() <= planted * 0.75) {
                assertTrue(s.met(), "stage at " + s.level() + "/s: " + said);
            }
        }
    }

    @Test
    void aPlantedRateLimitIsNamedAsSuchNotAsACapacity() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(2000)
                .outputTokensMedian(8).outputTokensSigma(0).jitter(0).maxBatch(256).limits(new SimConfig.Limits(30, 0, 0, 0)).build())) {
            Path dir = tmp.resolve("limited");
            SoakLabTest.Result r = SoakLabTest.run(args("--scenario", scenario().toString(), "--endpoint", endpoint.baseUrl().toString(), "--model",
                    "soaklab-sim", "--arrival-rate", "1/s..64/s", "--factor", "4", "--arrivals", "constant", "--price-as", "none",
                    "--out", dir.toString()));
            assertEquals(0, r.code(), r.out() + r.err());
            Capacity c = Capacity.of(RunData.load(dir));
            assertEquals(Capacity.Limit.RATE_LIMITS, c.limit(), SweepSections.sentence(c) + "\n" + r.err());
            assertNotNull(c.rateLimit());
            assertTrue(c.rateLimit().contains("x-ratelimit-limit-requests 30") && c.rateLimit().contains("requests ran out"), c.rateLimit());
            String sentence = SweepSections.sentence(c);
            assertTrue(sentence.startsWith("Rate-limited, not a capacity: at ") && sentence.contains("x-ratelimit-limit-requests 30")
                    && !sentence.contains("Sustains"), sentence);
            assertTrue(RunManifest.read(dir).message().contains("the provider's rate limit refused"), RunManifest.read(dir).message());
        }
    }

    @Test
    void badSweepsAreOneLineEach() {
        assertUsage("give the range to sweep", "sweep", "--slo", "ttft.p99=1s");
        assertUsage("give the range to sweep", "sweep", "--concurrency", "2..8", "--arrival-rate", "1/s..2/s", "--slo", "ttft.p99=1s");
        assertUsage("a sweep needs objectives", "sweep", "--concurrency", "2..8");
        assertUsage("write FROM..TO", "sweep", "--concurrency", "8", "--slo", "ttft.p99=1s");
        assertUsage("FROM must be above zero and TO at least FROM", "sweep", "--concurrency", "8..2", "--slo", "ttft.p99=1s");
        assertUsage("is not a whole number of users", "sweep", "--concurrency", "2..lots", "--slo", "ttft.p99=1s");
        assertUsage("is not a rate", "sweep", "--arrival-rate", "1/s..fast", "--slo", "ttft.p99=1s");
        assertUsage("--max-in-flight is for an open load", "sweep", "--concurrency", "2..8", "--max-in-flight", "5", "--slo", "ttft.p99=1s");
        assertUsage("--think-time is for a closed load", "sweep", "--arrival-rate", "1/s..8/s", "--think-time", "1s", "--slo", "ttft.p99=1s");
        assertUsage("poisson or constant", "sweep", "--arrival-rate", "1/s..8/s", "--arrivals", "bursty", "--slo", "ttft.p99=1s");
        assertUsage("--precision", "sweep", "--concurrency", "2..8", "--precision", "150%", "--slo", "ttft.p99=1s");
        assertUsage("--factor", "sweep", "--concurrency", "2..8", "--factor", "1", "--slo", "ttft.p99=1s");
        assertUsage("--stage-windows", "sweep", "--concurrency", "2..8", "--stage-windows", "1", "--slo", "ttft.p99=1s");
        assertUsage("--slo episode.cost needs prices", "sweep", "--concurrency", "2..8", "--price-as", "none", "--slo", "episode.cost.p95=$0.10");
        assertUsage("--budget 30s has no room for one stage of 4 windows of 10s", "sweep", "--concurrency", "2..8", "--budget", "30s", "--slo",
                "ttft.p99=1s");
        assertUsage("a sweep runs a scenario's episodes, not a replay", "sweep", "--concurrency", "2..8", "--scenario", "replay:nothing.jsonl",
                "--slo", "ttft.p99=1s");
    }

    private static void assertUsage(String says, String... args) {
        SoakLabTest.Result r = SoakLabTest.run(args);
        assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.err().contains(says) && r.err().strip().lines().count() == 1 && !r.err().contains("Exception"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    /** The report's escaping, for comparing its text. */
    private static final class Page {
        static String e(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
        }
    }
}
