package io.soaklab.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against servers that break the rules on purpose: replies that never stop, errors
 * inside a 200 stream, empty replies, keys echoed back, calls that never end. Each is one small
 * loopback server doing exactly that; every one of them ends in a classified, bounded result.
 */
class HostileServerTest {

    private static final String KEY = "sk-proj-Zx81testkeyNotReal+/=42";
    private static final String TEXT_CHUNK = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"}}]}\n\n";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private ScriptedServer server(ScriptedServer.Script script) throws IOException {
        ScriptedServer s = new ScriptedServer(script);
        open.add(s);
        return s;
    }

    private ModelClient client(ScriptedServer s) {
        ModelClient c = ModelClient.openAi(ClientConfig.builder(s.baseUrl()).model("hostile").apiKey(KEY)
                .firstTokenTimeout(Duration.ofSeconds(20)).idleTimeout(Duration.ofSeconds(20)).totalTimeout(Duration.ofSeconds(60)).build(),
                new Recorder(3));
        open.add(c);
        return c;
    }

    private CallResult call(ScriptedServer s, int maxTokens) {
        return client(s).send(new ChatRequest(List.of(Message.user("hi")), maxTokens), System.nanoTime()).join();
    }

    @Test
    void aMemberOfAnotherShapeIsSkippedNotTakenForTheChunksOwnFields() throws IOException {
        // "choices" as an object, a "delta" as an array: their insides must not be read as the chunk's own fields, and the
        // fields after them (here the usage) must still be
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, TEXT_CHUNK);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":[{\"content\":\"not text\"}]}],\"id\":\"c1\"}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":{\"usage\":{\"prompt_tokens\":999,\"completion_tokens\":999}},"
                    + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1}}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        CallResult r = call(s, 10);
        assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
        assertEquals("word ", r.content());
        assertEquals(7, r.usage().promptTokens(), "the chunk's own usage, not the one inside its misshapen choices");
        assertEquals(1, r.usage().completionTokens());
    }

    @Test
    void aReplyThatIgnoresItsCapIsCutAtItsBoundAndRecordedAsRunaway() throws IOException {
        AtomicInteger written = new AtomicInteger();
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            for (int i = 0; i < 100_000; i++) { // 7 MB, bounded: far past what socket buffers hold once the client hangs up
                ScriptedServer.chunk(out, TEXT_CHUNK);
                written.incrementAndGet();
            }
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        CallResult r = call(s, 10);
        ReplyBounds bounds = ReplyBounds.of(10);
        assertEquals(ErrorClass.RUNAWAY, r.error(), r.errorDetail());
        assertEquals(bounds.maxChunks() + 1, r.contentChunks(), "read up to the first chunk past the bound, not one more");
        assertTrue(r.errorDetail().contains("against a cap of 10 tokens"), r.errorDetail());
        assertTrue(r.content().length() <= bounds.maxChars(), "what is kept stays within the bound: " + r.content().length());
        assertEquals(Usage.NONE, r.usage(), "no usage from the server: nothing to bill");
        assertTrue(written.get() < 100_000, "soaklab hung up: the server could not send all it meant to (" + written.get() + " chunks)");
    }

    @Test
    void aStreamOfFiftyMegabytesForAThreeHundredTokenCapStopsNearItsByteBound() throws IOException {
        String padding = "x".repeat(60_000); // huge chunks of nothing the reply keeps: only the byte bound can stop them
        AtomicInteger written = new AtomicInteger();
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, TEXT_CHUNK);
            for (int i = 0; i < 850; i++) { // 50 MB if nobody stopped it
                ScriptedServer.chunk(out, "data: {\"choices\":[],\"padding\":\"" + padding + "\"}\n\n");
                written.incrementAndGet();
            }
            ScriptedServer.end(out);
        });
        CallResult r = call(s, 300);
        assertEquals(ErrorClass.RUNAWAY, r.error(), r.errorDetail());
        assertTrue(r.errorDetail().contains("bytes of stream"), r.errorDetail());
        long bound = ReplyBounds.of(300).maxBytes();
        assertTrue(written.get() * 60_000L < 50L << 20, "the server could not send all 50 MB: " + written.get() + " chunks");
        assertTrue(bound < 2L << 20, "the bound for 300 tokens is under 2 MiB: " + bound);
    }

    @Test
    void aReplyOverItsCapThatEndsByItselfIsOkAndFlagged() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            for (int i = 0; i < 60; i++) {
                ScriptedServer.chunk(out, TEXT_CHUNK);
            }
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":60}}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        CallResult r = call(s, 20);
        assertEquals(ErrorClass.OK, r.error());
        assertTrue(r.flagged(CallFlag.OVER_CAP), "60 tokens against a cap of 20");
        assertEquals(20, r.maxTokens());
        CallResult within = call(server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, TEXT_CHUNK);
            ScriptedServer.chunk(out, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":24}}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        }), 20);
        assertFalse(within.flagged(CallFlag.OVER_CAP), "24 against 20 is within the tolerance of " + ReplyBounds.of(20).tolerance());
    }

    @Test
    void anErrorFieldLineInsideA200StreamIsAFailureNotASuccess() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, TEXT_CHUNK);
            ScriptedServer.chunk(out, "error: {\"code\":500,\"message\":\"slot 3 failed to decode\",\"type\":\"server_error\"}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        CallResult r = call(s, 50);
        assertEquals(ErrorClass.STREAM_ERROR, r.error());
        assertEquals("error in stream: server_error (500): slot 3 failed to decode", r.errorDetail());
        assertEquals("word ", r.content(), "what came before the error is kept");
    }

    @Test
    void aStreamThatEndsNormallyWithNothingInItIsAnEmptyReply() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        CallResult r = call(s, 50);
        assertEquals(ErrorClass.EMPTY_REPLY, r.error());
        assertTrue(r.error().failed());
    }

    @Test
    void aFinishReasonOfErrorIsAStreamError() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, TEXT_CHUNK);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"abort\"}]}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        CallResult r = call(s, 50);
        assertEquals(ErrorClass.STREAM_ERROR, r.error());
        assertTrue(r.errorDetail().contains("'abort'"), r.errorDetail());
    }

    @Test
    void theKeyAServerEchoesIsRedactedFromEverythingKept() throws IOException {
        String encoded = java.net.URLEncoder.encode(KEY, java.nio.charset.StandardCharsets.UTF_8);
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 401, "application/json",
                "{\"error\":{\"message\":\"Incorrect API key provided: Bearer " + KEY + ". Also seen as " + encoded
                        + ".\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
        CallResult r = call(s, 50);
        assertEquals(ErrorClass.HTTP_4XX, r.error());
        assertFalse(r.errorDetail().contains(KEY), r.errorDetail());
        assertFalse(r.errorDetail().contains(encoded), r.errorDetail());
        assertTrue(r.errorDetail().contains("Bearer [redacted]. Also seen as [redacted]."), r.errorDetail());

        CallResult inStream = call(server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"error\":{\"message\":\"quota exceeded for key " + KEY + "\"}}\n\n");
            ScriptedServer.end(out);
        }), 50);
        assertEquals("error in stream: quota exceeded for key [redacted]", inStream.errorDetail());
    }

    @Test
    void aKeyEchoedLateInALongMessageIsRedactedBeforeTheMessageIsCut() throws IOException {
        String filler = "y".repeat(290);
        CallResult r = call(server((socket, out) -> ScriptedServer.full(out, 403, "text/plain", filler + KEY)), 50);
        assertFalse(r.errorDetail().contains(KEY.substring(0, 8)), "no prefix of the key survives the cut: " + r.errorDetail());
    }

    @Test
    void aCallStillOpenSaysHowFarItGot() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, TEXT_CHUNK);
            ScriptedServer.chunk(out, TEXT_CHUNK);
            release.await(10, TimeUnit.SECONDS);
        });
        ModelClient c = client(s);
        long intended = System.nanoTime();
        CompletableFuture<CallResult> f = c.send(new ChatRequest(List.of(Message.user("hi")), 50), intended);
        CallResult[] seen = new CallResult[1];
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < deadline; ) {
            seen[0] = c.inFlight(f, intended, System.nanoTime());
            if (seen[0].contentChunks() == 2) {
                break;
            }
            Thread.sleep(2);
        }
        long now = System.nanoTime();
        CallResult open = c.inFlight(f, intended, now);
        assertFalse(f.isDone(), "looking does not end the call");
        release.countDown();
        assertEquals(ErrorClass.OPEN, open.error());
        assertFalse(open.error().failed(), "open is neither a success nor a failure");
        assertEquals(2, open.contentChunks());
        assertEquals(now - intended, open.e2eNanos(), "its age, from the intended start");
        assertTrue(open.firstTokenNanos() > 0 && open.firstTokenNanos() <= open.e2eNanos());
        assertTrue(open.errorDetail().startsWith("still open when the run ended: 2 content chunks"), open.errorDetail());
    }

    @Test
    void anErrorMemberThatIsNullIsNoError() throws IOException {
        CallResult r = call(server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"error\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"fine\"},\"finish_reason\":\"stop\"}]}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        }), 50);
        assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
        assertEquals("fine", r.content());
    }

    @Test
    void anErrorLineTheServerClosesOnIsKeptThoughNoBlankLineEndsIt() throws IOException {
        CallResult r = call(server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "error: {\"code\":400,\"message\":\"the request exceeds the available context size, try increasing it\","
                    + "\"type\":\"exceed_context_size_error\"}\n");
            ScriptedServer.end(out);
        }), 50);
        assertEquals(ErrorClass.CONTEXT_LENGTH, r.error(), "not a truncated stream: the server said why");
        assertTrue(r.errorDetail().contains("the request exceeds the available context size"), r.errorDetail());
    }

    @Test
    void aServerEchoingTheKeyInItsFinishReasonIsRedactedToo() throws IOException {
        CallResult r = call(server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop:" + KEY + "\"}]}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        }), 50);
        assertEquals("stop:[redacted]", r.finishReason());
    }

    @Test
    void anErrorLineWithoutEvenItsLineEndIsKept() throws IOException {
        CallResult r = call(server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "error: {\"code\":503,\"message\":\"loading model\",\"type\":\"unavailable_error\"}");
            ScriptedServer.end(out);
        }), 50);
        assertEquals(ErrorClass.STREAM_ERROR, r.error(), r.errorDetail());
        assertEquals("error in stream: unavailable_error (503): loading model", r.errorDetail());
    }
}
