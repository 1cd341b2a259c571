package io.soaklab.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.text.InvalidSetting;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigTest {

    @TempDir
    Path dir;

    @Test
    void windowsRoundUpAndAShortRunIsOneWindow() {
        RunConfig c = RunConfig.builder().duration(Duration.ofSeconds(30)).window(Duration.ofSeconds(5)).build();
        assertEquals(6, c.schedule().windows());
        assertEquals(7, RunConfig.builder().duration(Duration.ofSeconds(31)).window(Duration.ofSeconds(5)).build().schedule().windows());
        RunConfig shortRun = RunConfig.builder().duration(Duration.ofSeconds(20)).build();
        assertEquals(Duration.ofSeconds(20), shortRun.schedule().window());
        assertEquals(1, shortRun.schedule().windows());
    }

    @Test
    void theEmbeddedEndpointIsPricedAsAModelOfItsProtocolsProvider() {
        assertEquals(RunConfig.EMBEDDED_PRICE_AS, RunConfig.builder().build().pricedAs());
        assertEquals("claude-haiku-4-5", RunConfig.builder().api(io.soaklab.protocol.Api.ANTHROPIC).build().pricedAs(),
                "an Anthropic run's cache writes are billed as Anthropic bills them");
        assertEquals("gpt-5.4", RunConfig.builder().api(io.soaklab.protocol.Api.ANTHROPIC).priceAs("gpt-5.4").build().pricedAs());
    }

    @Test
    void theJmhIterationTimeoutCoversAWindowAndTheLongestCall() {
        RunConfig c = RunConfig.builder().window(Duration.ofMinutes(15)).duration(Duration.ofHours(8))
                .timeouts(io.soaklab.protocol.Timeouts.DEFAULT.withCall(Duration.ofMinutes(10))).build();
        assertEquals(Duration.ofMinutes(26), c.iterationTimeout());
    }

    @Test
    void refusesWhatCannotRun() {
        assertEquals("model is required with endpoint", assertThrows(IllegalArgumentException.class,
                () -> RunConfig.builder().endpoint(URI.create("https://api.example.com/v1")).build()).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().scenario("nope").build())
                .getMessage().startsWith("unknown scenario 'nope'; built-in scenarios: coding-agent"));
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().concurrency(0).build());
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().window(Duration.ofMillis(10)).build());
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().endpoint(URI.create("ftp://x/v1")).model("m").build());
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().maxTokensField("max_output").build());
    }

    @Test
    void aScenarioAskingWhatTheProtocolHasNoFieldForIsRefusedBeforeTheRun() throws Exception {
        Path thinking = dir.resolve("thinking.yaml");
        Files.writeString(thinking, "name: thinking\ndescription: d\nkind: chat\nmax_tokens: 3000\ncache_ttl: 1h\nthinking_budget: 2048\n");
        InvalidSetting refused = assertThrows(InvalidSetting.class, () -> RunConfig.builder().scenario(thinking.toString()).build());
        assertEquals("api openai: scenario thinking asks for thinking_budget, Anthropic's extended thinking: an OpenAI endpoint takes"
                + " reasoning_effort instead", refused.getMessage());
        assertEquals(List.of("api"), refused.settings());
        assertEquals(io.soaklab.protocol.Api.ANTHROPIC,
                RunConfig.builder().scenario(thinking.toString()).api(io.soaklab.protocol.Api.ANTHROPIC).build().target().api());
    }

    @Test
    void runJsonRoundTripsAndHoldsNoSecret() throws Exception {
        RunConfig config = RunConfig.builder().endpoint(URI.create("https://api.example.com/v1")).model("gpt-x")
                .apiKeyEnv("MY_KEY").concurrency(32).duration(Duration.ofHours(8)).window(Duration.ofSeconds(60))
                .priceAs("gpt-5.4").maxSpend(new java.math.BigDecimal("25")).build();
        RunManifest m = RunManifest.create(dir, config, new RunManifest.Endpoint(config.target().endpoint(), false));
        m.write(dir);
        String text = Files.readString(dir.resolve(RunManifest.FILE));
        assertTrue(text.contains("\"api_key_env\" : \"MY_KEY\""), text);
        assertTrue(text.contains("\"duration\" : \"8h\""), text);
        assertTrue(text.contains("\"status\" : \"running\""), text);
        assertFalse(text.toLowerCase().contains("apikey\" : \"sk"), text);
        RunManifest back = RunManifest.read(dir);
        assertEquals(m, back);
        assertEquals(480, back.windowsPlanned());
        RunManifest done = back.withWindowsCompleted(480).ended(RunStatus.COMPLETE, null);
        done.write(dir);
        assertEquals(RunStatus.COMPLETE, RunManifest.read(dir).status());
        assertFalse(Files.exists(dir.resolve(RunManifest.FILE + ".tmp")));
    }

    @Test
    void aSweepIsKeptInRunJsonAndReadBackAsItWas() throws Exception {
        RunConfig.Sweep sweep = new RunConfig.Sweep(RunConfig.Sweep.Kind.USERS, 4, 512, 2, 0.1, Duration.ofSeconds(10), 3);
        RunConfig config = RunConfig.builder().concurrency(4).slo("ttft.p99=2s").build().withSweep(sweep);
        RunManifest.create(dir, config, null).write(dir);
        var json = Json.MAPPER.readTree(dir.resolve(RunManifest.FILE).toFile()).path("config").path("sweep");
        assertEquals("users", json.path("kind").asText());
        assertEquals(3, json.path("stage_windows").asInt());
        assertEquals(sweep, RunManifest.read(dir).config().sweep());
        assertEquals("96 users", sweep.level(96));
        assertEquals("12.3/s", new RunConfig.Sweep(RunConfig.Sweep.Kind.RATE, 1, 200, 2, 0.1, Duration.ZERO, 3).level(12.345));
        // a sweep needs objectives, a load of its kind, and one machine
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().concurrency(4).build().withSweep(sweep));
        assertThrows(IllegalArgumentException.class, () -> RunConfig.builder().arrival("poisson:4/s").slo("errors=1%").build().withSweep(sweep));
    }

    @Test
    void runJsonHoldsTheConfigurationInItsGroups() throws Exception {
        RunManifest.create(dir, RunConfig.builder().concurrency(3).build(), null).write(dir);
        var config = Json.MAPPER.readTree(dir.resolve(RunManifest.FILE).toFile()).path("config");
        assertEquals(List.of("workload", "schedule", "target", "pricing", "slo", "observe", "shard"), iterable(config.fieldNames()));
        assertEquals(1, config.path("shard").path("count").asInt(), "one machine: the whole soak");
        assertTrue(config.path("shard").path("start_at").isNull(), "started at once");
        assertEquals(0, config.path("observe").path("server_metrics").size());
        assertTrue(config.path("observe").path("server_metrics_auto").asBoolean(), "the endpoint's own /metrics tried unless told not to");
        assertEquals(3, config.path("workload").path("concurrency").asInt());
        assertEquals(io.soaklab.internal.layout.RunFile.FORMAT_VERSION, RunManifest.read(dir).format());
        // the model the run is priced as is written out, default resolved: a later change of default never re-prices the folder
        assertEquals(RunConfig.EMBEDDED_PRICE_AS, config.path("pricing").path("price_as").asText());
        Path anthropic = Files.createDirectories(dir.resolve("anthropic"));
        RunManifest.create(anthropic, RunConfig.builder().api(io.soaklab.protocol.Api.ANTHROPIC).build(), null).write(anthropic);
        assertEquals(RunConfig.EMBEDDED_ANTHROPIC_PRICE_AS, RunManifest.read(anthropic).config().pricing().priceAs());
    }

    @Test
    void anObserveGroupWrittenBeforeTracesReadsAsTracingNothing() throws Exception {
        RunManifest.create(dir, RunConfig.builder().metricsPort(9464).build(), null).write(dir);
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(dir.resolve(RunManifest.FILE).toFile());
        var observe = (com.fasterxml.jackson.databind.node.ObjectNode) tree.path("config").path("observe");
        assertTrue(observe.has("trace_sample"), observe.toString());
        observe.remove(List.of("otlp_endpoint", "trace_file", "trace_sample", "trace_content"));
        io.soaklab.internal.record.AtomicWrite.replace(dir.resolve(RunManifest.FILE), Json.MAPPER.writeValueAsBytes(tree), false);
        RunConfig.Observe read = RunManifest.read(dir).config().observe();
        assertEquals(9464, read.metricsPort());
        assertNull(read.otlpEndpoint());
        assertFalse(read.traceFile());
        assertFalse(read.traceContent());
        assertEquals(1.0, read.sample(), "a sample, were it traced, of every episode");
    }

    @Test
    void earlierFormatsReadIntoTodaysGroups() throws Exception {
        // serverMetricsAuto(false): an earlier format has no observe group, and reads as observing nothing (Observe.NONE)
        RunConfig config = RunConfig.builder().concurrency(5).thinkTime(Duration.ofMillis(250)).window(Duration.ofSeconds(2)).serverMetricsAuto(false)
                .timeouts(new io.soaklab.protocol.Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(40), Duration.ofSeconds(7),
                        Duration.ofMinutes(2))).build();
        RunManifest.create(dir, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true)).write(dir);
        var mapper = Json.MAPPER;
        var today = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(dir.resolve(RunManifest.FILE).toFile());

        // format 2: one flat configuration, the call timeouts in their group
        var flat = mapper.createObjectNode();
        today.path("config").fields().forEachRemaining(group -> {
            if (group.getValue().isObject()) {
                flat.setAll((com.fasterxml.jackson.databind.node.ObjectNode) group.getValue());
            } else {
                flat.set(group.getKey(), group.getValue());
            }
        });
        RunManifest second = readAs(today.deepCopy().put("format", 2).set("config", flat));
        assertEquals(2, second.format());
        assertEquals(config.pricingResolved(), second.config(), "as written: the model priced as resolved");

        // format 1: no format, the four timeouts flat too, and none of the fields added since
        var first = flat.deepCopy();
        var timeouts = (com.fasterxml.jackson.databind.node.ObjectNode) first.remove("timeouts");
        timeouts.fields().forEachRemaining(t -> first.set(t.getKey() + "_timeout", t.getValue()));
        first.remove(List.of("think_time", "ramp_up", "max_in_flight", "billing", "price_as", "max_failed_windows"));
        var v1 = today.deepCopy();
        v1.remove("format");
        RunManifest old = readAs(v1.set("config", first));
        assertEquals(1, old.format());
        assertEquals(config.target().timeouts(), old.config().target().timeouts());
        assertEquals(5, old.config().workload().concurrency());
        assertEquals(Duration.ZERO, old.config().workload().thinkTime(), "a field added since takes the value runs without it had");
        assertEquals(0, old.config().schedule().maxFailedWindows());
        assertEquals(RunConfig.UNPRICED, old.config().pricedAs());
        // format 2, an embedded Anthropic run: priced then as gpt-5.4-mini, and so still
        var anthropic = flat.deepCopy().put("api", "anthropic");
        anthropic.putNull("price_as");
        assertEquals("gpt-5.4-mini", readAs(today.deepCopy().put("format", 2).set("config", anthropic)).config().pricedAs());
    }

    private RunManifest readAs(com.fasterxml.jackson.databind.JsonNode manifest) throws Exception {
        Files.write(dir.resolve(RunManifest.FILE), Json.MAPPER.writeValueAsBytes(manifest));
        return RunManifest.read(dir);
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    @Test
    void runJsonIsWrittenEvenByAnInterruptedThread() throws Exception {
        RunManifest m = RunManifest.create(dir, RunConfig.builder().build(), null);
        Thread.currentThread().interrupt(); // JMH interrupts a benchmark that outlives its iteration timeout
        try {
            m.ended(RunStatus.ABORTED, "interrupted").write(dir);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertEquals(RunStatus.ABORTED, RunManifest.read(dir).status());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(RunManifest.FILE), files.map(f -> f.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    @Test
    void anEmbeddedEndpointKeyIsNeverWritten() throws Exception {
        RunConfig config = RunConfig.builder().sim(io.soaklab.sim.SimConfig.builder().apiKey("sk-never-on-disk").build()).build();
        RunManifest.create(dir, config, null).write(dir);
        String text = Files.readString(dir.resolve(RunManifest.FILE));
        assertFalse(text.contains("sk-never-on-disk"), text);
        assertEquals(null, RunManifest.read(dir).config().target().sim().apiKey());
    }

    @Test
    void aRunningManifestWhoseProcessesAreGoneIsOrphaned() throws Exception {
        RunManifest m = RunManifest.create(dir, RunConfig.builder().build(), null);
        assertFalse(m.orphaned(), "this test's own process is alive");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        RunManifest gone = new RunManifest(m.soaklab(), m.format(), m.runId(), m.status(), null, m.created(), null, null,
                dead.pid(), null, m.host(), m.versions(), m.config(), null, 1, 0, null, null);
        assertTrue(gone.orphaned());
    }

    @Test
    void aFolderHoldsOneRun() throws Exception {
        Path run = dir.resolve("r1");
        RunFolder.create(run);
        RunManifest.create(run, RunConfig.builder().build(), null).write(run);
        assertEquals("run folder " + run + " already holds a run; choose another --out",
                assertThrows(IllegalArgumentException.class, () -> RunFolder.create(run)).getMessage());
    }
}
