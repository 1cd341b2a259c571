package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.IntervalLog;
import io.soaklab.internal.record.Metric;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof on one machine that a soak run as shards and merged is the soak one machine would
 * have run: three shard processes against one endpoint, started together, merged into a run
 * folder whose histograms are exactly those of the union of their calls, whose calls and rates are
 * a single process's, and a shard killed mid-run named as crashed with nothing of the others lost.
 */
class ShardMergeTest {

    @TempDir
    Path tmp;

    /** One question, one short answer: each arrival is one call. */
    static final String ONE_TURN = """
            name: one-turn
            description: a single question
            kind: chat
            system_prompt_tokens: 20
            max_tokens: 64
            chat: {turns: 1, user_tokens: 10}
            """;

    /** An endpoint that serves every call at once, 20 tokens at 400 a second. */
    private static EmbeddedEndpoint endpoint() {
        return EmbeddedEndpoint.start(SimConfig.builder().baseLatency(Duration.ofMillis(5)).prefillTokensPerSecond(1_000_000)
                .decodeTokensPerSecond(400).outputTokensMedian(20).outputTokensSigma(0).jitter(0).maxBatch(10_000).build());
    }

    private List<String> soak(EmbeddedEndpoint endpoint, String duration, String window, String... extra) throws IOException {
        Path scenario = tmp.resolve("one-turn.yaml");
        if (!Files.exists(scenario)) {
            Files.writeString(scenario, ONE_TURN);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "-Djmh.ignoreLock=true",
                SoakLab.class.getName(), "run",
                "--endpoint", endpoint.baseUrl().toString(), "--model", "soaklab-sim", "--scenario", scenario.toString(),
                "--arrival", "constant:15/s", "--duration", duration, "--window", window, "--forks", "0", "--price-as", "none",
                "--no-endpoint-check", "--scrape-interval", "500ms",
                // named, so that a busy machine's slow first answer is a failed scrape on record, not the quiet try given up
                "--server-metrics", endpoint.baseUrl().resolve("/metrics").toString()));
        command.addAll(List.of(extra));
        return command;
    }

    private Process start(List<String> command, String name) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private int await(Process p, String name) throws InterruptedException {
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), name + " ended within 3 minutes: " + log(name));
        return p.exitValue();
    }

    @Test
    void threeShardsMergeIntoTheRunOneMachineWouldHaveRecorded() throws Exception {
        Path shards = tmp.resolve("soak");
        Path whole = tmp.resolve("whole");
        Path merged = tmp.resolve("merged");
        List<Process> runs = new ArrayList<>();
        try (EmbeddedEndpoint endpoint = endpoint()) {
            // every process starts at the instant the first to come writes (12 s on: JVMs start slowly on a busy machine)
            String startAt = "+12s@" + tmp.resolve("start-at");
            for (int i = 0; i < 3; i++) {
                runs.add(start(soak(endpoint, "6s", "2s", "--shard", i + "/3", "--start-at", startAt, "--out", shards.resolve("shard-" + i).toString()),
                        "shard-" + i));
            }
            runs.add(start(soak(endpoint, "6s", "2s", "--start-at", startAt, "--out", whole.toString()), "whole"));
            for (int i = 0; i < 3; i++) {
                assertEquals(0, await(runs.get(i), "shard-" + i), "shard " + i + " complete, every call ok: " + log("shard-" + i));
            }
            assertEquals(0, await(runs.get(3), "whole"), log("whole"));
        } finally {
            runs.forEach(Process::destroyForcibly);
        }

        SoakLabTest.Result r = SoakLabTest.run("merge", shards.toString(), "--out", merged.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().startsWith("merged 3 of 3 shards: "), r.out());
        assertTrue(!r.err().contains(" is missing") && !r.err().contains(" crashed after") && !r.err().contains("the clocks of shards")
                && !r.err().contains("damaged"), "nothing missing, nothing crashed, nothing damaged, one clock: " + r.err());
        // one start: window k of every shard began at about the same time (each keeps to the grid counted from --start-at)
        List<IntervalLog> logs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            logs.add(IntervalLog.read(shards.resolve("shard-" + i), (w, metric, h) -> { }));
        }
        for (int w = 0; w < 3; w++) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (IntervalLog log : logs) {
                first = Math.min(first, log.bounds(w)[0]);
                last = Math.max(last, log.bounds(w)[0]);
            }
            assertTrue(last - first <= 500, "window " + w + " of the shards began within a quarter of a window: " + (last - first) + " ms apart");
        }

        // every call of every shard, once, each arrival on the shard it belongs to
        Map<Integer, Long> perShard = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            perShard.put(i, lines(shards.resolve("shard-" + i).resolve("calls.jsonl")));
        }
        List<long[]> calls = new ArrayList<>(); // episode, window, shard
        Set<Long> episodes = new HashSet<>();
        for (String line : Files.readAllLines(merged.resolve("calls.jsonl"))) {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            long episode = n.get("episode").asLong();
            assertTrue(episodes.add(episode), "arrival " + episode + " ran once");
            assertEquals(episode % 3, n.get("shard").asLong(), "arrival " + episode + " ran on shard " + (episode % 3));
        }
        assertEquals(perShard.values().stream().mapToLong(Long::longValue).sum(), episodes.size(), "every shard's calls: " + perShard);

        // the merged histograms, value for value, are those built from the union of the shards' calls
        RunManifest m = RunManifest.read(merged);
        assertEquals(RunStatus.COMPLETE, m.status());
        assertEquals(3, m.windowsCompleted());
        Map<Integer, Map<Metric, Histogram>> logged = new TreeMap<>();
        IntervalLog.read(merged, (w, metric, h) -> logged.computeIfAbsent(w, k -> new EnumMap<>(Metric.class)).put(metric, h));
        Map<Integer, Map<Metric, Histogram>> fromCalls = new HashMap<>();
        CallLine.read(merged, line -> {
            if (line.warmup() || line.window() >= m.windowsCompleted()) {
                return;
            }
            Map<Metric, Histogram> h = fromCalls.computeIfAbsent(line.window(), k -> new EnumMap<>(Metric.class));
            Metric.ofAttempt(line.error(), line.last(), nanos(line.lagUs()), nanos(line.e2eUs()), nanos(line.ttftSentUs()), nanos(line.tpotUs()),
                    nanos(line.callTtft()), nanos(line.callE2e()), nanos(line.callTtftTool()), (metric, nanos) -> {
                        if (nanos >= 0) {
                            h.computeIfAbsent(metric, k -> new Histogram(3)).recordValue(nanos / 1000);
                        }
                    });
        });
        assertEquals(Set.of(0, 1, 2), logged.keySet());
        long compared = 0;
        for (int w = 0; w < 3; w++) {
            for (Metric metric : Metric.values()) {
                if (metric == Metric.ITL || metric == Metric.EPISODE) {
                    continue; // per chunk and per episode: not in a call's line
                }
                Histogram fromLog = logged.get(w).get(metric);
                Histogram built = fromCalls.getOrDefault(w, Map.of()).get(metric);
                assertEquals(values(built), values(fromLog), "window " + w + ", " + metric.tag());
                compared += fromLog.getTotalCount();
            }
        }
        assertTrue(compared > 0, "values were compared");

        // the calls and rates of one process running the whole load: constant arrivals, 15 a second for three windows of 2 s
        long wholeCalls = measuredCalls(whole);
        long mergedCalls = measuredCalls(merged);
        assertTrue(Math.abs(mergedCalls - wholeCalls) <= Math.max(3, wholeCalls / 10), "merged " + mergedCalls + " calls against one process's "
                + wholeCalls);
        assertTrue(Math.abs(mergedCalls - 90) <= 9, "15 a second for 6 s: " + mergedCalls);

        // run.json: every shard as it ended, its clock against the endpoint's; the server's metrics kept once
        assertEquals(3, m.shards().size());
        for (RunManifest.ShardRun s : m.shards()) {
            assertEquals(RunStatus.COMPLETE, s.status(), s.toString());
            assertNotNull(s.clock(), "shard " + s.index() + " measured its clock");
            assertTrue(Math.abs(s.clock().offsetMs()) <= s.clock().uncertaintyMs(), "one machine: offset 0 within " + s.clock());
        }
        assertEquals(1, m.config().shard().count(), "the merged run is the whole soak");
        assertNull(m.clock());
        Set<String> scrapedBy = new HashSet<>();
        for (String line : Files.readAllLines(merged.resolve("server-metrics.jsonl"))) {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            scrapedBy.add(n.get("source").asText());
        }
        assertEquals(1, scrapedBy.size(), "one endpoint: " + scrapedBy);
        long kept = lines(merged.resolve("server-metrics.jsonl"));
        long answeredMost = -1;
        long keeper = -1; // the lines of the shard with the most scrapes that answered (the lowest of equals)
        for (int i = 0; i < 3; i++) {
            Path file = shards.resolve("shard-" + i).resolve("server-metrics.jsonl");
            long answered = Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.contains("\"error\"")).count();
            if (answered > answeredMost) {
                answeredMost = answered;
                keeper = lines(file);
            }
        }
        assertEquals(keeper, kept, "one shard's scrapes of the endpoint, not three shards'");

        // a normal run folder: report and compare read it unchanged
        String page = Files.readString(merged.resolve("report.html"));
        assertTrue(page.contains("Complete and healthy"));
        assertTrue(page.contains("Merged from <b>3 shards</b>"), "the report says what it is");
        assertTrue(Files.readString(shards.resolve("shard-1").resolve("report.html")).contains("Shard <b>1 of 3</b> of a soak of one arrival in 3 of"),
                "a shard's own report says it ran a share");
        assertEquals(0, SoakLabTest.run("report", merged.toString()).code());
        SoakLabTest.Result compare = SoakLabTest.run("compare", whole.toString(), merged.toString());
        assertTrue(compare.code() == 0 || compare.code() == 3, compare.err() + compare.out());
    }

    @Test
    void aShardKilledMidRunIsNamedAsCrashedAndTheOtherShardsDataIsKept() throws Exception {
        Path shards = tmp.resolve("soak");
        Path merged = tmp.resolve("merged");
        Process survivor;
        Process killed;
        try (EmbeddedEndpoint endpoint = endpoint()) {
            String startAt = "+10s@" + tmp.resolve("start-at");
            survivor = start(soak(endpoint, "5s", "1s", "--shard", "0/2", "--start-at", startAt, "--out", shards.resolve("shard-0").toString()), "shard-0");
            killed = start(soak(endpoint, "5s", "1s", "--shard", "1/2", "--start-at", startAt, "--out", shards.resolve("shard-1").toString()), "shard-1");
            try {
                Path dir = shards.resolve("shard-1");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!(Files.exists(dir.resolve(RunManifest.FILE)) && RunManifest.read(dir).windowsCompleted() >= 2)) {
                    assertTrue(killed.isAlive() && System.nanoTime() < deadline, "shard 1 closed two windows: " + log("shard-1"));
                    Thread.sleep(20);
                }
                killed.destroyForcibly(); // kill -9: no chance to say so
                assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, await(survivor, "shard-0"), log("shard-0"));
            } finally {
                survivor.destroyForcibly();
                killed.destroyForcibly();
            }
        }
        long survivorCalls = lines(shards.resolve("shard-0").resolve("calls.jsonl"));
        long killedCalls = wholeLines(shards.resolve("shard-1").resolve("calls.jsonl"));

        SoakLabTest.Result r = SoakLabTest.run("merge", shards.resolve("shard-0").toString(), shards.resolve("shard-1").toString(),
                "--out", merged.toString());
        assertEquals(1, r.code(), "a shard crashed: " + r.err() + r.out());
        assertTrue(r.err().contains("soaklab: shard 1 crashed after "), r.err());
        RunManifest m = RunManifest.read(merged);
        assertEquals(RunStatus.CRASHED, m.status(), "the worst shard's status");
        assertTrue(m.message().startsWith("merged from 2 shards; shard 1 crashed after "), m.message());
        assertEquals(RunStatus.COMPLETE, m.shards().get(0).status());
        assertEquals(RunStatus.CRASHED, m.shards().get(1).status());
        assertEquals(5, m.windowsCompleted(), "the surviving shard's windows");
        assertEquals(survivorCalls + killedCalls, lines(merged.resolve("calls.jsonl")), "nothing of either shard lost but a line cut off by the kill");
        // the window shard 1 was killed in holds calls of both shards: its latency is not written short of shard 1's, but rebuilt from the calls
        int killedIn = RunManifest.read(shards.resolve("shard-1")).windowsCompleted();
        assertTrue(!IntervalLog.read(merged, (w, metric, h) -> { }).windows().contains(killedIn), "window " + killedIn + " left for the reader");
        assertTrue(r.err().contains("latency is short of a shard's intervals"), r.err());
        assertTrue(Files.readString(merged.resolve("report.html")).contains("was rebuilt from calls.jsonl"), "the report says it rebuilt it");
        String report = Files.readString(merged.resolve("report.html"));
        assertTrue(report.contains("Incomplete: the run crashed (merged from 2 shards; shard 1 crashed after"), "the report names it");

        // a shard not given is named as missing; folders that are not one soak's shards are one line each
        SoakLabTest.Result missing = SoakLabTest.run("merge", shards.resolve("shard-0").toString(), "--out", tmp.resolve("half").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("soaklab: shard 1 of 2 is missing: the merged run lacks its share of the load"), missing.err());
        assertEquals("shard 1 missing", RunManifest.read(tmp.resolve("half")).message().replace("merged from 2 shards; ", ""));
        SoakLabTest.Result twice = SoakLabTest.run("merge", shards.resolve("shard-0").toString(), shards.resolve("shard-0").toString(),
                "--out", tmp.resolve("twice").toString());
        assertEquals(2, twice.code());
        assertTrue(twice.err().strip().endsWith("are both shard 0/2"), twice.err());
        SoakLabTest.Result notEmpty = SoakLabTest.run("merge", shards.toString(), "--out", merged.toString());
        assertEquals(2, notEmpty.code());
        assertEquals("soaklab merge: --out " + merged + " is not empty: merge into a new folder", notEmpty.err().strip());
    }

    @Test
    void badShardSettingsAreOneLineEach() throws Exception {
        assertUsage("give --shard I/N or --shards N, not both", "run", "--shard", "0/2", "--shards", "2");
        assertUsage("--shard 'two': write I/N, e.g. 0/4 for the first of 4 shards", "run", "--shard", "two");
        assertUsage("shard 3 of 3: the number must be from 0 to 2", "run", "--shard", "3/3");
        if (System.getenv("JOB_COMPLETION_INDEX") == null) {
            assertUsage("--shards 4 takes this shard's number from JOB_COMPLETION_INDEX, which is not set (a Kubernetes Indexed Job sets it);"
                    + " elsewhere give --shard I/4", "run", "--shards", "4");
        }
        assertUsage("--start-at +1m gives each shard its own instant (its own now): write +1m@FILE with FILE on a volume every shard sees, or one"
                + " instant (2026-12-03T05:00:00Z)", "run", "--shard", "0/2", "--start-at", "+1m");
        assertUsage("--start-at 'soon': write an instant (2026-12-03T05:00:00Z), a time from now (+90s), or a time from now the first shard"
                + " writes for all (+90s@FILE)", "run", "--start-at", "soon");
        SoakLabTest.Result few = SoakLabTest.run("run", "--shard", "0/4", "--concurrency", "2");
        assertEquals(2, few.code(), few.err());
        assertTrue(few.err().contains("--concurrency must be at least the number of shards"), few.err());
        // a run folder that is not a shard has nothing to be merged with
        Path single = tmp.resolve("single");
        Files.createDirectories(single);
        io.soaklab.run.Soak.prepare(single, io.soaklab.run.RunConfig.builder().concurrency(1).build(), null).ended(RunStatus.COMPLETE, null).write(single);
        SoakLabTest.Result merge = SoakLabTest.run("merge", single.toString(), "--out", tmp.resolve("m").toString());
        assertEquals(2, merge.code());
        assertEquals("soaklab merge: " + single + " is not a shard (it was run without --shard or --shards): nothing to merge it with", merge.err().strip());
        SoakLabTest.Result none = SoakLabTest.run("merge", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("m").toString());
        assertEquals("soaklab merge: " + tmp.resolve("nowhere") + ": no such folder", none.err().strip());
    }

    private static void assertUsage(String line, String... args) {
        SoakLabTest.Result r = SoakLabTest.run(args);
        assertEquals(2, r.code(), r.err() + r.out());
        assertEquals("soaklab " + args[0] + ": " + line, r.err().strip());
    }

    private static long nanos(long us) {
        return us < 0 ? -1 : us * 1000;
    }

    /** A histogram's recorded values and their counts, in order; empty for none. */
    private static List<List<Long>> values(Histogram h) {
        List<List<Long>> out = new ArrayList<>();
        if (h != null) {
            for (HistogramIterationValue v : h.recordedValues()) {
                out.add(List.of(v.getValueIteratedTo(), v.getCountAtValueIteratedTo()));
            }
        }
        return out;
    }

    private static long lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    /** Lines that are whole JSON objects: a process killed while writing leaves its last one cut off. */
    private static long wholeLines(Path file) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        long n = 0;
        for (String l : Files.readAllLines(file)) {
            try {
                if (!l.isBlank() && json.readTree(l).isObject()) {
                    n++;
                }
            } catch (IOException cutOff) {
                // not whole
            }
        }
        return n;
    }

    /** Calls of the measured windows that ended (not open at the end). */
    private static long measuredCalls(Path dir) throws IOException {
        long[] n = {0};
        RunManifest m = RunManifest.read(dir);
        CallLine.read(dir, line -> {
            if (!line.warmup() && line.window() < m.windowsCompleted() && line.error() != io.soaklab.protocol.ErrorClass.OPEN) {
                n[0]++;
            }
        });
        return n[0];
    }
}
