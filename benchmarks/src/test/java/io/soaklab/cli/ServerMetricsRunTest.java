package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.ServerFindings;
import io.soaklab.internal.analysis.ServerWindows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run against the embedded endpoint keeps the endpoint's own metrics (its {@code /metrics}, found
 * without being named) per window beside soaklab's, and says which of them moved when latency did.
 * The step is planted: arrivals rise from 2 to 20 a second at 8 s, against an endpoint that decodes
 * 2 replies at once and queues at most 6 — its queue fills, and time to first token steps up.
 */
class ServerMetricsRunTest {

    private static final int MAX_QUEUE = 6;

    @TempDir
    Path tmp;

    @Test
    void aLoadStepThatFillsTheServersQueueIsInItsOwnMetricsAndSaidBesideTheTtftStep() throws Exception {
        Path scenario = Files.writeString(tmp.resolve("one-turn.yaml"), "name: one-turn\ndescription: one quick turn\nkind: chat\n"
                + "system_prompt_tokens: 20\nmax_tokens: 16\nchat: {turns: {min: 1, max: 1}, user_tokens: 10}\n");
        Path dir = tmp.resolve("run");
        SoakLabTest.Result r = SoakLabTest.run("run", "--forks", "0", "--scenario", scenario.toString(), "--arrival", "step:2/s,20/s@8s",
                "--duration", "16s", "--window", "1s", "--price-as", "none", "--scrape-interval", "200ms", "--sim-max-batch", "2",
                "--sim-max-queue", Integer.toString(MAX_QUEUE), "--sim-output-tokens", "16", "--sim-output-sigma", "0", "--sim-jitter", "0",
                "--sim-decode-tps", "100", "--out", dir.toString());
        assertTrue(r.code() == 0 || r.code() == 3, r.out() + r.err()); // 3: the refused calls failed, as planted

        List<Map<String, String>> rows = csv(dir.resolve("windows.csv"));
        assertEquals(16, rows.size());
        for (Map<String, String> row : rows) {
            assertTrue(Integer.parseInt(row.get("server_scrapes")) >= 1, "every window scraped: " + row);
            double waitingMax = Double.parseDouble(row.get("server_waiting_max"));
            assertTrue(waitingMax <= MAX_QUEUE, "never more waiting than the endpoint queues: " + row);
        }
        double before = median(rows.subList(1, 7), "server_waiting_mean");
        double after = median(rows.subList(10, 16), "server_waiting_mean");
        assertTrue(before < 1, "at 2 arrivals a second nothing waits: " + before);
        assertTrue(after > MAX_QUEUE / 2.0, "at 20 a second the queue is full most of the time: " + after);

        RunData run = RunData.load(dir);
        ServerWindows server = run.server();
        assertTrue(server.present());
        assertEquals(java.util.Set.of("vllm"), server.servers(), "the embedded endpoint publishes vLLM's names");
        assertEquals(0, server.failures());
        ServerFindings findings = ServerFindings.of(run, Degradation.of(run));
        ServerFindings.Step ttft = findings.steps().stream().filter(s -> s.client().series().startsWith("TTFT")).findFirst().orElse(null);
        assertNotNull(ttft, "a TTFT step: " + findings.steps() + " / " + Degradation.of(run).findings());
        assertTrue(Math.abs(ttft.step().window() - 8) <= 1, "the TTFT step where the load stepped: window " + (ttft.step().window() + 1));
        ServerFindings.Moved waiting = ttft.moved().stream().filter(m -> m.series() == ServerFindings.Series.WAITING).findFirst().orElse(null);
        assertNotNull(waiting, "requests waiting stepped with it: " + ttft.moved());
        assertTrue(waiting.step().before() < 1 && waiting.step().after() > MAX_QUEUE / 2.0, waiting.toString());

        String html = Files.readString(dir.resolve("report.html"));
        Matcher said = Pattern.compile("TTFT p\\d+ rose [^<]*? from window (\\d+) [^<]*?, when [^<]*?requests waiting rose from [^<]* to [^<]*").matcher(html);
        assertTrue(said.find(), html);
        assertEquals(ttft.step().window() + 1, Integer.parseInt(said.group(1)));
        assertTrue(html.contains("Time to first token from sending was "), "the client's TTFT beside the server's own");
        assertTrue(Files.exists(dir.resolve("charts/server.png")), "the server's series charted");
    }

    private static double median(List<Map<String, String>> rows, String column) {
        double[] v = rows.stream().mapToDouble(r -> Double.parseDouble(r.get(column))).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static List<Map<String, String>> csv(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), cells[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
