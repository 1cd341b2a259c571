package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.text.SyntheticText;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/** A prefix seen within its time-to-live is served from cache, faster, and reported as the APIs report it. */
class PrefixCachingTest {

    private static final long MS = 1_000_000;

    private static SimConfig cached(Duration ttl) {
        return SimConfig.builder().baseLatency(Duration.ZERO).prefillTokensPerSecond(10_000).decodeTokensPerSecond(1000)
                .outputTokensMedian(3).outputTokensSigma(0).jitter(0)
                .caching(new SimConfig.Caching(true, ttl, 1024, 128, 1.0)).build();
    }

    @Test
    void openAiPrefixesAreCachedAutomaticallyInStepsAndMakeTheFirstTokenFaster() {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(cached(Duration.ofMinutes(5)));
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            List<Message> conversation = new ArrayList<>(List.of(
                    Message.system(SyntheticText.words(new SplittableRandom(1), 3000)),
                    Message.user(SyntheticText.words(new SplittableRandom(2), 100))));
            CallResult first = client.send(new ChatRequest(conversation, 10), System.nanoTime()).join();
            assertEquals(0, first.usage().cachedTokens());
            conversation.add(Message.assistant(first.content()));
            conversation.add(Message.user(SyntheticText.words(new SplittableRandom(3), 500)));
            CallResult second = client.send(new ChatRequest(conversation, 10), System.nanoTime()).join();
            long prefix = 3 + 4 + 3000 + 4 + 100; // the whole first prompt is the longest cached prefix
            assertEquals(prefix / 128 * 128, second.usage().cachedTokens(), "whole steps of 128 tokens");
            assertTrue(second.usage().promptTokens() > prefix);
            // planned prefill: first 3107 tokens at 10k/s = 311 ms; second 3072 cached at a tenth + ~560 fresh = 87 ms
            assertTrue(first.ttftSentNanos() > 300 * MS, "uncached TTFT " + first.ttftSentNanos() / MS);
            assertTrue(second.ttftSentNanos() < first.ttftSentNanos() / 2,
                    "cached TTFT " + second.ttftSentNanos() / MS + " ms vs uncached " + first.ttftSentNanos() / MS + " ms");

            CallResult small = client.send(Http.conversation(500, 10, 10), System.nanoTime()).join();
            CallResult smallAgain = client.send(Http.conversation(500, 10, 10), System.nanoTime()).join();
            assertEquals(0, small.usage().cachedTokens() + smallAgain.usage().cachedTokens(), "below 1024 tokens nothing is cached");
        }
    }

    @Test
    void aCachedPrefixExpiresAfterItsTimeToLive() throws Exception {
        // A second of life, calls of a few milliseconds: the second call is well inside it, the third well past.
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).prefillTokensPerSecond(1_000_000).decodeTokensPerSecond(1000)
                .outputTokensMedian(3).outputTokensSigma(0).jitter(0)
                .caching(new SimConfig.Caching(true, Duration.ofSeconds(1), 1024, 128, 1.0)).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            client.send(Http.conversation(2000, 10, 5), System.nanoTime()).join();
            assertTrue(client.send(Http.conversation(2000, 10, 5), System.nanoTime()).join().usage().cachedTokens() > 0);
            Thread.sleep(1500);
            assertEquals(0, client.send(Http.conversation(2000, 10, 5), System.nanoTime()).join().usage().cachedTokens());
        }
    }

    @Test
    void anthropicCachesAtBreakpointsAndReportsWritesThenReads() throws Exception {
        String system = SyntheticText.words(new SplittableRandom(5), 2000);
        String body = "{\"model\":\"claude\",\"max_tokens\":5,\"stream\":false,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"" + system + "\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(cached(Duration.ofMinutes(5)))) {
            HttpResponse<String> first = Http.anthropic(endpoint.baseUrl(), String.format(body, " the data"));
            assertEquals(200, first.statusCode(), first.body());
            // tools none; system: 3 (request) + 4 (message) + 2000 tokens, written with a one-hour lifetime
            assertTrue(first.body().contains("\"cache_creation_input_tokens\":2007,\"cache_read_input_tokens\":0,"
                    + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":2007}"), first.body());
            HttpResponse<String> second = Http.anthropic(endpoint.baseUrl(), String.format(body, " run the test"));
            assertTrue(second.body().contains("\"input_tokens\":7,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2007"),
                    second.body());
            HttpResponse<String> noBreakpoint = Http.anthropic(endpoint.baseUrl(),
                    "{\"model\":\"claude\",\"max_tokens\":5,\"system\":\"" + system + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertTrue(noBreakpoint.body().contains("\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0"),
                    "without cache_control nothing is cached: " + noBreakpoint.body());
        }
    }

    @Test
    void anthropicLooksBackFromEachBreakpointForAnEarlierCachedPrefixAsTheRealApiDoes() throws Exception {
        // turn 1 caches the conversation at its last block; turn 2 moves the breakpoint to its own last block. The API checks
        // the boundaries up to 20 blocks before a breakpoint, so turn 2 reads turn 1's prefix and writes only what is new
        String[] turns = twoTurns(1200, "{\"type\":\"ephemeral\"}");
        String turn1 = turns[0];
        String turn2 = turns[1];
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(cached(Duration.ofMinutes(5)))) {
            com.fasterxml.jackson.databind.JsonNode first = usage(Http.anthropic(endpoint.baseUrl(), turn1));
            long firstWritten = first.get("cache_creation_input_tokens").asLong();
            assertEquals(0, first.get("cache_read_input_tokens").asLong());
            assertTrue(firstWritten > 1600, "turn 1 writes the system prompt and its message: " + first);
            com.fasterxml.jackson.databind.JsonNode second = usage(Http.anthropic(endpoint.baseUrl(), turn2));
            assertEquals(firstWritten, second.get("cache_read_input_tokens").asLong(),
                    "turn 1's prefix, found 2 blocks before turn 2's breakpoint, is read: " + second);
            long written = second.get("cache_creation_input_tokens").asLong();
            assertTrue(written > 300 && written < 400, "only the assistant's reply and the new message are written: " + second);
        }
    }

    @Test
    void anHourLongBreakpointBeforeAFiveMinuteOneBillsEachStretchAtItsOwnLifetime() throws Exception {
        // Anthropic ("mixing TTLs"): with A read, B the last one-hour breakpoint past A and C the last breakpoint, the request
        // writes B - A tokens for an hour and C - B for five minutes. The system prompt (1h) then one message (5m):
        String[] turns = twoTurns(2000, "{\"type\":\"ephemeral\",\"ttl\":\"1h\"}");
        String turn1 = turns[0];
        String turn2 = turns[1];
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(cached(Duration.ofMinutes(5)))) {
            com.fasterxml.jackson.databind.JsonNode first = usage(Http.anthropic(endpoint.baseUrl(), turn1));
            long written = first.get("cache_creation_input_tokens").asLong();
            // the system prompt: 3 (request) + 4 (message) + 2000 tokens, for an hour; the message after it for five minutes
            assertEquals(2007, first.get("cache_creation").get("ephemeral_1h_input_tokens").asLong(), first.toString());
            assertEquals(written - 2007, first.get("cache_creation").get("ephemeral_5m_input_tokens").asLong(), first.toString());
            assertTrue(written - 2007 >= 404, "the message (4 + 400 tokens) is written for five minutes: " + first);
            assertEquals(0, first.get("input_tokens").asLong(), "everything up to the last breakpoint is written: " + first);

            // turn 2 reads turn 1's whole prefix (past the one-hour breakpoint): nothing more is written for an hour
            com.fasterxml.jackson.databind.JsonNode second = usage(Http.anthropic(endpoint.baseUrl(), turn2));
            assertEquals(written, second.get("cache_read_input_tokens").asLong(), second.toString());
            assertEquals(0, second.get("cache_creation").get("ephemeral_1h_input_tokens").asLong(), second.toString());
            assertEquals(second.get("cache_creation_input_tokens").asLong(),
                    second.get("cache_creation").get("ephemeral_5m_input_tokens").asLong(), second.toString());
        }
    }

    @Test
    void aFiveMinuteBreakpointReadBeforeAnHourLongOneLeavesOnlyTheStretchAfterItForAnHour() throws Exception {
        // A first request caches the system prompt for five minutes; a second marks the system prompt and its message for an
        // hour (both 1h): A = the system prompt, read; B = C = the message's end: only the message is written, for an hour
        String system = SyntheticText.words(new SplittableRandom(5), 2000);
        String user = "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + SyntheticText.words(new SplittableRandom(6), 400) + "\"";
        String fiveMinutes = "{\"model\":\"claude\",\"max_tokens\":5,\"system\":[{\"type\":\"text\",\"text\":\"" + system
                + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[" + user + "}]}]}";
        String hour = ",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}";
        String anHour = "{\"model\":\"claude\",\"max_tokens\":5,\"system\":[{\"type\":\"text\",\"text\":\"" + system + "\"" + hour
                + "}],\"messages\":[" + user + hour + "}]}]}";
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(cached(Duration.ofMinutes(5)))) {
            assertEquals(2007, usage(Http.anthropic(endpoint.baseUrl(), fiveMinutes)).get("cache_creation").get("ephemeral_5m_input_tokens").asLong());
            com.fasterxml.jackson.databind.JsonNode u = usage(Http.anthropic(endpoint.baseUrl(), anHour));
            assertEquals(2007, u.get("cache_read_input_tokens").asLong(), u.toString());
            assertEquals(u.get("cache_creation_input_tokens").asLong(), u.get("cache_creation").get("ephemeral_1h_input_tokens").asLong(), u.toString());
            assertTrue(u.get("cache_creation_input_tokens").asLong() >= 404, u.toString());
            assertEquals(0, u.get("cache_creation").get("ephemeral_5m_input_tokens").asLong(), u.toString());
        }
    }

    @Test
    void aMessageSentAsAStringIsTheOneTextBlockItWasSentAsBefore() throws Exception {
        // the Anthropic client marks the last turn as a block array with its breakpoint, and sends the same turn as a plain
        // string on the next call: the API reads them as the same content, so the next call reads the prefix written at it
        String system = SyntheticText.words(new SplittableRandom(5), 1200);
        String u1 = SyntheticText.words(new SplittableRandom(6), 400);
        String bp = ",\"cache_control\":{\"type\":\"ephemeral\"}";
        String head = "{\"model\":\"claude\",\"max_tokens\":5,\"system\":[{\"type\":\"text\",\"text\":\"" + system + "\"" + bp + "}],\"messages\":[";
        String turn1 = head + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + u1 + "\"" + bp + "}]}]}";
        String turn2 = head + "{\"role\":\"user\",\"content\":\"" + u1 + "\"},{\"role\":\"assistant\",\"content\":\"noted the data\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\" run the test\"" + bp + "}]}]}";
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(cached(Duration.ofMinutes(5)))) {
            com.fasterxml.jackson.databind.JsonNode first = usage(Http.anthropic(endpoint.baseUrl(), turn1));
            long written = first.get("cache_creation_input_tokens").asLong();
            assertEquals(3 + 4 + 1200 + 4 + 400, written, first.toString());
            com.fasterxml.jackson.databind.JsonNode second = usage(Http.anthropic(endpoint.baseUrl(), turn2));
            assertEquals(written, second.get("cache_read_input_tokens").asLong(), "the first turn's whole prefix is read: " + second);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode usage(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("usage");
    }

    @Test
    void theAnthropicClientMapsCacheReadsIntoTheSameAccounting() {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(cached(Duration.ofMinutes(5)));
             ModelClient client = Http.client(Api.ANTHROPIC, endpoint, new Recorder(3))) {
            // without caching asked for, the client sets no breakpoints: Anthropic caches nothing then, and says so
            CallResult r = client.send(Http.conversation(3000, 10, 5), System.nanoTime()).join();
            CallResult again = client.send(Http.conversation(3000, 10, 5), System.nanoTime()).join();
            assertEquals(0, r.usage().cachedTokens() + again.usage().cachedTokens() + again.usage().cacheWriteTokens());
            assertEquals(r.usage().promptTokens(), r.usage().freshInputTokens());

            // asked for, the first call writes the prefix and the next reads it
            ChatRequest cachedRequest = new ChatRequest(Http.conversation(3000, 20, 5).messages(), 5, List.of(),
                    ChatRequest.ToolChoice.AUTO, true);
            CallResult writes = client.send(cachedRequest, System.nanoTime()).join();
            CallResult reads = client.send(cachedRequest, System.nanoTime()).join();
            assertEquals(writes.usage().promptTokens(), writes.usage().cacheWriteTokens() + writes.usage().freshInputTokens());
            assertTrue(writes.usage().cacheWriteTokens() >= 3000, "the whole conversation up to the last turn: " + writes.usage());
            assertEquals(writes.usage().cacheWriteTokens(), reads.usage().cachedTokens(), "read back what was written");
            assertEquals(reads.usage().promptTokens(), reads.usage().cachedTokens() + reads.usage().freshInputTokens());
        }
    }

    /**
     * A two-turn Anthropic conversation: a system prompt of {@code systemWords} words with
     * {@code systemCacheControl}, then a 400-word message with a five-minute breakpoint; turn 2 adds
     * a short reply and a 300-word message, its breakpoint moved to that message.
     */
    private static String[] twoTurns(int systemWords, String systemCacheControl) {
        String system = SyntheticText.words(new SplittableRandom(5), systemWords);
        String u1 = SyntheticText.words(new SplittableRandom(6), 400);
        String u2 = SyntheticText.words(new SplittableRandom(7), 300);
        String bp = ",\"cache_control\":{\"type\":\"ephemeral\"}";
        String head = "{\"model\":\"claude\",\"max_tokens\":5,\"system\":[{\"type\":\"text\",\"text\":\"" + system
                + "\",\"cache_control\":" + systemCacheControl + "}],\"messages\":[";
        String turn1 = head + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + u1 + "\"" + bp + "}]}]}";
        String turn2 = head + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + u1 + "\"}]},"
                + "{\"role\":\"assistant\",\"content\":\"noted the data\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + u2 + "\"" + bp + "}]}]}";
        return new String[] {turn1, turn2};
    }
}
