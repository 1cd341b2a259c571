package io.soaklab.load;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallFlag;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.scenario.Scenario;
import io.soaklab.internal.text.TokenEstimator;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A call's usage held to what soaklab sent and received: estimates count everything, truncation is noticed, failures are not billed on guesses. */
class UsageCheckTest {

    private static final TokenEstimator TOKENS = TokenEstimator.forModel("gpt-5");
    private static final ToolSpec READ = new ToolSpec("read_file", "Reads a file of the repository and returns its text.",
            "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}},\"required\":[\"path\"]}");

    @TempDir
    Path dir;

    private static CallResult result(ErrorClass error, Usage usage, String content, String reasoning, List<ToolCall> calls) {
        return new CallResult(System.nanoTime(), 0, -1, 1, 2, 3, error == ErrorClass.OK ? 200 : 0, error, error == ErrorClass.OK ? null : "x",
                usage, content, 3, 0, 0, error == ErrorClass.OK ? "stop" : null, null, calls, -1, null, -1, reasoning, 300, -1, Set.of());
    }

    @Test
    void anEstimateCountsToolDefinitionsToolCallsAndReasoningNotJustText() {
        ToolCall earlier = new ToolCall("call_1", "read_file", "{\"path\":\"src/main/java/io/soaklab/protocol/StreamCall.java\"}");
        ChatRequest request = new ChatRequest(List.of(Message.system("You are a careful coding agent."), Message.user("Fix the failing test."),
                Message.assistant("", List.of(earlier)), Message.toolResult("call_1", "class StreamCall { }", false)), 300,
                List.of(READ), ChatRequest.ToolChoice.AUTO, false);
        ToolCall next = new ToolCall("call_2", "read_file", "{\"path\":\"src/test/java/io/soaklab/protocol/HostileServerTest.java\"}");
        CallResult r = new UsageCheck(TOKENS).check(request, result(ErrorClass.OK, Usage.NONE, "Looking at the test.", "The test fails because", List.of(next)));

        long messages = TokenEstimator.TOKENS_PER_REQUEST + 4L * TokenEstimator.TOKENS_PER_MESSAGE + TOKENS.tokens("You are a careful coding agent.")
                + TOKENS.tokens("Fix the failing test.") + TOKENS.tokens("class StreamCall { }");
        long toolCall = UsageCheck.TOKENS_PER_TOOL_CALL + TOKENS.tokens("read_file") + TOKENS.tokens(earlier.arguments());
        long tool = UsageCheck.TOKENS_PER_TOOL + TOKENS.tokens(READ.name()) + TOKENS.tokens(READ.description()) + TOKENS.tokens(READ.schema());
        assertEquals(Usage.Source.ESTIMATED, r.usage().source());
        assertEquals(messages + toolCall + tool, r.usage().promptTokens(), "message text, the earlier tool call and the tool's definition");
        long reasoning = TOKENS.tokens("The test fails because");
        assertEquals(reasoning, r.usage().reasoningTokens());
        assertEquals(TOKENS.tokens("Looking at the test.") + reasoning + UsageCheck.TOKENS_PER_TOOL_CALL + TOKENS.tokens("read_file")
                + TOKENS.tokens(next.arguments()), r.usage().completionTokens(), "text, reasoning and the tool call it made");
        assertTrue(r.usage().promptTokens() > messages + 40, "the tool definition alone is tens of tokens a text-only count would miss");
    }

    @Test
    void aFailedCallIsNeverGivenAnEstimate() {
        CallResult cut = result(ErrorClass.STREAM_ERROR, Usage.NONE, "half a reply", "", List.of(new ToolCall("call_9", "read_file", "{}")));
        CallResult checked = new UsageCheck(TOKENS).check(new ChatRequest(List.of(Message.user("go")), 300), cut);
        assertSame(cut, checked, "the server reported nothing and cut the call off: nothing is billed on a guess");
        assertEquals(Usage.NONE, checked.usage());
    }

