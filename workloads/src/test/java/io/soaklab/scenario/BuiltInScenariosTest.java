package io.soaklab.scenario;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.run.Soak;
import io.soaklab.sim.SimProfiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every built-in scenario soaks for 60 s against its own embedded endpoint (the default profile),
 * all six at once, through the same {@link Soak} a real run uses; then each one's episodes are
 * checked against what the scenario says it does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuiltInScenariosTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Integer> USERS = Map.of("coding-agent", 4, "agent-team", 3, "tool-failure-recovery", 4,
            "long-context-probe", 4, "session-resume", 4, "chat-support", 6);

    @TempDir
    static Path dir;

    @BeforeAll
    void soakEveryScenarioForSixtySeconds() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(USERS.size());
        List<Future<?>> runs = new ArrayList<>();
        for (String name : Scenarios.names()) {
            runs.add(pool.submit(() -> {
                soak(name);
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get();
        }
        pool.shutdown();
    }

    private void soak(String name) throws Exception {
        RunConfig config = RunConfig.builder().scenario(name).concurrency(USERS.get(name)).window(Duration.ofSeconds(10))
                .duration(Duration.ofSeconds(60)).seed(3).sim(SimProfiles.get("default").seed(3).build()).build();
        Path run = dir.resolve(name);
        Soak.prepare(run, config, null);
        try (Soak soak = Soak.open(run, false)) {
            soak.start();
            for (int w = 0; w < config.schedule().windows(); w++) {
                soak.beginWindow(false);
                Thread.sleep(config.schedule().window().toMillis());
                soak.endWindow();
            }
        }
    }

    private List<JsonNode> lines(String scenario, String file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(scenario).resolve(file))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static double sum(List<JsonNode> episodes, String metric) {
        return episodes.stream().mapToDouble(e -> e.path("metrics").path(metric).asDouble(0)).sum();
    }

    /** Checks what every scenario's run must show, and returns its episodes. */
    private List<JsonNode> episodes(String scenario, int atLeast) throws IOException {
        assertEquals(RunStatus.COMPLETE, RunManifest.read(dir.resolve(scenario)).status());
        List<JsonNode> episodes = lines(scenario, RunFile.EPISODES.fileName());
        assertTrue(episodes.size() >= atLeast, scenario + ": " + episodes.size() + " episodes in 60 s");
        for (JsonNode e : episodes) {
            assertEquals(scenario, e.get("scenario").asText());
            assertTrue(e.get("calls").asInt() >= 1 && e.get("tokens").get("prompt").asLong() > 0, e.toString());
            assertTrue(e.get("duration_us").asLong() > 0);
        }
        List<JsonNode> calls = lines(scenario, RunFile.CALLS.fileName());
        assertTrue(calls.stream().allMatch(c -> c.get("error").asText().equals("ok") || c.get("error").asText().equals("open")),
                scenario + ": the default profile injects no faults");
        int lastWindow = calls.stream().mapToInt(c -> c.get("window").asInt()).max().orElse(0);
        assertTrue(calls.stream().filter(c -> c.get("error").asText().equals("open")).allMatch(c -> c.get("window").asInt() == lastWindow
                && c.get("e2e_us").asLong() > 0), scenario + ": the calls still open when the run ended are on record in its last window, with their age");
        return episodes;
    }

    @Test
    void codingAgentWorksInToolStepsWithGrowingContext() throws IOException {
        List<JsonNode> episodes = episodes("coding-agent", 6);
        assertTrue(episodes.stream().allMatch(e -> e.get("ok").asBoolean() || e.get("reason").asText().startsWith("tool_failure")));
        for (JsonNode e : episodes) {
            int calls = e.get("calls").asInt();
            assertTrue(calls >= 4 && calls <= 12 + 12 + 2, "4-12 planned steps, plus calls caused by failed tests and compaction: " + e);
            int compactionCalls = e.path("metrics").path("compaction_calls").asInt(0);
            assertEquals(calls - 1 - compactionCalls, e.get("metrics").get("tool_calls").asInt(),
                    "every call but the answer called a tool: " + e);
        }
        List<JsonNode> calls = lines("coding-agent", RunFile.CALLS.fileName());
        assertTrue(calls.stream().filter(c -> c.has("tool_calls")).allMatch(c -> c.get("ttft_tool_us").asLong() > 0),
                "time to first tool call is measured");
        assertTrue(calls.stream().anyMatch(c -> c.get("cached_tokens").asLong() > 0), "the shared system prompt is served from cache");
    }

    @Test
    void agentTeamFansOutAndRecordsRolesAndTheCriticalPath() throws IOException {
        List<JsonNode> episodes = episodes("agent-team", 3);
        assertTrue(episodes.stream().allMatch(e -> e.get("ok").asBoolean()));
        for (JsonNode e : episodes) {
            Set<String> roles = new java.util.HashSet<>();
            e.get("roles").fieldNames().forEachRemaining(roles::add);
            assertTrue(roles.contains("coordinator"), e.toString());
            assertEquals(2, e.get("roles").get("coordinator").get("calls").asInt(), "plan and merge");
            int specialists = e.get("metrics").get("specialists").asInt();
            assertTrue(specialists >= 2 && specialists <= 4);
            assertTrue(Set.of("coordinator", "researcher", "coder", "reviewer", "researcher-2").containsAll(roles), roles.toString());
            assertEquals(specialists + 1, roles.size(), "each specialist has a role of its own (a fourth is researcher-2)");
            double path = e.get("metrics").get("plan_ms").asDouble() + e.get("metrics").get("parallel_ms").asDouble()
                    + e.get("metrics").get("merge_ms").asDouble();
            assertEquals(e.get("duration_us").asLong() / 1000.0, path, 5, "the episode lasts its critical path");
        }
        List<JsonNode> paths = lines("agent-team", RunFile.EVENTS.fileName()).stream()
                .filter(ev -> ev.get("type").asText().equals("critical_path")).toList();
        assertTrue(paths.size() >= episodes.size());
        assertTrue(paths.stream().allMatch(p -> p.get("slowest_ms").asLong() <= p.get("parallel_ms").asLong() + 1));
    }

    @Test
    void toolFailureRecoveryRetriesFallsBackAndMostlyRecovers() throws IOException {
        List<JsonNode> episodes = episodes("tool-failure-recovery", 6);
        double failures = sum(episodes, "tool_failures") + sum(episodes, "tool_timeouts");
        assertTrue(failures >= 3, "8% failures and 4% timeouts of http_get, cascading: " + failures);
        assertTrue(sum(episodes, "tool_retries") >= 1, "a failed tool is rerun once");
        double hit = sum(episodes, "tool_failure_episodes");
        double recovered = sum(episodes, "recovered");
        assertTrue(hit >= 1 && recovered <= hit);
        assertEquals(episodes.stream().filter(e -> e.get("ok").asBoolean() && e.path("metrics").has("tool_failure_episodes")).count(),
                (long) recovered, "an episode that met a failure and succeeded recovered");
        List<JsonNode> events = lines("tool-failure-recovery", RunFile.EVENTS.fileName());
        Set<String> actions = events.stream().filter(e -> e.get("type").asText().equals("tool_failure"))
                .map(e -> e.get("action").asText().replaceAll(":.*", "")).collect(Collectors.toSet());
        assertTrue(actions.contains("retry"), actions.toString());
    }

    @Test
    void longContextProbeAsksForPlantedFactsAndChecksTheAnswers() throws IOException {
        List<JsonNode> episodes = episodes("long-context-probe", 8);
        List<JsonNode> probes = lines("long-context-probe", RunFile.EVENTS.fileName()).stream()
                .filter(e -> e.get("type").asText().equals("probe")).toList();
        assertTrue(probes.size() >= 2 * episodes.size(), "two questions an episode");
        Set<Integer> lengths = probes.stream().map(p -> p.get("planned_tokens").asInt()).collect(Collectors.toSet());
        assertTrue(Set.of(2000, 8000, 32000, 64000).containsAll(lengths) && lengths.size() >= 3, lengths.toString());
        for (JsonNode p : probes) {
            assertEquals(p.get("expected").asText().equals(p.get("answer").asText()), p.get("exact").asBoolean());
            assertTrue(p.get("context_tokens").asLong() >= p.get("planned_tokens").asLong(), "the prompt holds the document: " + p);
            double depth = p.get("depth").asDouble();
            assertTrue(depth >= 0 && depth <= 1);
        }
        long exact = probes.stream().filter(p -> p.get("exact").asBoolean()).count();
        assertTrue(exact > 0 && exact < probes.size(), "the default endpoint answers most, not all: " + exact + " of " + probes.size());
        assertEquals(episodes.stream().filter(e -> e.get("ok").asBoolean()).count(), episodes.stream()
                .filter(e -> e.get("metrics").get("probe_exact").asInt() == e.get("metrics").get("probe_questions").asInt()).count(),
                "an episode succeeds when every answer was exact");
    }

    @Test
    void sessionResumeCarriesMemoryOrTheFullHistory() throws IOException {
        List<JsonNode> episodes = episodes("session-resume", 2);
        assertTrue(episodes.stream().allMatch(e -> e.get("ok").asBoolean()));
        List<JsonNode> resumes = lines("session-resume", RunFile.EVENTS.fileName()).stream()
                .filter(e -> e.get("type").asText().equals("resume")).toList();
        double memory = resumes.stream().filter(r -> r.get("arm").asText().equals("memory")).mapToLong(r -> r.get("carried_tokens").asLong())
                .average().orElse(-1);
        double full = resumes.stream().filter(r -> r.get("arm").asText().equals("full")).mapToLong(r -> r.get("carried_tokens").asLong())
                .average().orElse(-1);
        assertTrue(memory > 0 && memory <= 500 + 10, "a memory of at most 500 tokens: " + memory);
        assertTrue(full > 2 * memory, "the full history is larger: " + full + " vs " + memory);
        List<JsonNode> calls = lines("session-resume", RunFile.CALLS.fileName());
        assertEquals(Set.of("memory", "full"), calls.stream().map(c -> c.get("role").asText()).collect(Collectors.toSet()),
                "calls are recorded under their arm");
    }

    @Test
    void chatSupportIsShortTurnsWithoutTools() throws IOException {
        List<JsonNode> episodes = episodes("chat-support", 15);
        assertTrue(episodes.stream().allMatch(e -> e.get("ok").asBoolean() && e.get("calls").asInt() >= 1 && e.get("calls").asInt() <= 4));
        assertTrue(lines("chat-support", RunFile.CALLS.fileName()).stream().noneMatch(c -> c.has("tool_calls")));
    }
}
