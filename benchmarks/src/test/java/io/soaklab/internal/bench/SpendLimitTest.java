package io.soaklab.internal.bench;

import io.soaklab.internal.bench.SoakLauncher;
import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.report.Report;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run against an endpoint that is not soaklab's own (here an embedded endpoint started apart,
 * which the run treats as any remote API) is estimated before it starts and stopped by its
 * spend limit.
 */
class SpendLimitTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @TempDir
    Path tmp;

    @Test
    void aShardStopsAtItsShareOfTheSoaksSpendLimit() throws Exception {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(50)).decodeTokensPerSecond(2_000).outputTokensMedian(200).build();
        BigDecimal limit = new BigDecimal("0.50"); // the whole soak's, for 2 shards: this one may spend $0.25
        try (EmbeddedEndpoint remote = EmbeddedEndpoint.start(sim)) {
            RunConfig config = RunConfig.builder().endpoint(URI.create(remote.baseUrl().toString())).model("gpt-5.5-pro")
                    .scenario("chat-support").thinkTime(Duration.ZERO).concurrency(32).duration(Duration.ofSeconds(60))
                    .window(Duration.ofSeconds(1)).maxSpend(limit).forks(0).shard(new RunConfig.Shard(0, 2, null)).build();
            Path dir = tmp.resolve("shard");
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, new PrintStream(progress, true, StandardCharsets.UTF_8));
            String log = progress.toString(StandardCharsets.UTF_8);
            assertEquals(RunStatus.ABORTED, outcome.status(), log);
            RunManifest m = RunManifest.read(dir);
            assertTrue(m.message().startsWith("stopped by --max-spend 0.25: $0."), m.message());
            BigDecimal spent = BigDecimal.ZERO;
            for (String line : Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()))) {
                JsonNode call = JSON.readTree(line);
                spent = spent.add(call.has("cost_usd") ? call.get("cost_usd").decimalValue() : BigDecimal.ZERO);
                assertEquals(0, call.get("shard").asInt(), "every line says its shard");
            }
            assertTrue(spent.signum() > 0 && spent.compareTo(new BigDecimal("0.25")) <= 0, "spent $" + spent.toPlainString() + " of its $0.25");
        }
    }

    @Test
    void aPaidRunIsEstimatedFirstAndEndsAbortedBeforeItsSpendLimit() throws Exception {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ofMillis(50)).decodeTokensPerSecond(2_000).outputTokensMedian(200).build();
        // an expensive model and many users: each call could cost ~$0.07, so only a few fit under the limit at once
        BigDecimal limit = new BigDecimal("0.50");
        Path truth = tmp.resolve("server-truth.jsonl");
        try (EmbeddedEndpoint remote = EmbeddedEndpoint.start(sim, truth)) {
            RunConfig config = RunConfig.builder().endpoint(URI.create(remote.baseUrl().toString())).model("gpt-5.5-pro")
                    .scenario("chat-support").thinkTime(Duration.ZERO).concurrency(32).duration(Duration.ofSeconds(60))
                    .window(Duration.ofSeconds(1)).maxSpend(limit).forks(0).build();
            Path dir = tmp.resolve("run");
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            SoakLauncher.Outcome outcome = SoakLauncher.launch(config, dir, new PrintStream(progress, true, StandardCharsets.UTF_8));
            String log = progress.toString(StandardCharsets.UTF_8);

            assertTrue(log.contains("soaklab: pre-flight estimate: $0.0"), log);
            assertTrue(log.contains("episodes sampled on the embedded endpoint, priced as gpt-5.5-pro (openai, prices of 2026-04-24, standard)"), log);
            assertTrue(log.contains("this run: ~") && log.contains("32 users, each episode ~"), log);

            assertEquals(RunStatus.ABORTED, outcome.status(), log);
            RunManifest m = RunManifest.read(dir);
            assertEquals(RunStatus.ABORTED, m.status());
            assertTrue(m.message().startsWith("stopped by --max-spend 0.5: $0.") && m.message().contains("spent; when a call was refused, the calls in flight could still have cost $0."),
                    m.message());
            assertTrue(m.windowsCompleted() < m.windowsPlanned(), "stopped early: " + m.windowsCompleted());

            BigDecimal spent = BigDecimal.ZERO;
            long sent = 0;
            long refused = 0;
            long unanswered = 0;
            for (String line : Files.readAllLines(dir.resolve(RunFile.CALLS.fileName()))) {
                JsonNode call = JSON.readTree(line);
                spent = spent.add(call.has("cost_usd") ? call.get("cost_usd").decimalValue() : BigDecimal.ZERO);
                if (call.get("error").asText().equals("spend_limit")) {
                    refused++;
                } else {
                    sent++;
                    if (call.get("error").asText().equals("open") && !call.has("headers_us")) {
                        unanswered++; // handed to the HTTP client as the run ended: it may never have reached the server
                    }
                }
            }
            assertTrue(sent >= 3 && refused >= 1, sent + " calls sent, " + refused + " refused");
            assertTrue(spent.signum() > 0 && spent.compareTo(limit) <= 0, "spent $" + spent.toPlainString() + " of $" + limit);
            // the calls in flight were let finish: every request the server received is on record, priced
            remote.close(); // its log is flushed every second: closed, it is complete
            long served = Files.readAllLines(truth).stream().filter(l -> !l.isBlank()).count() - 1; // less the endpoint check's one call
            assertTrue(served <= sent && served >= sent - unanswered,
                    "requests the server received for the run (" + served + ") vs calls recorded as sent (" + sent + ", " + unanswered + " unanswered at the end)");
            assertTrue(log.contains("soaklab: endpoint check: " + remote.baseUrl() + " answered for model "), "the check came first: " + log);
            String html = Files.readString(dir.resolve(Report.FILE));
            assertTrue(html.contains("stopped by --max-spend 0.5"), "the report says why it stopped");
            assertTrue(html.contains("<h2>What it cost</h2>"), "and what it cost");

            // the next run in this same JVM (forks 0, where JMH keeps a benchmark's state in a static field and a trial that
            // ended early never clears it) is a run of its own: not handed the stopped one's state
            RunConfig next = RunConfig.builder().scenario("chat-support").concurrency(2).duration(Duration.ofSeconds(2))
                    .window(Duration.ofSeconds(1)).forks(0).priceAs(RunConfig.UNPRICED)
                    .sim(SimConfig.builder().baseLatency(Duration.ofMillis(5)).decodeTokensPerSecond(5_000).build()).build();
            Path second = tmp.resolve("next");
            SoakLauncher.Outcome after = SoakLauncher.launch(next, second, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(RunStatus.COMPLETE, after.status(), after.problem());
            assertEquals(2, RunManifest.read(second).windowsCompleted());
            assertTrue(after.calls() > 0, "its own calls, in its own folder");
        }
    }
}