    @Test
    void aServerThatCountsFarLessPromptThanWasSentTruncatedIt() {
        String document = io.soaklab.internal.text.SyntheticText.words(new java.util.SplittableRandom(5), 4000);
        ChatRequest request = new ChatRequest(List.of(Message.user(document)), 300);
        UsageCheck check = new UsageCheck(TOKENS);
        long sent = check.prompt(request);
        assertTrue(document.length() > UsageCheck.SAMPLED_ABOVE, "long enough to be sampled for the check");
        CallResult honest = check.check(request, result(ErrorClass.OK, new Usage(sent + 40, 10, 0, 0, Usage.Source.SERVER), "a", "", List.of()));
        assertFalse(honest.flagged(CallFlag.PROMPT_TRUNCATED), "a chat template adds tokens, it never halves them");
        assertEquals(sent, honest.promptTokensSent(), sent * 0.05, "three slices, scaled, within 5% of the whole count");
        CallResult cut = check.check(request, result(ErrorClass.OK, new Usage(sent / 10, 10, 0, 0, Usage.Source.SERVER), "a", "", List.of()));
        assertTrue(cut.flagged(CallFlag.PROMPT_TRUNCATED), sent / 10 + " counted of " + sent + " sent");
        CallResult nearHalf = check.check(request, result(ErrorClass.OK, new Usage((long) (sent * 0.6), 10, 0, 0, Usage.Source.SERVER), "a", "", List.of()));
        assertFalse(nearHalf.flagged(CallFlag.PROMPT_TRUNCATED), "above half of soaklab's count: another tokenizer, not truncation");
    }

    @Test
    void aLongMessageSampledForTheCheckCountsCloseToTheWholeWhateverItsText() {
        UsageCheck check = new UsageCheck(TOKENS);
        StringBuilder code = new StringBuilder();
        for (int i = 0; code.length() < 200_000; i++) {
            code.append("    if (window").append(i).append(".calls() > 0 && errors[").append(i % 7).append("] >= 3) { flagged.add(\"w").append(i)
                    .append("\"); }\n");
        }
        String cjk = "長い文脈を使う問い合わせの試験です。".repeat(4_000);
        for (String text : new String[] {code.toString(), cjk, io.soaklab.internal.text.SyntheticText.words(new java.util.SplittableRandom(9), 30_000)}) {
            ChatRequest request = new ChatRequest(List.of(Message.user(text)), 10);
            long whole = check.prompt(request);
            long sampled = check.quickPrompt(request);
            assertEquals(whole, sampled, whole * 0.1, "sampled within 10% of " + whole + " for " + text.substring(0, 20));
        }
    }

    @Test
    void countsAreRememberedAcrossEpisodesWithinABoundOfText() {
        UsageCheck check = new UsageCheck(TOKENS);
        Message system = Message.system("You are a careful coding agent.");
        ChatRequest first = new ChatRequest(List.of(system, Message.user("Fix the failing test.")), 10, List.of(READ), ChatRequest.ToolChoice.AUTO, false);
        long counted = check.prompt(first);
        assertEquals(3, check.remembered(), "system prompt, user message and tool counted once each");
        assertEquals(counted, check.prompt(new ChatRequest(List.of(Message.system(new String("You are a careful coding agent.")),
                Message.user("Fix the failing test.")), 10, List.of(READ), ChatRequest.ToolChoice.AUTO, false)), "an equal request of another episode counts the same");
        assertEquals(3, check.remembered(), "and adds nothing to remember");

        String page = "x".repeat(4_000);
        int pages = (int) (3 * UsageCheck.REMEMBERED_CHARS / page.length());
        int most = 0;
        for (int i = 0; i < pages; i++) {
            check.prompt(new ChatRequest(List.of(Message.user(i + page)), 10));
            most = Math.max(most, check.remembered());
        }
        assertTrue(most <= UsageCheck.REMEMBERED_CHARS / page.length() + 4, most + " counts remembered at most, for " + pages + " distinct pages");
        assertEquals(counted, check.prompt(first), "a count forgotten is counted again, the same");
    }

