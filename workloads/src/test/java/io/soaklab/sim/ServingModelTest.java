package io.soaklab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.ModelClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/** Batch slots and their queue, decode slow-down with batch and context, the context window, reasoning. */
class ServingModelTest {

    private static final long MS = 1_000_000;

    private static SimConfig.Builder exact() {
        return SimConfig.builder().baseLatency(Duration.ZERO).prefillTokensPerSecond(1_000_000).decodeTokensPerSecond(100)
                .outputTokensMedian(20).outputTokensSigma(0).jitter(0).slowdown(0, 0)
                .caching(new SimConfig.Caching(false, Duration.ZERO, 0, 1, 0));
    }

    @Test
    void requestsBeyondTheBatchWaitInAQueueAndTheirTtftShowsIt() {
        // two slots, six requests of 20 tokens at 100 tokens/s (0.2 s each): three rounds
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(exact().maxBatch(2).build());
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            List<CompletableFuture<CallResult>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(client.send(Http.conversation(10, i + 1, 100), System.nanoTime()));
            }
            List<CallResult> results = calls.stream().map(CompletableFuture::join).sorted(Comparator.comparingLong(CallResult::firstTokenNanos)).toList();
            results.forEach(r -> assertEquals(ErrorClass.OK, r.error(), r.errorDetail()));
            long[] ttft = results.stream().mapToLong(r -> r.firstTokenNanos() / MS).toArray();
            assertTrue(ttft[1] - ttft[0] < 95, "two start at once, in the same 190 ms round: " + java.util.Arrays.toString(ttft));
            // a round is 190 ms from first token to last; each call's clock starts at its own send, a few ms apart
            assertTrue(ttft[2] >= 180 && ttft[3] >= 180, "the next two wait one round: " + java.util.Arrays.toString(ttft));
            assertTrue(ttft[4] >= 360 && ttft[5] >= 360, "the last two wait two rounds: " + java.util.Arrays.toString(ttft));
            assertEquals(0, endpoint.decoding());
            assertEquals(0, endpoint.queued());
        }
    }

    @Test
    void aClientThatLeavesTheQueueGivesUpItsPlace() throws Exception {
        // one slot and one place in the queue; a 0.5 s reply holds the slot
        SimConfig sim = exact().maxBatch(1).maxQueue(1).outputTokensMedian(50).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient patient = Http.client(Api.OPENAI, endpoint, new Recorder(3));
             ModelClient impatient = ModelClient.of(Api.OPENAI, io.soaklab.protocol.ClientConfig.builder(endpoint.baseUrl())
                     .totalTimeout(Duration.ofMillis(150)).build(), new Recorder(3))) {
            CompletableFuture<CallResult> first = patient.send(Http.conversation(10, 1, 100), System.nanoTime());
            Thread.sleep(50);
            CallResult gaveUp = impatient.send(Http.conversation(10, 2, 100), System.nanoTime()).join();
            assertEquals(ErrorClass.TIMEOUT_TOTAL, gaveUp.error(), "it waited in the queue and left");
            long deadline = System.nanoTime() + 2_000 * MS;
            while (endpoint.queued() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, endpoint.queued(), "its place is free again");
            CallResult next = patient.send(Http.conversation(10, 3, 100), System.nanoTime()).join();
            assertEquals(ErrorClass.OK, next.error(), "queued, not refused: " + next.errorDetail());
            assertEquals(ErrorClass.OK, first.join().error());
            assertEquals(0, endpoint.count("queue_full"));
            assertEquals(1, endpoint.abandonedStreams());
            assertEquals(0, endpoint.decoding(), "no slot leaked to the reply that left");
        }
    }

    @Test
    void eachStreamSlowsAsTheBatchFillsAndAsContextGrows() {
        double alone;
        double crowded;
        // replies of 80 tokens (1.5 s crowded): ten sends spread over tens of milliseconds on a busy machine still overlap for
        // nearly all of their lives, so the mean gap is the full batch's
        SimConfig batchSlow = exact().slowdown(0.1, 0).maxBatch(10).outputTokensMedian(80).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(batchSlow);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            alone = client.send(Http.conversation(10, 5, 100), System.nanoTime()).join().itlMeanNanos() / 1e6;
            List<CompletableFuture<CallResult>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(client.send(Http.conversation(10, 20 + i, 100), System.nanoTime()));
            }
            crowded = calls.stream().map(CompletableFuture::join).mapToDouble(r -> r.itlMeanNanos() / 1e6).average().orElseThrow();
        }
        assertEquals(10.0, alone, 0.6, "one stream: 1/100 s");
        assertEquals(10.0 * (1 + 0.1 * 9), crowded, 1.5, "ten streams: each gap x (1 + 0.1 x 9)");

        SimConfig contextSlow = exact().slowdown(0, 1.0).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(contextSlow);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            double longContext = client.send(Http.conversation(9_980, 1, 100), System.nanoTime()).join().itlMeanNanos() / 1e6;
            assertEquals(10.0 * 2, longContext, 1.0, "10,000 tokens of context: each gap x (1 + 1.0)");
        }
    }

    @Test
    void aPromptBeyondTheContextWindowGetsTheApisError() throws Exception {
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(exact().contextWindow(1000).build());
             ModelClient openAi = Http.client(Api.OPENAI, endpoint, new Recorder(3));
             ModelClient anthropic = Http.client(Api.ANTHROPIC, endpoint, new Recorder(3))) {
            CallResult fits = openAi.send(Http.conversation(700, 100, 150), System.nanoTime()).join();
            assertEquals(ErrorClass.OK, fits.error(), fits.errorDetail());
            CallResult tooLong = openAi.send(Http.conversation(700, 100, 300), System.nanoTime()).join();
            assertEquals(ErrorClass.CONTEXT_LENGTH, tooLong.error(), "the refusal is told by its wording, whatever its status");
            assertEquals(400, tooLong.status());
            assertTrue(tooLong.errorDetail().contains("This model's maximum context length is 1000 tokens. However, you requested 1111 tokens (811 in the messages, 300 in the completion)"),
                    tooLong.errorDetail());
            CallResult anthropicTooLong = anthropic.send(Http.conversation(700, 100, 300), System.nanoTime()).join();
            assertEquals(ErrorClass.CONTEXT_LENGTH, anthropicTooLong.error());
            assertTrue(anthropicTooLong.errorDetail().contains("input length and `max_tokens` exceed context limit"),
                    anthropicTooLong.errorDetail());
            HttpResponse<String> raw = Http.post(endpoint.baseUrl(), "/chat/completions",
                    "{\"model\":\"m\",\"max_tokens\":5000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertTrue(raw.body().contains("\"code\":\"context_length_exceeded\""), raw.body());
            assertEquals(3, endpoint.count("context_too_long"));
        }
    }

    @Test
    void hiddenReasoningDelaysTheFirstTokenAndIsCountedAsOutput() {
        SimConfig sim = exact().reasoningTokensMedian(30, false).build();
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim);
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            CallResult r = client.send(Http.conversation(10, 5, 500), System.nanoTime()).join();
            assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
            long reasoning = r.usage().reasoningTokens();
            assertTrue(reasoning > 0);
            assertEquals(20 + reasoning, r.usage().completionTokens(), "reasoning is inside completion tokens");
            assertEquals(20, r.contentChunks(), "hidden reasoning sends no chunks");
            assertTrue(r.ttftSentNanos() >= reasoning * 10 * MS, "TTFT " + r.ttftSentNanos() / MS + " ms includes " + reasoning + " tokens of thought");
        }
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(exact().reasoningTokensMedian(30, true).build());
             ModelClient client = Http.client(Api.OPENAI, endpoint, new Recorder(3))) {
            CallResult r = client.send(Http.conversation(10, 5, 500), System.nanoTime()).join();
            assertEquals(r.usage().completionTokens(), r.contentChunks(), "visible reasoning streams as reasoning_content");
            assertTrue(r.ttftSentNanos() < 50 * MS, "and its first chunk is the first token");
        }
    }
}
