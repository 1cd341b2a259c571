package io.soaklab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.text.TokenEstimator;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a trace: its format, its damaged lines, its timing options, and a Mooncake prompt's length on real tokenizers. */
class ReplayTracesTest {

    @TempDir
    Path dir;

    private Path copyWith(Path example, int atLine, String inserted) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(example));
        lines.add(atLine - 1, inserted);
        Path file = dir.resolve("damaged.jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void aDamagedLineIsSkippedWithItsNumberAndWhyAndTheRestIsReplayed() throws IOException {
        String cut = Files.readAllLines(ReplayTest.MOONCAKE).get(3).substring(0, 40); // a line cut short, as by a full disk
        Path file = copyWith(ReplayTest.MOONCAKE, 5, cut);
        Files.writeString(file, Files.readString(file) + "{\"timestamp\": 5000, \"input_length\": 600, \"output_length\": 9, \"hash_ids\": [7]}\n"
                + "{\"timestamp\": 5100, \"input_length\": 100, \"output_length\": 0, \"hash_ids\": [8]}\n");
        Trace trace = Trace.read(file);
        assertEquals(TraceFormat.MOONCAKE, trace.format);
        assertEquals(23, trace.lines);
        assertEquals(20, trace.requests(), "the other 20 lines");
        assertEquals(3, trace.skipped.size(), trace.skipped.toString());
        assertTrue(trace.skipped.get(0).startsWith("line 5: not JSON ("), trace.skipped.get(0));
        assertEquals("line 22: input_length 600 needs 2 hash_ids of 512 tokens, there are 1", trace.skipped.get(1));
        assertEquals("line 23: output_length must be a whole number of 1 or more, was 0", trace.skipped.get(2));
        List<ReplayFixtures.Sent> sent = ReplayFixtures.play(Scenarios.of(Scenarios.resolve("replay:" + file)), 20);
        assertEquals(20, sent.size());
        assertEquals(900 + 0L, TokenEstimator.TOKENS_PER_REQUEST + sent.get(3).request().messages().stream()
                .mapToLong(m -> TokenEstimator.TOKENS_PER_MESSAGE + TokenEstimator.forModel(null).tokens(m.content())).sum(),
                "the line after the damaged one is the fourth request: 900 tokens");
    }

    @Test
    void aRequestLogLineWithoutMessagesOrWithABadTimestampIsSkippedTheOthersKeepTheirSessions() throws IOException {
        Path file = copyWith(ReplayTest.OPENAI, 3, "{\"timestamp\": \"yesterday\", \"session_id\": \"support-1\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");
        Files.writeString(file, Files.readString(file) + "{\"timestamp\": \"2026-12-01T09:00:07Z\", \"prompt\": \"completions, not chat\"}\n");
        Trace trace = Trace.read(file);
        assertEquals(TraceFormat.OPENAI, trace.format);
        assertEquals(List.of("line 3: timestamp 'yesterday' is not an ISO-8601 instant (2026-12-01T09:00:00Z) or a number".replace("2026-12-01T09:00:00Z",
                "2026-12-03T00:40:00Z"), "line 11: no chat-completions request: messages is missing (in the line, its body or its request)"),
                trace.skipped);
        assertEquals(List.of(3, 3, 1, 2), trace.sessions.stream().map(s -> s.requests().size()).toList());
        assertEquals(List.of("support-1", "coder-7", "names"), trace.sessions.stream().map(Trace.Session::id).filter(id -> id != null).toList());
    }

    @Test
    void anEmptyMissingOrUselessFileIsOneLineNamingIt() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n  \n");
        assertEquals("replay file " + empty + " is empty",
                assertThrows(IllegalArgumentException.class, () -> Scenarios.resolve("replay:" + empty)).getMessage());
        Path missing = dir.resolve("missing.jsonl");
        assertEquals("replay file " + missing + " does not exist",
                assertThrows(IllegalArgumentException.class, () -> Scenarios.resolve("replay:" + missing)).getMessage());
        Path csv = Files.writeString(dir.resolve("times.csv"), "timestamp,prompt\n1,hello\n");
        assertEquals("replay file " + csv + ": no line is a Mooncake record or a chat-completions request (line 1: not JSON (Unrecognized token"
                        + " 'timestamp': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')))",
                assertThrows(IllegalArgumentException.class, () -> Scenarios.resolve("replay:" + csv)).getMessage());
        assertEquals("--scenario replay:" + ReplayTest.MOONCAKE + "?pace=2: unknown replay option 'pace' (known: speed, from, to, exact, episode)",
                assertThrows(IllegalArgumentException.class, () -> Scenarios.resolve("replay:" + ReplayTest.MOONCAKE + "?pace=2")).getMessage());
        assertEquals("--scenario replay:" + ReplayTest.MOONCAKE + "?speed=0: speed: replay.speed must be a number above 0, or max, was '0'",
                assertThrows(IllegalArgumentException.class, () -> Scenarios.resolve("replay:" + ReplayTest.MOONCAKE + "?speed=0")).getMessage());
    }

    @Test
    void fromAndToCutTheTraceAndSpeedDividesItsTimes() {
        Scenario window = Scenarios.of(Scenarios.resolve("replay:" + ReplayTest.MOONCAKE + "?from=1s&to=2500ms&speed=4"));
        // lines at 1000, 1240, 1500, 1700, 1950, 2200 and 2400 ms: from 1 s on, divided by 4
        assertEquals(List.of(0L, 60_000_000L, 125_000_000L, 175_000_000L, 237_500_000L, 300_000_000L, 350_000_000L),
                Arrays.stream(Scenarios.schedule(window)).boxed().toList());
        List<ReplayFixtures.Sent> sent = ReplayFixtures.play(window, 7);
        assertEquals(2600, sent.get(0).request().maxTokens() == 18 ? 2600 : -1, "the first is the line at 1000 ms (2600 tokens in, 18 out)");
        assertTrue(sent.get(0).request().exactOutput());
        assertNull(Scenarios.schedule(Scenarios.of(Scenarios.resolve("replay:" + ReplayTest.MOONCAKE + "?speed=max"))), "max: no schedule");
        Scenario inexact = Scenarios.of(Scenarios.resolve("replay:" + ReplayTest.MOONCAKE + "?exact=false"));
        assertTrue(!ReplayFixtures.play(inexact, 1).get(0).request().exactOutput());
    }

    @Test
    void atSpeedMaxEachEpisodeTakesTheTracesNextRecordAndStartsAgainAtItsEnd() {
        Scenario max = Scenarios.of(Scenarios.resolve("replay:" + ReplayTest.OPENAI + "?speed=max"));
        List<ReplayFixtures.Sent> sent = ReplayFixtures.play(max, 5);
        assertEquals(List.of(2, 4, 6, 2, 4, 6, 1, 1, 3, 2, 4, 6), sent.stream().map(s -> s.request().messages().size()).toList(),
                "support-1, coder-7, the single request, names, and support-1 again");
        assertTrue(sent.stream().allMatch(s -> s.dueMillis() == 0), "no pauses: back to back");
    }

    /**
     * Each block's text is as many tokens for o200k_base and cl100k_base as for the embedded endpoint: measured over the whole
     * Mooncake example, 20 prompts of 513 to 3600 tokens, the difference is 0 in each of the 88 block messages; with OpenAI's framing rule
     * (3 a request, 4 a message) every prompt is its input_length.
     */
    @Test
    void aMooncakePromptIsItsInputLengthOnO200kAndCl100kToo() throws IOException {
        TokenEstimator o200k = TokenEstimator.forModel("gpt-4o");
        TokenEstimator cl100k = TokenEstimator.forModel("gpt-4");
        assertEquals("o200k_base", o200k.encoding());
        assertEquals("cl100k_base", cl100k.encoding());
        List<ReplayFixtures.Sent> sent = ReplayFixtures.play(Scenarios.of(Scenarios.resolve("replay:" + ReplayTest.MOONCAKE)), 20);
        List<String> lines = Files.readAllLines(ReplayTest.MOONCAKE);
        long messages = 0;
        for (int k = 0; k < sent.size(); k++) {
            ChatRequest request = sent.get(k).request();
            int[] lengths = MooncakePrompt.lengths(Integer.parseInt(lines.get(k).replaceAll(".*\"input_length\": (\\d+).*", "$1")),
                    request.messages().size());
            long prompt = TokenEstimator.TOKENS_PER_REQUEST;
            for (int m = 0; m < lengths.length; m++) {
                Message message = request.messages().get(m);
                assertEquals(lengths[m], o200k.tokens(message.content()), "o200k, request " + k + " message " + m);
                assertEquals(lengths[m], cl100k.tokens(message.content()), "cl100k, request " + k + " message " + m);
                prompt += TokenEstimator.TOKENS_PER_MESSAGE + o200k.tokens(message.content());
                messages++;
            }
            assertTrue(lines.get(k).contains("\"input_length\": " + prompt + ","), "request " + k + ": " + prompt);
        }
        assertEquals(88, messages, "block messages in the 20 prompts");
    }

    @Test
    void anOtlpFileOfOneExportRequestALineIsReadWholeNotAsItsFirstLine() throws Exception {
        // soaklab's own --trace-file writes one export request a line: the example's spans split over two lines
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode doc = json.readTree(ReplayTest.OTLP.toFile());
        com.fasterxml.jackson.databind.node.ArrayNode spans = (com.fasterxml.jackson.databind.node.ArrayNode) doc.at("/resourceSpans/0/scopeSpans/0/spans");
        StringBuilder lines = new StringBuilder();
        for (int half = 0; half < 2; half++) {
            com.fasterxml.jackson.databind.node.ObjectNode part = doc.deepCopy();
            com.fasterxml.jackson.databind.node.ArrayNode mine = ((com.fasterxml.jackson.databind.node.ArrayNode) part.at("/resourceSpans/0/scopeSpans/0/spans"));
            mine.removeAll();
            for (int i = half; i < spans.size(); i += 2) {
                mine.add(spans.get(i));
            }
            lines.append(json.writeValueAsString(part)).append('\n');
        }
        Path file = java.nio.file.Files.writeString(dir.resolve("traces.jsonl"), lines);
        Trace trace = Trace.read(file);
        assertEquals(TraceFormat.OTLP, trace.format);
        assertEquals(6, trace.requests(), "every chat span of both lines");
        assertEquals(3, trace.sessions.size(), "the coordinator's and each specialist's");
        assertEquals(2, trace.lines);
    }
}