    @Test
    void aTruncatedPromptIsFlaggedOnItsLineWithBothCounts() throws Exception {
        Scenario one = Lab.code("one", episode -> episode.call(new ChatRequest(List.of(Message.user(
                io.soaklab.internal.text.SyntheticText.words(new java.util.SplittableRandom(1), 3000))), 20)));
        UnaryOperator<ModelClient> truncating = real -> new ModelClient() {
            @Override
            public CompletableFuture<CallResult> send(ChatRequest request, long intended) {
                return real.send(request, intended).thenApply(r -> r.withUsage(new Usage(r.usage().promptTokens() / 20, r.usage().completionTokens(),
                        0, 0, Usage.Source.SERVER))); // the server kept one twentieth of the prompt and said nothing
            }

            @Override
            public void close() {
                real.close();
            }
        };
        List<JsonNode> calls;
        try (Lab lab = new Lab(dir, Lab.fast(5000, 10).build(), one, Resilience.none(), truncating, Api.OPENAI)) {
            lab.runner.run(0, 0, System.nanoTime());
            calls = lab.lines(RunFile.CALLS.fileName());
        }
        JsonNode line = calls.get(0);
        assertEquals("ok", line.get("error").asText());
        assertEquals("prompt_truncated", line.get("flags").get(0).asText());
        long sent = line.get("prompt_tokens_sent").asLong();
        assertTrue(sent > 3000 && line.get("prompt_tokens").asLong() * 10 < sent, line.toString());
    }

    @Test
    void aCallCutOffMidStreamIsRecordedWithoutUsageAndCostsNothing() throws Exception {
        // a server that streams text and a whole tool call, then an error object, as OpenAI documents a mid-stream failure
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Reading the file.\"}}]}\n\n"
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"a.txt\\\"}\"}}]}}]}\n\n"
                    + "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}\n\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            exchange.close();
        });
        server.start();
        Path run = dir.resolve("cut");
        java.nio.file.Files.createDirectories(run);
        io.soaklab.internal.cost.Tariff tariff = io.soaklab.internal.cost.PriceCatalog.builtIn().tariff("gpt-5.4-mini", io.soaklab.internal.cost.Billing.STANDARD);
        Scenario one = Lab.code("one", episode -> episode.call(new ChatRequest(List.of(Message.user("Read a.txt")), 100, List.of(READ),
                ChatRequest.ToolChoice.AUTO, false)));
        List<JsonNode> lines = new java.util.ArrayList<>();
        try (io.soaklab.internal.record.RunRecorder recorder = io.soaklab.internal.record.RunRecorder.open(run, io.soaklab.internal.record.TimeBase.now(), tariff);
             ModelClient client = ModelClient.openAi(io.soaklab.protocol.ClientConfig.builder(
                     java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1")).model("gpt-5.4-mini").build(), recorder.itl());
             EpisodeRunner runner = new EpisodeRunner(one, client, recorder, Resilience.none(), 1, java.time.Duration.ofSeconds(30))) {
            recorder.beginWindow(false);
            runner.run(0, 0, System.nanoTime());
            recorder.endWindow();
        } finally {
            server.stop(0);
        }
        for (String line : java.nio.file.Files.readAllLines(run.resolve(RunFile.CALLS.fileName()))) {
            lines.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
        }
        JsonNode call = lines.get(0);
        assertEquals("stream_error", call.get("error").asText());
        assertEquals(2, call.get("chunks").asInt(), "it streamed text and a tool call before the error");
        assertEquals(1, call.get("tool_calls").asInt());
        assertEquals("none", call.get("usage").asText(), "the server reported no usage, and soaklab guesses none for a failed call");
        assertEquals(0, call.get("completion_tokens").asLong());
        assertEquals(0, call.get("cost_usd").decimalValue().signum(), "nothing billed on a guess");
    }
}
