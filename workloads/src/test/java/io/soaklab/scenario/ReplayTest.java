package io.soaklab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.protocol.Message;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.run.Soak;
import io.soaklab.sim.SimConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example traces replayed end to end against the embedded endpoint: a Mooncake trace's lengths and shared prefixes, to
 * the token, at its timestamps to the millisecond; a request log's sessions, each an episode of its recorded requests.
 */
class ReplayTest {

    static final Path MOONCAKE = Path.of("../docs/replay/mooncake-example.jsonl").toAbsolutePath().normalize();
    static final Path OPENAI = Path.of("../docs/replay/openai-requests-example.jsonl").toAbsolutePath().normalize();
    static final Path OTLP = Path.of("../docs/replay/otel-genai-example.json").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Fast and exact: no jitter, caching as OpenAI's (from 1024 tokens, in steps of 128), every lookup a hit. */
    private static SimConfig fast() {
        return SimConfig.builder().baseLatency(Duration.ofMillis(1)).prefillTokensPerSecond(2_000_000).decodeTokensPerSecond(50_000)
                .outputTokensMedian(5).outputTokensSigma(0).jitter(0).caching(new SimConfig.Caching(true, Duration.ofMinutes(5), 1024, 128, 1.0))
                .build();
    }

    /**
     * Runs {@code scenario} on the embedded endpoint until {@code calls} calls have ended, or (with {@code episodes} above 0) runs
     * that many episodes one after the other; returns the run folder.
     */
    private Path replay(String scenario, int calls, int episodes) throws Exception {
        RunConfig config = RunConfig.builder().scenario(scenario).window(Duration.ofSeconds(60)).duration(Duration.ofSeconds(60)).concurrency(2)
                .sim(fast()).build();
        Path run = dir.resolve("run");
        Soak.prepare(run, config, null);
        try (Soak soak = Soak.open(run, false)) {
            soak.beginWindow(false);
            if (episodes > 0) {
                for (int k = 0; k < episodes; k++) {
                    assertTrue(soak.runner().run(0, k, System.nanoTime()).ok());
                }
            } else {
                soak.start();
                for (int i = 0; i < calls; i++) {
                    assertTrue(soak.awaitCall(30, TimeUnit.SECONDS), "call " + i + " of " + calls);
                }
            }
            soak.endWindow();
        }
        assertEquals(RunStatus.COMPLETE, RunManifest.read(run).status());
        return run;
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @Test
    void theMooncakeExampleIsReplayedToTheTokenAtItsTimestampsAndItsSharedPrefixesHitTheCache() throws Exception {
        List<JsonNode> trace = lines(MOONCAKE);
        assertEquals(20, trace.size());
        Path run = replay("replay:" + MOONCAKE + "?speed=2", trace.size(), 0);

        List<JsonNode> calls = lines(RunFile.CALLS.in(run));
        assertEquals(trace.size(), calls.size(), "one call a line");
        Map<Long, JsonNode> byEpisode = new HashMap<>();
        for (JsonNode c : calls) {
            assertEquals("ok", c.get("error").asText(), c.toString());
            byEpisode.put(c.get("episode").asLong(), c);
        }
        long start = byEpisode.get(0L).get("intended_us").asLong();
        // the cache holds what arrived before: requests 90 ms apart can still arrive out of order on a busy machine (a cold
        // first connection), so what each should read is worked out in the order the endpoint received them (its truth log)
        Map<String, Long> arrival = new HashMap<>();
        for (JsonNode t : lines(RunFile.SIM_TRUTH.in(run))) {
            arrival.put(t.get("id").asText(), t.get("arrival_us").asLong());
        }
        List<Integer> received = new ArrayList<>();
        for (int k = 0; k < trace.size(); k++) {
            received.add(k);
        }
        received.sort(java.util.Comparator.comparingLong(k -> arrival.get(byEpisode.get((long) k).get("request_id").asText())));
        long[] inArrivalOrder = MooncakeCache.expected(received.stream().map(trace::get).toList());
        long[] expectedCached = new long[trace.size()];
        for (int i = 0; i < received.size(); i++) {
            expectedCached[received.get(i)] = inArrivalOrder[i];
        }
        int hits = 0;
        for (int k = 0; k < trace.size(); k++) {
            JsonNode line = trace.get(k);
            JsonNode call = byEpisode.get((long) k);
            assertEquals(line.get("input_length").asLong(), call.get("prompt_tokens").asLong(), "prompt tokens, line " + (k + 1));
            assertEquals(line.get("output_length").asLong(), call.get("completion_tokens").asLong(), "completion tokens, line " + (k + 1));
            assertEquals(expectedCached[k], call.get("cached_tokens").asLong(), "cached tokens, line " + (k + 1));
            hits += expectedCached[k] > 0 ? 1 : 0;
            long offsetMicros = call.get("intended_us").asLong() - start;
            assertEquals(line.get("timestamp").asLong() / 2, Math.round(offsetMicros / 1000.0), "sent at its timestamp / 2, line " + (k + 1));
        }
        assertEquals(13, hits, "the requests after the first of their prefix read it from the cache");

        // the endpoint's own account: the same lengths, request by request
        List<JsonNode> truth = lines(RunFile.SIM_TRUTH.in(run));
        assertEquals(trace.size(), truth.size());
        Map<String, JsonNode> truthById = new HashMap<>();
        truth.forEach(t -> truthById.put(t.get("id").asText(), t));
        for (JsonNode c : calls) {
            JsonNode t = truthById.get(c.get("request_id").asText());
            JsonNode line = trace.get(c.get("episode").asInt());
            assertEquals(line.get("input_length").asLong(), t.get("prompt_tokens").asLong());
            assertEquals(line.get("output_length").asLong(), t.get("output_tokens").asLong());
        }
    }

    @Test
    void theRequestLogIsReplayedSessionBySessionEachRequestWithItsRecordedMessages() throws Exception {
        Path run = replay("replay:" + OPENAI + "?speed=20", 9, 4); // each episode recorded before the next starts
        List<JsonNode> calls = lines(RunFile.CALLS.in(run));
        assertEquals(9, calls.size());
        // the sessions by their first request: support-1 (3 requests), coder-7 (3), the one without an id (1), names (2)
        Map<Long, List<JsonNode>> byEpisode = new HashMap<>();
        for (JsonNode c : calls) {
            assertEquals("ok", c.get("error").asText(), c.toString());
            byEpisode.computeIfAbsent(c.get("episode").asLong(), k -> new ArrayList<>()).add(c);
        }
        assertEquals(List.of(3, 3, 1, 2), List.of(byEpisode.get(0L).size(), byEpisode.get(1L).size(), byEpisode.get(2L).size(),
                byEpisode.get(3L).size()));
        for (List<JsonNode> session : byEpisode.values()) {
            session.sort((a, b) -> Integer.compare(a.get("step").asInt(), b.get("step").asInt()));
            for (int i = 1; i < session.size(); i++) {
                assertTrue(session.get(i).get("prompt_tokens").asLong() > session.get(i - 1).get("prompt_tokens").asLong(),
                        "each turn's prompt holds the one before: " + session);
                assertTrue(session.get(i).get("intended_us").asLong() >= session.get(i - 1).get("intended_us").asLong()
                        + session.get(i - 1).get("e2e_us").asLong(), "a turn waits for the reply before it");
            }
        }
        List<JsonNode> episodes = lines(RunFile.EPISODES.in(run));
        assertEquals(4, episodes.size());
        episodes.forEach(e -> assertEquals("replay-openai-requests-example", e.get("scenario").asText()));
    }

    @Test
    void theRequestLogsMessagesToolsAndCapsAreSentAsRecordedAndItsTimesKeptWithinASession() {
        List<ReplayFixtures.Sent> sent = ReplayFixtures.play(Scenarios.of(Scenarios.resolve("replay:" + OPENAI + "?speed=2")), 4);
        // support-1: 2, 4 and 6 messages, due 0, 1 and 2.5 s after its start at speed 2
        assertEquals(List.of(2, 4, 6), sent.stream().filter(s -> s.episode() == 0).map(s -> s.request().messages().size()).toList());
        assertEquals(List.of(0L, 1000L, 2500L), sent.stream().filter(s -> s.episode() == 0).map(ReplayFixtures.Sent::dueMillis).toList());
        List<ReplayFixtures.Sent> coder = sent.stream().filter(s -> s.episode() == 1).toList();
        assertEquals(List.of(2, 4, 6), coder.stream().map(s -> s.request().messages().size()).toList());
        assertEquals(200, coder.get(0).request().maxTokens(), "max_completion_tokens");
        assertEquals("read_file", coder.get(0).request().tools().get(0).name());
        Message toolCall = coder.get(1).request().messages().get(2);
        assertEquals("read_file", toolCall.toolCalls().get(0).name());
        assertEquals("call_1", coder.get(1).request().messages().get(3).toolCallId());
        assertEquals(List.of(1), sent.stream().filter(s -> s.episode() == 2).map(s -> s.request().messages().size()).toList());
        assertEquals(20, sent.stream().filter(s -> s.episode() == 2).findFirst().orElseThrow().request().maxTokens());
        // when each session arrives: its first timestamp, from the trace's first, halved
        assertEquals(List.of(0L, 200_000_000L, 1_750_000_000L, 2_000_000_000L),
                java.util.Arrays.stream(Scenarios.schedule(Scenarios.of(Scenarios.resolve("replay:" + OPENAI + "?speed=2")))).boxed().toList());
    }

    @Test
    void anOpenTelemetryGenAiTraceIsReplayedAgentByAgentItsSpecialistsInParallelToTheToken() throws Exception {
        // a team episode in OTLP JSON, without messages: coordinator (2 chats), two specialists in parallel (2 chats each,
        // a tool between), as soaklab's --trace-file or an agent framework exports it
        Path run = replay("replay:" + OTLP, 6, 0);
        List<JsonNode> calls = lines(RunFile.CALLS.in(run));
        assertEquals(6, calls.size(), "one call a chat span");
        long first = calls.stream().mapToLong(c -> c.get("intended_us").asLong()).min().orElseThrow();
        // by span start (ms from the trace's first): input and output tokens as the spans counted them
        Map<Long, long[]> expected = Map.of(0L, new long[] {1300, 60}, 1100L, new long[] {2100, 120}, 1300L, new long[] {2600, 90},
                2100L, new long[] {3000, 150});
        int atFourHundred = 0;
        for (JsonNode c : calls) {
            assertEquals("ok", c.get("error").asText(), c.toString());
            long at = Math.round((c.get("intended_us").asLong() - first) / 1000.0);
            if (at == 400) {
                atFourHundred++; // the two specialists' first calls, at once: in parallel, as recorded
                assertTrue(c.get("prompt_tokens").asLong() == 1500 || c.get("prompt_tokens").asLong() == 1400, c.toString());
                continue;
            }
            long[] tokens = expected.get(at);
            assertTrue(tokens != null, "a call at +" + at + " ms: " + c);
            assertEquals(tokens[0], c.get("prompt_tokens").asLong(), "prompt tokens at +" + at + " ms");
            assertEquals(tokens[1], c.get("completion_tokens").asLong(), "completion tokens at +" + at + " ms");
        }
        assertEquals(2, atFourHundred, "both specialists start together");
        assertEquals(3, calls.stream().map(c -> c.get("episode").asLong()).distinct().count(),
                "an episode an agent: the coordinator's two calls, each specialist's two");
    }
}
