package io.soaklab.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenAI streaming client against real sockets that misbehave on purpose. */
class OpenAiClientTest {

    private static final ChatRequest HELLO = new ChatRequest(List.of(Message.user("Say hello.")), 50);
    private static final long MS = 1_000_000;

    private final Recorder itl = new Recorder(3);
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

    private ModelClient client(URI url, Duration firstToken, Duration idle, Duration total) {
        ModelClient c = ModelClient.openAi(ClientConfig.builder(url).model("gpt-test").apiKey("sk-test-not-real")
                .connectTimeout(Duration.ofSeconds(2)).firstTokenTimeout(firstToken).idleTimeout(idle).totalTimeout(total)
                .build(), itl);
        open.add(c);
        return c;
    }

    private CallResult call(ScriptedServer.Script script) throws IOException {
        ScriptedServer s = server(script);
        return client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10)).send(HELLO, System.nanoTime()).join();
    }

    @Test
    void readsTheRecordedStreamWhateverTheChunking() throws IOException {
        byte[] stream = SseParserTest.fixture();
        for (int size : new int[] {1, 7, 64, 1000, stream.length}) {
            itl.reset();
            ScriptedServer s = server((socket, out) -> {
                ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
                for (int from = 0; from < stream.length; from += size) {
                    ScriptedServer.chunk(out, stream, from, Math.min(stream.length, from + size));
                }
                ScriptedServer.end(out);
            });
            CallResult r = client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10))
                    .send(HELLO, System.nanoTime()).join();
            assertEquals(ErrorClass.OK, r.error(), "chunks of " + size + ": " + r.errorDetail());
            assertEquals("Hello, café ☕ 日本語 world!", r.content());
            assertEquals(7, r.contentChunks(), "the role-only chunk is not a token");
            assertEquals(new Usage(27, 7, 12, 3, Usage.Source.SERVER), r.usage());
            assertEquals("stop", r.finishReason());
            assertEquals(200, r.status());
            assertTrue(r.lagNanos() >= 0 && r.headersNanos() >= r.lagNanos() && r.firstTokenNanos() >= r.headersNanos()
                    && r.e2eNanos() >= r.firstTokenNanos(), "time points in order: " + r);
            Histogram gaps = itl.getIntervalHistogram();
            assertEquals(6, gaps.getTotalCount(), "every gap between 7 content chunks is recorded");
            assertEquals(6, r.itlCount());
        }
    }

    @Test
    void sendsAStreamingRequestWithUsageAndTheKey() throws IOException {
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 500, "application/json", "{}"));
        client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10)).send(HELLO, System.nanoTime()).join();
        String body = s.bodies().get(0);
        assertEquals("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":50,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}", body);
        String head = s.heads().get(0);
        assertTrue(head.startsWith("POST /v1/chat/completions HTTP/1.1"), head);
        assertTrue(head.contains("Authorization: Bearer sk-test-not-real") || head.contains("authorization: Bearer sk-test-not-real"), head);
        assertTrue(!head.toLowerCase().contains("accept-encoding: gzip"), "a compressed event stream would distort token timing");
    }

    @Test
    void aReasoningEffortIsSentAndAnthropicsAsksAreRefusedBeforeAnythingIsSent() throws IOException {
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 500, "application/json", "{}"));
        ModelClient c = client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10));
        c.send(new ChatRequest(HELLO.messages(), 50, List.of(), ChatRequest.ToolChoice.AUTO, false, ChatRequest.CacheTtl.FIVE_MINUTES,
                ChatRequest.Reasoning.effort(ChatRequest.Effort.LOW)), System.nanoTime()).join();
        assertEquals("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":50,"
                + "\"reasoning_effort\":\"low\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", s.bodies().get(0));
        CallResult thinking = c.send(new ChatRequest(HELLO.messages(), 2048, List.of(), ChatRequest.ToolChoice.AUTO, false,
                ChatRequest.CacheTtl.FIVE_MINUTES, ChatRequest.Reasoning.thinking(1024)), System.nanoTime()).join();
        assertEquals(ErrorClass.CLIENT_ERROR, thinking.error());
        assertEquals("cannot encode request: java.lang.IllegalArgumentException: a thinking budget is Anthropic's: an OpenAI request asks"
                + " for a reasoning effort", thinking.errorDetail());
        CallResult anHour = c.send(new ChatRequest(HELLO.messages(), 50, List.of(), ChatRequest.ToolChoice.AUTO, true,
                ChatRequest.CacheTtl.ONE_HOUR, ChatRequest.Reasoning.NONE), System.nanoTime()).join();
        assertEquals(ErrorClass.CLIENT_ERROR, anHour.error());
        assertEquals(1, s.bodies().size(), "neither reached the server");
    }

    @Test
    void aChatRequestRefusesWhatNoProviderTakesInOneLine() {
        List<Message> hi = HELLO.messages();
        assertEquals("the thinking budget (1024) must be below maxTokens (1024): Anthropic counts thinking inside max_tokens",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ChatRequest(hi, 1024, List.of(),
                        ChatRequest.ToolChoice.AUTO, false, ChatRequest.CacheTtl.FIVE_MINUTES, ChatRequest.Reasoning.thinking(1024))).getMessage());
        assertEquals("a thinking budget must be at least 1024 tokens, was 1000",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ChatRequest.Reasoning.thinking(1000)).getMessage());
        assertEquals("a one-hour cache lifetime needs prompt caching",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ChatRequest(hi, 50, List.of(),
                        ChatRequest.ToolChoice.AUTO, false, ChatRequest.CacheTtl.ONE_HOUR, ChatRequest.Reasoning.NONE)).getMessage());
        List<ToolSpec> grep = List.of(new ToolSpec("grep", "search", "{\"type\":\"object\"}"));
        assertEquals("thinking cannot be asked with a required tool call: Anthropic refuses forced tool use with thinking",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ChatRequest(hi, 2048, grep,
                        ChatRequest.ToolChoice.REQUIRED, false, ChatRequest.CacheTtl.FIVE_MINUTES, ChatRequest.Reasoning.thinking(1024))).getMessage());
    }

    @Test
    void anErrorObjectInsideTheStreamIsAStreamError() throws IOException {
        CallResult r = call((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}\n\n");
            ScriptedServer.end(out);
        });
        assertEquals(ErrorClass.STREAM_ERROR, r.error());
        assertTrue(r.errorDetail().contains("server_error: The server had an error"), r.errorDetail());
        assertEquals("Hi", r.content());
        assertEquals(1, r.contentChunks());
    }

    @ParameterizedTest
    @CsvSource({
        "429, HTTP_429, Rate limit reached for requests",
        "529, HTTP_529, Overloaded",
        "503, HTTP_5XX, The engine is currently overloaded",
        "400, CONTEXT_LENGTH, This model's maximum context length is 128000 tokens",
        "400, HTTP_4XX, 'Invalid value for max_tokens: must be at least 1'",
        "401, HTTP_4XX, Incorrect API key provided",
        "429, HTTP_429, 'Too many tokens per minute: the limit is the maximum context length of your plan times 10'",
        "413, CONTEXT_LENGTH, 'prompt is too long: 210000 tokens > 200000 maximum'",
        "503, HTTP_5XX, 'the input is longer than the model context length, and the worker crashed'"})
    void httpErrorsAreClassifiedWithTheServersMessageAndType(int status, ErrorClass expected, String message) throws IOException {
        CallResult r = call((socket, out) -> ScriptedServer.full(out, status, "application/json",
                "{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\"}}"));
        assertEquals(expected, r.error());
        assertEquals(status, r.status());
        assertEquals("HTTP " + status + ": x: " + message, r.errorDetail(), "the type is kept: a refusal is often told by it");
        assertEquals(-1, r.firstTokenNanos());
        assertEquals(Usage.NONE, r.usage());
    }

    @Test
    void theFirstTokenTimeoutFiresWhenOnlyHeadersCome() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
            Thread.sleep(5000);
        });
        CallResult r = client(s.baseUrl(), Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofSeconds(10))
                .send(HELLO, System.nanoTime()).join();
        assertEquals(ErrorClass.TIMEOUT_FIRST_TOKEN, r.error());
        assertTrue(r.e2eNanos() >= 300 * MS && r.e2eNanos() < 800 * MS, "fired at " + r.e2eNanos() / MS + " ms");
        assertTrue(r.headersNanos() > 0);
    }

    @Test
    void theIdleTimeoutCountsTokensNotKeepAlives() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n");
            for (int i = 0; i < 30; i++) {
                Thread.sleep(100);
                ScriptedServer.chunk(out, ": keep-alive\n\n");
            }
        });
        CallResult r = client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofMillis(400), Duration.ofSeconds(10))
                .send(HELLO, System.nanoTime()).join();
        assertEquals(ErrorClass.TIMEOUT_IDLE, r.error());
        assertEquals("ab", r.content());
        long idle = r.e2eNanos() - r.firstTokenNanos();
        assertTrue(idle >= 400 * MS && idle < 900 * MS, "fired " + idle / MS + " ms after the last token");
    }

    @Test
    void theTotalTimeoutEndsAStreamThatNeverEnds() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            for (int i = 0; i < 200; i++) {
                ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n");
                Thread.sleep(50);
            }
        });
        CallResult r = client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(600))
                .send(HELLO, System.nanoTime()).join();
        assertEquals(ErrorClass.TIMEOUT_TOTAL, r.error());
        assertTrue(r.e2eNanos() >= 600 * MS && r.e2eNanos() < 1100 * MS, "fired at " + r.e2eNanos() / MS + " ms");
        assertTrue(r.contentChunks() >= 5, "tokens before the timeout are kept: " + r.contentChunks());
    }

    @Test
    void aRefusedConnectionIsAConnectError() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        CallResult r = client(URI.create("http://127.0.0.1:" + port + "/v1"), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10))
                .send(HELLO, System.nanoTime()).join();
        assertEquals(ErrorClass.CONNECT_ERROR, r.error());
        assertEquals(0, r.status());
    }

    @Test
    void aServerThatNeverAcceptsHitsTheConnectTimeout() throws IOException {
        // A listening socket that never accepts: once its backlog is full, the kernel drops new SYNs.
        ServerSocket deaf = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(deaf);
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            try {
                s.connect(deaf.getLocalSocketAddress(), 200);
                fillers.add(s);
            } catch (IOException e) {
                s.close();
                break; // backlog full
            }
        }
        fillers.forEach(s -> open.add(s));
        ModelClient c = ModelClient.openAi(ClientConfig.builder(URI.create("http://127.0.0.1:" + deaf.getLocalPort() + "/v1"))
                .connectTimeout(Duration.ofMillis(300)).build(), itl);
        open.add(c);
        CallResult r = c.send(HELLO, System.nanoTime()).join();
        assertEquals(ErrorClass.TIMEOUT_CONNECT, r.error(), r.errorDetail());
        assertTrue(r.e2eNanos() >= 300 * MS && r.e2eNanos() < 2000 * MS, "after " + r.e2eNanos() / MS + " ms");
    }

    @Test
    void aMalformedChunkEndsTheCall() throws IOException {
        CallResult r = call((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\n\n");
            Thread.sleep(3000);
        });
        assertEquals(ErrorClass.STREAM_MALFORMED, r.error());
        assertTrue(r.errorDetail().startsWith("bad JSON in event"), r.errorDetail());
        assertTrue(r.e2eNanos() < 2000 * MS, "aborted at once, not at the server's leisure");
    }

    @Test
    void aStreamThatEndsWithoutDoneIsTruncated() throws IOException {
        CallResult r = call((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
            ScriptedServer.end(out);
        });
        assertEquals(ErrorClass.STREAM_TRUNCATED, r.error());
        assertEquals("a", r.content());
    }

    @Test
    void aConnectionResetMidStreamIsAReset() throws IOException {
        CallResult r = call((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
            socket.setSoLinger(true, 0);
            socket.close(); // RST
        });
        assertEquals(ErrorClass.STREAM_RESET, r.error());
        assertEquals(1, r.contentChunks());
    }

    @Test
    void aRequestIsNeverReplayedWhenTheConnectionDies() throws Exception {
        ScriptedServer s = server((socket, out) -> socket.close());
        ModelClient c = client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10));
        CallResult r = c.send(HELLO, System.nanoTime()).join();
        assertEquals(ErrorClass.STREAM_RESET, r.error());
        // A replay is sent before the call fails, so it reaches the server before a call sent after that failure has
        // ended: the server has then seen exactly those two, and no third.
        CallResult next = c.send(HELLO, System.nanoTime()).join();
        assertEquals(ErrorClass.STREAM_RESET, next.error());
        assertEquals(2, s.requests(), "async-http-client's silent retry must be off: a replayed POST is billed twice");
    }

    @Test
    void aStreamThatIsNotAnEventStreamIsMalformed() throws IOException {
        CallResult r = call((socket, out) -> ScriptedServer.full(out, 200, "text/html", "<html>proxy login</html>"));
        assertEquals(ErrorClass.STREAM_MALFORMED, r.error());
        assertTrue(r.errorDetail().contains("text/html"));
    }

    @Test
    void aServerThatIgnoresStreamingIsStillMeasured() throws IOException {
        CallResult r = call((socket, out) -> ScriptedServer.full(out, 200, "application/json",
                "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello there\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2}}"));
        assertEquals(ErrorClass.OK, r.error());
        assertEquals("Hello there", r.content());
        assertEquals(new Usage(12, 2, 0, 0, Usage.Source.SERVER), r.usage());
        assertEquals(r.e2eNanos(), r.firstTokenNanos(), "the whole reply arrives at once");
        assertNull(r.errorDetail());
    }

    @Test
    void reasoningAndToolCallDeltasCountAsTokens() throws IOException {
        CallResult r = call((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"think\"}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                    + "\"type\":\"function\",\"function\":{\"name\":\"ls\",\"arguments\":\"\"}}]}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
            ScriptedServer.chunk(out, "data: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        assertEquals(ErrorClass.OK, r.error());
        assertEquals(2, r.contentChunks(), "reasoning and a tool-call fragment count; role and empty deltas do not");
        assertEquals("", r.content());
        assertEquals("tool_calls", r.finishReason());
        assertEquals(Usage.NONE, r.usage(), "no usage chunk: the caller estimates");
    }

    @Test
    void closingTheClientEndsCallsInFlightInsteadOfLeavingThemHanging() throws Exception {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            Thread.sleep(5000);
        });
        ModelClient c = client(s.baseUrl(), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(60));
        java.util.concurrent.CompletableFuture<CallResult> call = c.send(HELLO, System.nanoTime());
        Thread.sleep(200);
        c.close();
        CallResult r = call.get(2, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(ErrorClass.CLIENT_ERROR, r.error());
        assertEquals("the client was closed while the call was in flight", r.errorDetail());
        assertEquals(ErrorClass.CLIENT_ERROR, c.send(HELLO, System.nanoTime()).get(1, java.util.concurrent.TimeUnit.SECONDS).error(),
                "a closed client refuses new calls at once");
    }

    @Test
    void anErrorEventEndsTheCallAtOnceEvenIfTheServerKeepsTheConnection() throws IOException {
        for (String error : new String[] {
            "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n",
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"}) {
            ScriptedServer s = server((socket, out) -> {
                ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
                ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
                ScriptedServer.chunk(out, error);
                Thread.sleep(5000);
            });
            CallResult r = client(s.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(10))
                    .send(HELLO, System.nanoTime()).join();
            assertEquals(ErrorClass.STREAM_ERROR, r.error(), r.errorDetail());
            assertTrue(r.e2eNanos() < 1000 * MS, "ended at " + r.e2eNanos() / MS + " ms, not at the idle timeout");
        }
    }

    @Test
    void doneEndsTheCallEvenIfTheServerKeepsTheResponseOpen() throws IOException {
        CallResult r = call((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n");
            Thread.sleep(5000);
        });
        assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
        assertEquals(5, r.usage().promptTokens());
        assertTrue(r.e2eNanos() < 1000 * MS, "ended at [DONE], after " + r.e2eNanos() / MS + " ms");
    }

    @Test
    void contentAsAnArrayOfPartsIsReadNotMisparsed() throws IOException {
        CallResult r = call((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"thinking\",\"thinking\":\"hmm\"}]}}]}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n");
            ScriptedServer.chunk(out, "data: {\"choices\":[null, 7]}\n\ndata: [DONE]\n\n");
            ScriptedServer.end(out);
        });
        assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
        assertEquals(2, r.contentChunks());
        assertEquals("Hi", r.content());
        assertEquals("stop", r.finishReason(), "fields after the array are still read");
        assertEquals(3, r.usage().promptTokens());
    }

    @Test
    void aCallerThatGivesUpEndsTheStream() throws Exception {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            Thread.sleep(5000);
        });
        java.util.concurrent.CompletableFuture<CallResult> call = client(s.baseUrl(), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(60))
                .send(HELLO, System.nanoTime());
        Thread.sleep(200);
        call.cancel(false);
        long deadline = System.nanoTime() + 3000 * MS;
        while (s.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, s.openConnections(), "the abandoned stream's connection is closed");
    }
}
