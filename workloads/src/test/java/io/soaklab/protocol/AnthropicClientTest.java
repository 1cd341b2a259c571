package io.soaklab.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Anthropic Messages client against real sockets. */
class AnthropicClientTest {

    private static final ChatRequest REQUEST = new ChatRequest(List.of(
            Message.system("You are terse."), Message.system("Answer in English."),
            Message.user("What is the weather?")), 100);
    private static final long MS = 1_000_000;

    private final Recorder itl = new Recorder(3);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    static byte[] fixture() throws IOException {
        try (InputStream in = AnthropicClientTest.class.getResourceAsStream("anthropic-stream.txt")) {
            return in.readAllBytes();
        }
    }

    private ScriptedServer server(ScriptedServer.Script script) throws IOException {
        ScriptedServer s = new ScriptedServer(script);
        open.add(s);
        return s;
    }

    private CallResult call(ScriptedServer s) {
        return call(s, REQUEST);
    }

    private CallResult call(ScriptedServer s, ChatRequest request) {
        ModelClient c = ModelClient.anthropic(ClientConfig.builder(s.baseUrl()).model("claude-test").apiKey("sk-ant-not-real")
                .firstTokenTimeout(Duration.ofSeconds(5)).idleTimeout(Duration.ofSeconds(2)).totalTimeout(Duration.ofSeconds(10)).build(), itl);
        open.add(c);
        return c.send(request, System.nanoTime()).join();
    }

    @Test
    void readsTheStreamWhateverTheChunkingAndMapsUsageToOneAccounting() throws IOException {
        byte[] stream = fixture();
        for (int size : new int[] {1, 13, 200, stream.length}) {
            itl.reset();
            ScriptedServer s = server((socket, out) -> {
                ScriptedServer.write(out, ScriptedServer.SSE_HEADERS.replace("Connection: close", "request-id: req_011CUZ7k\r\nConnection: close"));
                for (int from = 0; from < stream.length; from += size) {
                    ScriptedServer.chunk(out, stream, from, Math.min(stream.length, from + size));
                }
                ScriptedServer.end(out);
            });
            CallResult r = call(s);
            assertEquals(ErrorClass.OK, r.error(), "chunks of " + size + ": " + r.errorDetail());
            assertEquals("Hello, café ☕ 日本語", r.content());
            assertEquals(7, r.contentChunks(), "thinking, three text deltas, the tool_use start, two JSON fragments");
            assertEquals(new Usage(25 + 2048 + 4096, 89, 4096, 0, 2048, 1024, Usage.Source.SERVER), r.usage());
            assertEquals(25, r.usage().freshInputTokens());
            assertEquals("tool_use", r.finishReason());
            assertEquals("req_011CUZ7k", r.requestId());
            assertEquals(6, itl.getIntervalHistogram().getTotalCount());
        }
    }

    @Test
    void sendsTheMessagesShapeWithItsHeaders() throws IOException {
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 500, "application/json", "{}"));
        call(s);
        assertEquals("{\"model\":\"claude-test\",\"max_tokens\":100,\"system\":\"You are terse.\\n\\nAnswer in English.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather?\"}],\"stream\":true}", s.bodies().get(0));
        String head = s.heads().get(0).toLowerCase();
        assertTrue(head.startsWith("post /v1/messages http/1.1"), head);
        assertTrue(head.contains("x-api-key: sk-ant-not-real"), head);
        assertTrue(head.contains("anthropic-version: 2023-06-01"), head);
        assertTrue(!head.contains("authorization:"), head);
    }

    @Test
    void anHourLongCacheGoesOnTheSystemBreakpointBeforeTheLastTurnsFiveMinuteOneAndThinkingCarriesItsBudget() throws IOException {
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 500, "application/json", "{}"));
        call(s, new ChatRequest(List.of(Message.system("You are terse."), Message.user("What is the weather?")), 2048, List.of(),
                ChatRequest.ToolChoice.AUTO, true, ChatRequest.CacheTtl.ONE_HOUR, ChatRequest.Reasoning.thinking(1024)));
        assertEquals("{\"model\":\"claude-test\",\"max_tokens\":2048,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
                + "\"system\":[{\"type\":\"text\",\"text\":\"You are terse.\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is the weather?\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}]}],\"stream\":true}", s.bodies().get(0));
    }

    @Test
    void aReasoningEffortIsRefusedBeforeAnythingIsSent() throws IOException {
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 500, "application/json", "{}"));
        CallResult r = call(s, new ChatRequest(REQUEST.messages(), 100, List.of(), ChatRequest.ToolChoice.AUTO, false,
                ChatRequest.CacheTtl.FIVE_MINUTES, ChatRequest.Reasoning.effort(ChatRequest.Effort.HIGH)));
        assertEquals(ErrorClass.CLIENT_ERROR, r.error());
        assertEquals("cannot encode request: java.lang.IllegalArgumentException: a reasoning effort is OpenAI's: an Anthropic request asks"
                + " for a thinking budget", r.errorDetail());
        assertTrue(s.bodies().isEmpty(), "nothing reached the server");
    }

    @Test
    void anOverloadedErrorMidStreamIsAStreamErrorAndEndsTheCall() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n");
            ScriptedServer.chunk(out, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n");
            ScriptedServer.chunk(out, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
            Thread.sleep(5000);
        });
        CallResult r = call(s);
        assertEquals(ErrorClass.STREAM_ERROR, r.error());
        assertEquals("error in stream: overloaded_error: Overloaded", r.errorDetail());
        assertTrue(r.e2eNanos() < 1000 * MS, "ended at once, not at the idle timeout");
        assertEquals(10, r.usage().promptTokens(), "what was reported before the error is kept");
    }

    @Test
    void anOverloadedStatusIs529() throws IOException {
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 529, "application/json",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        CallResult r = call(s);
        assertEquals(ErrorClass.HTTP_529, r.error());
        assertEquals("HTTP 529: overloaded_error: Overloaded", r.errorDetail());
    }

    @Test
    void aWholeReplyIsReadWhenTheServerDoesNotStream() throws IOException {
        ScriptedServer s = server((socket, out) -> ScriptedServer.full(out, 200, "application/json",
                "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Sunny.\"}],"
                        + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":0,\"output_tokens\":3}}"));
        CallResult r = call(s);
        assertEquals(ErrorClass.OK, r.error(), r.errorDetail());
        assertEquals("Sunny.", r.content());
        assertEquals("end_turn", r.finishReason());
        assertEquals(new Usage(12, 3, 0, 0, Usage.Source.SERVER), r.usage());
        assertNull(r.errorDetail());
        assertEquals(r.e2eNanos(), r.firstTokenNanos());
    }

    @Test
    void aStreamWithoutMessageStopIsTruncated() throws IOException {
        ScriptedServer s = server((socket, out) -> {
            ScriptedServer.write(out, ScriptedServer.SSE_HEADERS);
            ScriptedServer.chunk(out, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n");
            ScriptedServer.end(out);
        });
        assertEquals(ErrorClass.STREAM_TRUNCATED, call(s).error());
    }

    @Test
    void theApiIsChosenByName() {
        assertEquals(Api.ANTHROPIC, Api.of("Anthropic"));
        assertEquals("unknown API 'grpc': use openai or anthropic",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Api.of("grpc")).getMessage());
        try (ModelClient c = ModelClient.of(Api.ANTHROPIC, ClientConfig.builder(URI.create("http://127.0.0.1:9/v1")).build(), itl)) {
            assertTrue(c instanceof AnthropicClient);
        }
    }
}
