package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soaklab run --trace-file}: the run folder holds its episodes' traces, and what became of them. */
class TraceRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aRunWithTraceFileKeepsEachFinishedEpisodeAsOneTrace() throws Exception {
        Path scenario = Files.writeString(tmp.resolve("one-turn.yaml"), "name: one-turn\ndescription: one quick turn\nkind: chat\n"
                + "system_prompt_tokens: 20\nmax_tokens: 16\nchat: {turns: {min: 2, max: 2}, user_tokens: 10}\n");
        Path dir = tmp.resolve("run");
        SoakLabTest.Result r = SoakLabTest.run("run", "--forks", "0", "--scenario", scenario.toString(), "--concurrency", "2",
                "--duration", "2s", "--window", "1s", "--price-as", "none", "--sim-output-tokens", "8", "--sim-decode-tps", "2000",
                "--trace-file", "--out", dir.toString());
        assertEquals(0, r.code(), r.out() + r.err());

        JsonNode summary = JSON.readTree(dir.resolve("trace-export.json").toFile());
        long episodes = Files.readAllLines(dir.resolve("episodes.jsonl")).size();
        assertEquals(episodes, summary.get("episodes_traced").asLong(), "every episode on record is traced: " + summary);
        JsonNode file = summary.get("destinations").get(0);
        assertEquals("traces.jsonl", file.get("to").asText());
        assertEquals(file.get("spans").asLong(), file.get("sent").asLong());
        assertEquals(0, file.get("dropped_spans").asLong());

        Set<String> traces = new HashSet<>();
        long spans = 0;
        for (String line : Files.readAllLines(dir.resolve("traces.jsonl"))) {
            for (JsonNode rs : JSON.readTree(line).get("resourceSpans")) {
                for (JsonNode ss : rs.get("scopeSpans")) {
                    for (JsonNode s : ss.get("spans")) {
                        traces.add(s.get("traceId").asText());
                        spans++;
                    }
                }
            }
        }
        assertEquals(episodes, traces.size(), "one trace per episode");
        assertEquals(episodes * 3, spans, "a chat of two turns: its agent and two chat spans (no retries, no tools)");
        // traced at all: how many episodes two users finish in two seconds is the machine's business (a busy one, a cold JIT)
        assertTrue(episodes >= 1, "an episode on record: " + episodes);
    }
}
