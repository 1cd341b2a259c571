package io.soaklab.internal.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.run.Soak;
import io.soaklab.sim.SimConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's episodes as OpenTelemetry traces, as a collector receives them over OTLP/HTTP and as
 * {@code traces.jsonl} holds them: one trace per episode, its agents, calls and tool runs in a tree
 * that matches {@code calls.jsonl} number for number; a sample that takes whole episodes; and a
 * collector that never answers, which costs the run's schedule nothing and whose undelivered spans
 * are counted.
 */
class TraceExportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SPECIALISTS = Set.of("researcher", "coder", "reviewer");
    private static final Set<String> TOOLS = Set.of("search_docs", "read_file");

    @TempDir
    Path dir;

    /** A span as either encoding gives it: ids hex, times in epoch nanoseconds, attributes as plain values. */
    record S(String traceId, String spanId, String parent, String name, String kind, long start, long end, Map<String, Object> attributes,
             Map<String, Long> events, boolean error) {

        String string(String key) {
            return (String) attributes.get(key);
        }

        long number(String key) {
            Object v = attributes.get(key);
            assertNotNull(v, name + " has " + key);
            return (Long) v;
        }

        boolean overlaps(S other) {
            return start < other.end && other.start < end;
        }
    }

    /** A team of exactly three specialists, two steps each, quick tools; a 503 is retried at once, up to three attempts. */
    private Path team() throws IOException {
        Path file = dir.resolve("trace-team.yaml");
        Files.writeString(file, """
                name: trace-team
                description: a coordinator and three specialists, quick
                kind: team
                system_prompt_tokens: 50
                task_tokens: {min: 10, max: 20}
                max_tokens: 48
                team:
                  specialists: {min: 3, max: 3}
                  roles: [researcher, coder, reviewer]
                  specialist_steps: {min: 2, max: 2}
                  specialist_prompt_tokens: 40
                  plan_tokens: 64
                  merge_tokens: 96
                tools:
                  - name: search_docs
                    description: Search the documentation
                    parameters: {query: string}
                    output_tokens: {median: 20, sigma: 0.2, max: 40}
                    latency: {min: 5ms, max: 20ms}
                  - name: read_file
                    description: Read a file
                    parameters: {path: string}
                    output_tokens: {median: 20, sigma: 0.2, max: 40}
                    latency: {min: 5ms, max: 20ms}
                resilience:
                  max_attempts: 3
                  honor_retry_after: false
                  backoff: {initial: 5ms, max: 10ms}
                  budget: {ratio: 1.0, min_per_second: 100}
                """);
        return file;
    }

    private RunConfig.Builder config(long seed, double http503) throws IOException {
        SimConfig.Faults faults = new SimConfig.Faults(0, 0, http503, 0, 0, 0, 0, Duration.ofSeconds(5), 0, 0, Duration.ofSeconds(3), 0,
                Duration.ZERO, Duration.ZERO);
        return RunConfig.builder().scenario(team().toString()).concurrency(1).window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(1))
                .seed(seed).sim(SimConfig.builder().seed(seed).baseLatency(Duration.ofMillis(3)).decodeTokensPerSecond(5000)
                        .outputTokensMedian(16).faults(faults).build());
    }

    /** Runs {@code episodes} episodes of user 0, one after another, in one measured window; returns the run folder. */
    private Path soak(String name, RunConfig config, int episodes) throws Exception {
        Path run = dir.resolve(name);
        Soak.prepare(run, config, null);
        try (Soak soak = Soak.open(run, false)) {
            soak.beginWindow(false);
            for (int k = 0; k < episodes; k++) {
                soak.runner().run(0, k, System.nanoTime());
            }
            soak.endWindow();
        }
        assertEquals(RunStatus.COMPLETE, RunManifest.read(run).status());
        return run;
    }

    @Test
    void everyEpisodeOfATeamIsOneTraceOfItsAgentsCallsAndToolsMatchingCallsJsonl() throws Exception {
        try (Collector collector = new Collector()) {
            RunConfig config = config(11, 0.2).otlpEndpoint(URI.create("http://127.0.0.1:" + collector.port())).traceFile(true).build();
            Path run = soak("team", config, 4);
            JsonNode summary = JSON.readTree(RunFile.TRACE_EXPORT.in(run).toFile());
            assertEquals(4, summary.get("episodes_traced").asLong());
            assertEquals(2, summary.get("destinations").size(), "the collector and traces.jsonl");
            long spans = summary.get("destinations").get(0).get("spans").asLong();
            for (JsonNode d : summary.get("destinations")) {
                assertEquals(spans, d.get("spans").asLong(), d.toString());
                assertEquals(spans, d.get("sent").asLong(), d.toString());
                assertEquals(0, d.get("dropped_spans").asLong(), d.toString());
                assertEquals(0, d.get("failed").asLong(), d.toString());
            }
            List<S> received = collector.awaitSpans(spans, Duration.ofSeconds(10));
            assertEquals(spans, received.size());
            assertEquals("soaklab", collector.resource.get("service.name"));
            assertEquals(run.getFileName().toString(), collector.resource.get("soaklab.run"));
            assertEquals("trace-team", collector.resource.get("soaklab.scenario"));

            List<S> filed = fromFile(run);
            assertEquals(byId(received), byId(filed), "traces.jsonl holds what the collector received, span for span");

            List<JsonNode> calls = lines(run, RunFile.CALLS);
            Map<String, List<S>> traces = received.stream().collect(Collectors.groupingBy(S::traceId, TreeMap::new, Collectors.toList()));
            assertEquals(4, traces.size(), "one trace per episode");
            int retried = 0;
            for (List<S> trace : traces.values()) {
                retried += checkTeamTrace(trace, calls);
            }
            assertTrue(retried >= 1, "at least one call was retried: the 503s");
        }
    }

    /** Checks one episode's trace against its lines in calls.jsonl; returns how many of its calls were retried. */
    private static int checkTeamTrace(List<S> trace, List<JsonNode> allCalls) {
        List<S> roots = trace.stream().filter(s -> s.parent() == null).toList();
        assertEquals(1, roots.size(), "one root per trace");
        S root = roots.get(0);
        assertEquals("invoke_agent trace-team", root.name());
        assertEquals("invoke_agent", root.string("gen_ai.operation.name"));
        assertEquals("coordinator", root.string("gen_ai.agent.name"), "the main lane is the coordinator");
        long episode = root.number("soaklab.episode");
        List<JsonNode> calls = allCalls.stream().filter(c -> c.get("episode").asLong() == episode).toList();

        List<S> specialists = trace.stream().filter(s -> s.name().startsWith("invoke_agent ") && s != root).toList();
        assertEquals(SPECIALISTS, specialists.stream().map(s -> s.string("gen_ai.agent.name")).collect(Collectors.toSet()));
        for (S s : specialists) {
            assertEquals(root.spanId(), s.parent(), s.name() + " is a child of the coordinator's span, which fanned out");
            assertEquals("invoke_agent " + s.string("gen_ai.agent.name"), s.name());
            assertTrue(root.start() <= s.start() && s.end() <= root.end(), s.name() + " lies within the episode");
            for (S other : specialists) {
                assertTrue(s.overlaps(other), s.name() + " and " + other.name() + " run in parallel");
            }
        }
        Map<String, S> agentByRole = new TreeMap<>();
        specialists.forEach(s -> agentByRole.put(s.string("gen_ai.agent.name"), s));
        agentByRole.put("coordinator", root);

        List<S> chats = trace.stream().filter(s -> s.name().startsWith("chat ")).toList();
        assertEquals(calls.size(), chats.size(), "a chat span per attempt in calls.jsonl, episode " + episode);
        int retried = 0;
        for (S chat : chats) {
            String role = chat.string("soaklab.role");
            long step = chat.number("soaklab.step");
            long attempt = chat.number("soaklab.attempt");
            JsonNode line = calls.stream().filter(c -> c.get("role").asText().equals(role) && c.get("step").asLong() == step
                    && c.get("attempt").asLong() == attempt).findFirst().orElseThrow(() -> new AssertionError("no line for " + chat));
            assertEquals("chat soaklab-sim", chat.name());
            assertEquals("CLIENT", chat.kind());
            assertEquals("chat", chat.string("gen_ai.operation.name"));
            assertEquals("openai", chat.string("gen_ai.provider.name"));
            assertEquals("soaklab-sim", chat.string("gen_ai.request.model"));
            assertEquals(agentByRole.get(role).spanId(), chat.parent(), "a " + role + " call is a child of its agent's span");
            long expectedMax = role.equals("coordinator") ? (step == 0 ? 64 : 96) : 48;
            assertEquals(expectedMax, chat.number("gen_ai.request.max_tokens"));
            assertEquals(line.get("intended_us").asLong(), chat.start() / 1000, "the span starts at the call's intended start, to the microsecond");
            assertEquals(line.get("intended_us").asLong() + line.get("e2e_us").asLong(), chat.end() / 1000, 1,
                    "and ends at its end");
            assertEquals(episode, chat.number("soaklab.episode"));
            assertEquals(0, chat.number("soaklab.user"));
            assertEquals(line.get("error").asText(), chat.string("soaklab.outcome"));
            if (line.get("error").asText().equals("ok")) {
                assertFalse(chat.error());
                assertEquals(line.get("prompt_tokens").asLong(), chat.number("gen_ai.usage.input_tokens"));
                assertEquals(line.get("completion_tokens").asLong(), chat.number("gen_ai.usage.output_tokens"));
                assertEquals(List.of(line.get("finish").asText()), chat.attributes().get("gen_ai.response.finish_reasons"));
                assertEquals(line.get("intended_us").asLong() + line.get("ttft_us").asLong(), chat.events().get("first_token") / 1000, 1,
                        "the first token's event, at the call's first token");
                assertFalse(chat.attributes().containsKey("error.type"));
            } else {
                assertTrue(chat.error(), "a failed attempt's span is an error");
                assertEquals(line.get("error").asText(), chat.string("error.type"));
            }
            if (attempt == 2) {
                retried++;
                S first = chats.stream().filter(c -> role.equals(c.string("soaklab.role")) && c.number("soaklab.step") == step
                        && c.number("soaklab.attempt") == 1).findFirst().orElseThrow();
                assertEquals(chat.parent(), first.parent(), "a retry is a sibling of the attempt before it");
                assertTrue(first.error());
                assertEquals("http_5xx", first.string("error.type"), "the 503's class, as calls.jsonl has it");
                assertTrue(first.end() <= chat.start(), "and starts after it ended");
            }
        }
        List<S> tools = trace.stream().filter(s -> s.name().startsWith("execute_tool ")).toList();
        assertFalse(tools.isEmpty(), "the specialists ran tools");
        for (S tool : tools) {
            assertEquals("execute_tool", tool.string("gen_ai.operation.name"));
            assertTrue(TOOLS.contains(tool.string("gen_ai.tool.name")), tool.toString());
            assertEquals("execute_tool " + tool.string("gen_ai.tool.name"), tool.name());
            S agent = specialists.stream().filter(s -> s.spanId().equals(tool.parent())).findFirst()
                    .orElseThrow(() -> new AssertionError(tool.name() + " runs under a specialist"));
            assertTrue(agent.start() <= tool.start() && tool.end() <= agent.end(), tool.name() + " lies within " + agent.name());
            long ms = (tool.end() - tool.start()) / 1_000_000;
            assertTrue(ms >= 5 && ms <= 20, "a tool takes 5 to 20 ms here: " + ms);
        }
        assertEquals(1 + specialists.size() + chats.size() + tools.size(), trace.size(), "nothing else in the trace");
        return retried;
    }

    @Test
    void aSampleTracesWholeEpisodesOnlyTheOnesTheSeedPicks() throws Exception {
        long seed = 11;
        RunConfig config = config(seed, 0).traceFile(true).traceSample(0.5).traceContent(true).build();
        Path run = soak("sampled", config, 12);
        Set<Long> picked = new TreeSet<>();
        for (long k = 0; k < 12; k++) {
            if (Tracing.draw(seed, 0, k) < 0.5) {
                picked.add(k);
            }
        }
        assertTrue(!picked.isEmpty() && picked.size() < 12, "this seed picks some and leaves some: " + picked);
        List<S> spans = fromFile(run);
        Map<String, List<S>> traces = spans.stream().collect(Collectors.groupingBy(S::traceId));
        Set<Long> traced = new TreeSet<>();
        List<JsonNode> calls = lines(run, RunFile.CALLS);
        for (List<S> trace : traces.values()) {
            S root = trace.stream().filter(s -> s.parent() == null).findFirst().orElseThrow();
            long episode = root.number("soaklab.episode");
            traced.add(episode);
            long attempts = calls.stream().filter(c -> c.get("episode").asLong() == episode).count();
            assertEquals(attempts, trace.stream().filter(s -> s.name().startsWith("chat ")).count(),
                    "episode " + episode + "'s trace is whole: a chat span per line of calls.jsonl");
            assertEquals(4, trace.stream().filter(s -> s.name().startsWith("invoke_agent ")).count(), "the coordinator and three specialists");
            for (S chat : trace.stream().filter(s -> s.name().startsWith("chat ")).toList()) { // --trace-content
                JsonNode in = JSON.readTree(chat.string("gen_ai.input.messages"));
                assertEquals("system", in.get(0).get("role").asText(), "the prompt, from its system message on");
                JsonNode out = JSON.readTree(chat.string("gen_ai.output.messages"));
                assertEquals("assistant", out.get(0).get("role").asText());
                assertEquals(calls.stream().filter(c -> c.get("episode").asLong() == episode && c.get("role").asText().equals(chat.string("soaklab.role"))
                        && c.get("step").asLong() == chat.number("soaklab.step") && c.get("attempt").asLong() == chat.number("soaklab.attempt"))
                        .findFirst().orElseThrow().get("finish").asText(), out.get(0).get("finish_reason").asText());
            }
        }
        assertEquals(picked, traced, "the episodes the seed picks, and only those");
        JsonNode summary = JSON.readTree(RunFile.TRACE_EXPORT.in(run).toFile());
        assertEquals(picked.size(), summary.get("episodes_traced").asLong());
        assertEquals(12 - picked.size(), summary.get("episodes_sampled_out").asLong());
        assertEquals(0.5, summary.get("sample").asDouble());
    }

    @Test
    void aCollectorThatNeverAnswersCostsTheScheduleNothingAndItsSpansAreCounted() throws Exception {
        Path quiet = soak("untraced", config(5, 0).build(), 8);
        List<Long> before = lags(quiet);
        try (DeadCollector dead = new DeadCollector()) {
            RunConfig config = config(5, 0).otlpEndpoint(URI.create("http://127.0.0.1:" + dead.port())).build();
            long start = System.nanoTime();
            Path run = soak("dead-collector", config, 8);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            List<Long> after = lags(run);
            long spreadUs = before.get(before.size() - 1) - before.get(0);
            long maxAfter = after.get(after.size() - 1);
            assertTrue(maxAfter <= before.get(before.size() - 1) + Math.max(spreadUs, 50_000),
                    "the schedule lag with a dead collector (max " + maxAfter + " us) stays within the untraced run's (" + before.get(0)
                            + ".." + before.get(before.size() - 1) + " us)");
            assertTrue(dead.connections() >= 1, "soaklab did try the collector");
            JsonNode otlp = JSON.readTree(RunFile.TRACE_EXPORT.in(run).toFile()).get("destinations").get(0);
            long spans = otlp.get("spans").asLong();
            assertTrue(spans >= 8 * 12, "eight episodes of four agents, eight calls and tools: " + spans);
            assertEquals(0, otlp.get("sent").asLong());
            assertEquals(spans, otlp.get("failed").asLong() + otlp.get("unconfirmed").asLong() + otlp.get("dropped_spans").asLong(),
                    "every span not delivered is counted: " + otlp);
            assertTrue(tookMs < 8 * 1000 + 15_000, "the run's end waits for the collector a bounded time: " + tookMs + " ms");
        }
    }

    private static List<Long> lags(Path run) throws IOException {
        List<Long> lags = new ArrayList<>();
        for (JsonNode c : lines(run, RunFile.CALLS)) {
            lags.add(c.get("lag_us").asLong());
        }
        lags.sort(null);
        assertTrue(lags.size() >= 8 * 8, "eight episodes of a plan, three specialists' two steps and a merge: " + lags.size());
        return lags;
    }

    private static List<JsonNode> lines(Path run, RunFile file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(file.fileName()))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static Map<String, S> byId(List<S> spans) {
        return spans.stream().collect(Collectors.toMap(S::spanId, s -> s, (a, b) -> {
            throw new AssertionError("span " + a.spanId() + " twice");
        }, TreeMap::new));
    }

    /** The spans of {@code traces.jsonl}, one OTLP/JSON export request per line. */
    private static List<S> fromFile(Path run) throws IOException {
        List<S> out = new ArrayList<>();
        for (JsonNode request : lines(run, RunFile.TRACES)) {
            for (JsonNode rs : request.get("resourceSpans")) {
                for (JsonNode ss : rs.get("scopeSpans")) {
                    assertEquals("io.soaklab", ss.get("scope").get("name").asText());
                    for (JsonNode s : ss.get("spans")) {
                        Map<String, Long> events = new TreeMap<>();
                        for (JsonNode e : s.path("events")) {
                            events.put(e.get("name").asText(), Long.parseLong(e.get("timeUnixNano").asText()));
                        }
                        String kind = switch (s.get("kind").asInt()) {
                            case 1 -> "INTERNAL";
                            case 3 -> "CLIENT";
                            default -> "kind " + s.get("kind");
                        };
                        out.add(new S(s.get("traceId").asText(), s.get("spanId").asText(), s.has("parentSpanId") ? s.get("parentSpanId").asText() : null,
                                s.get("name").asText(), kind, Long.parseLong(s.get("startTimeUnixNano").asText()),
                                Long.parseLong(s.get("endTimeUnixNano").asText()), jsonAttributes(s.path("attributes")), events,
                                s.path("status").path("code").asInt() == 2));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, Object> jsonAttributes(JsonNode attributes) {
        Map<String, Object> out = new TreeMap<>();
        for (JsonNode a : attributes) {
            out.put(a.get("key").asText(), jsonValue(a.get("value")));
        }
        return out;
    }

    private static Object jsonValue(JsonNode v) {
        if (v.has("stringValue")) {
            return v.get("stringValue").asText();
        }
        if (v.has("intValue")) {
            return Long.parseLong(v.get("intValue").asText());
        }
        if (v.has("doubleValue")) {
            return v.get("doubleValue").asDouble();
        }
        if (v.has("boolValue")) {
            return v.get("boolValue").asBoolean();
        }
        List<Object> list = new ArrayList<>();
        for (JsonNode item : v.get("arrayValue").get("values")) {
            list.add(jsonValue(item));
        }
        return list;
    }

    private static Object protoValue(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case BOOL_VALUE -> v.getBoolValue();
            case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(TraceExportTest::protoValue).toList();
            default -> throw new AssertionError("unexpected attribute value " + v);
        };
    }

    private static Map<String, Object> protoAttributes(List<KeyValue> attributes) {
        Map<String, Object> out = new TreeMap<>();
        attributes.forEach(a -> out.put(a.getKey(), protoValue(a.getValue())));
        return out;
    }

    /** A loopback OTLP/HTTP receiver: POST /v1/traces, protobuf (gzip or not), decoded with the OTLP's own classes. */
    private static final class Collector implements AutoCloseable {
        private final HttpServer server;
        private final List<S> spans = new CopyOnWriteArrayList<>();
        private final Object arrived = new Object();
        volatile Map<String, Object> resource = Map.of();

        Collector() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v1/traces", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    if (!"POST".equals(exchange.getRequestMethod())
                            || !"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                        exchange.sendResponseHeaders(415, -1);
                        return;
                    }
                    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                            body = in.readAllBytes();
                        }
                    }
                    receive(ExportTraceServiceRequest.parseFrom(body));
                    byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                    exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
                    exchange.getResponseBody().write(ok);
                }
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void receive(ExportTraceServiceRequest request) {
            HexFormat hex = HexFormat.of();
            for (ResourceSpans rs : request.getResourceSpansList()) {
                resource = protoAttributes(rs.getResource().getAttributesList());
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                        Map<String, Long> events = new TreeMap<>();
                        s.getEventsList().forEach(e -> events.put(e.getName(), e.getTimeUnixNano()));
                        String parent = s.getParentSpanId().isEmpty() ? null : hex.formatHex(s.getParentSpanId().toByteArray());
                        spans.add(new S(hex.formatHex(s.getTraceId().toByteArray()), hex.formatHex(s.getSpanId().toByteArray()), parent,
                                s.getName(), s.getKind().name().substring("SPAN_KIND_".length()), s.getStartTimeUnixNano(), s.getEndTimeUnixNano(),
                                protoAttributes(s.getAttributesList()), events, s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR));
                    }
                }
            }
            synchronized (arrived) {
                arrived.notifyAll();
            }
        }

        /** Waits, until {@code within} has passed, for {@code count} spans. */
        List<S> awaitSpans(long count, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            synchronized (arrived) {
                while (spans.size() < count && System.nanoTime() < deadline) {
                    arrived.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            }
            return List.copyOf(spans);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A collector that takes every connection and never says a word. */
    private static final class DeadCollector implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        DeadCollector() throws IOException {
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        held.add(socket.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "dead-collector");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return held.size();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
