package io.soaklab.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.SyntheticRun;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.internal.run.Slo;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path dir;

    @Test
    void writesAnOfflinePageWithSharpChartsAndEscapedText() throws Exception {
        SyntheticRun.write(dir, 4);
        Path page = Report.write(RunData.load(dir));
        assertEquals(dir.resolve("report.html"), page);
        String html = Files.readString(page);
        assertTrue(html.contains("Complete, with failures: 4 of 44 calls failed (9.09%: 4 http_429). 4 of 4 measurement windows recorded."), html);
        assertTrue(html.contains("44 calls"), html);
        assertTrue(html.contains("4 failed (9.09%)"), html);
        assertTrue(html.contains("Spend $0.0980"), html);
        // four tasks of $0.0245 at SyntheticRun's own prices
        assertTrue(html.contains("<h2>What it cost</h2>"), html);
        assertTrue(html.contains("The measured calls cost <b>$0.0980</b> at synthetic-1's list prices (USD, effective 2026-01-01, standard billing; catalog soaklab list prices 2026-12-02 + prices test)"), html);
        assertTrue(html.contains("One task (an episode, every attempt included) cost $0.0245 on average"), html);
        assertTrue(html.contains("<tr><td>fresh input</td><td>58,000</td><td>$1.00</td><td>$0.0580</td>"), html);
        assertTrue(html.contains("soaklab cost "), "says how to project");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"), "error text escaped");
        assertFalse(html.contains("<script>"), "nothing from the files is markup");
        assertFalse(html.contains("http://") && html.contains("<link"), "no external resources");
        for (String chart : new String[] {"ttft.png", "e2e.png", "throughput.png", "errors.png", "context.png", "generator.png", "probes.png", "spend.png", "cost-per-task.png"}) {
            Path png = dir.resolve("charts").resolve(chart);
            assertTrue(html.contains("src=\"charts/" + chart + "\" width=\"880\" height=\"340\""), chart);
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(1760, image.getWidth(), "drawn at twice the display size");
            assertEquals(680, image.getHeight());
        }
    }

    @Test
    void theFirstScreenIsTheSpendForFinanceWithTheForecastAndItsCaveats() throws Exception {
        SyntheticRun.write(dir, 4);
        RunData run = RunData.load(dir, RunData.Reading.DEFAULT.withCallUsage());
        CostFiles.project(run, new io.soaklab.internal.analysis.Projection.Parameters(new java.math.BigDecimal("1000"),
                new java.math.BigDecimal("0.05"), 12, List.of(), java.time.LocalDate.of(2027, 1, 1)));
        String html = Files.readString(Report.page(dir));
        int finance = html.indexOf("<h2>Spend, for finance</h2>");
        assertTrue(finance > 0 && finance < html.indexOf("<h2>In short</h2>"), "finance comes first");
        String screen = html.substring(finance, html.indexOf("<h2>In short</h2>"));
        assertTrue(screen.contains("<th>a task, as measured</th><td>$0.0245 on average"), screen);
        assertTrue(screen.contains("<th>the first month, 2027-01</th><td>$") && screen.contains(" expected (P10 $"), screen);
        assertTrue(screen.contains("<th>12 months</th><td>$"), screen);
        assertTrue(screen.contains("<th>what moves it most</th>") && screen.contains("<th>what the band covers</th><td>P10 to P90 of 4000 simulated futures"),
                screen);
        assertTrue(screen.contains("The endpoint was soaklab&#39;s embedded simulator") || screen.contains("The endpoint was soaklab's embedded simulator"),
                screen);
        assertTrue(screen.contains("Only 4 tasks measured: the band is rough"), screen);
    }

    @Test
    void theLagBannerAppearsOnlyWhenTheLagIsLargeBesideTheLatencies() throws Exception {
        // what the demo showed on an idle machine: lag p99 of 86 ms against first tokens after 300 ms; no warning
        SyntheticRun.write(dir.resolve("idle"), 4, w -> 300, w -> 86);
        String idle = Files.readString(Report.write(RunData.load(dir.resolve("idle"))));
        assertFalse(idle.contains("fell behind"), idle);
        // a generator that sent every call 400 ms late: more than the median first token itself
        SyntheticRun.write(dir.resolve("behind"), 4, w -> 300, w -> 400);
        String behind = Files.readString(Report.write(RunData.load(dir.resolve("behind"))));
        assertTrue(behind.contains("The load generator fell behind its schedule: more than half of the calls started more than 150 ms late "
                + "(99th percentile schedule lag 400 ms, at worst 400 ms, against a median time to first token of 300 ms)."), behind);
    }

    @Test
    void theReportsFilesAreCreatedLikeAnyOtherFileOfTheUsers() throws Exception {
        SyntheticRun.write(dir, 2);
        Report.write(RunData.load(dir));
        // the umask decides, as for a file the user creates; a temporary file's owner-only mode must not leak through
        var expected = Files.getPosixFilePermissions(Files.createFile(dir.resolve("made-by-the-user")));
        for (String file : new String[] {"report.html", "windows.csv", "charts/ttft.png", "run.json"}) {
            assertEquals(expected, Files.getPosixFilePermissions(dir.resolve(file)), file);
        }
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<th>per episode, on average</th><td>tool calls 9.00</td>") && !html.contains("tool_calls"), "human labels: " + html);
        assertTrue(html.contains(" in 2 windows of "), "plural");
        assertTrue(html.contains("* Too few values for this percentile (100 for p99, 1,000 for p99.9): it is the largest value seen"),
                "20 calls: p99 and p99.9 are the largest value, and the page says so");
    }

    @Test
    void costPerTaskIsBinnedInRoundAmounts() {
        // what the issue saw: bins of $0.000988, $0.00198...; now the smallest 1, 2 or 5 x 10^k at least as wide
        assertEquals("0.001", Charts.roundBin(0.000988).toPlainString());
        assertEquals("0.002", Charts.roundBin(0.0013).toPlainString());
        assertEquals("0.05", Charts.roundBin(0.05).toPlainString());
        assertEquals("0.5", Charts.roundBin(0.21).toPlainString());
        assertEquals("1", Charts.roundBin(0.9).toPlainString());
        assertEquals("20", Charts.roundBin(12).toPlainString());
    }

    @Test
    void aCrashedRunSaysItIsIncomplete() throws Exception {
        RunManifest m = SyntheticRun.write(dir, 1);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        new RunManifest(m.soaklab(), m.format(), m.runId(), RunStatus.RUNNING, null, m.created(), m.started(), null, gone.pid(), null,
                m.host(), m.versions(), m.config(), m.endpoint(), 5, 1, null, null).write(dir);
        String html = Files.readString(Report.write(RunData.load(dir)));
        assertTrue(html.contains("Incomplete: the run crashed. What it recorded up to then is shown. 1 of 5 measurement windows recorded."), html);
        assertTrue(html.contains("did not finish"), html);
    }

    @Test
    void aRunWithNoCompleteWindowStillGetsAPage() throws Exception {
        RunManifest m = SyntheticRun.write(dir, 1);
        Files.writeString(dir.resolve("histograms.hlog"), "");
        m.ended(RunStatus.ABORTED, "stopped by a signal before the end").write(dir);
        String html = Files.readString(Report.write(RunData.load(dir)));
        assertTrue(html.contains("Incomplete: the run was stopped early (stopped by a signal before the end)."), html);
        assertTrue(html.contains("1 of 1 measurement windows recorded."), html);
        assertTrue(html.contains("The latency of window 1 was rebuilt from calls.jsonl"), "its intervals are gone, its calls are not: " + html);
        assertTrue(Files.exists(dir.resolve("charts/ttft.png")));
    }

    @Test
    void thePageSaysWhatDegradedInWordsAndKeepsWindowsCsv() throws Exception {
        SyntheticRun.write(dir, 24, w -> 300 + 10L * w, w -> 1);
        String html = Files.readString(Report.write(RunData.load(dir)));
        assertTrue(html.contains("<h2>What changed over time</h2>"), html);
        assertTrue(html.contains("<li class=\"worse\">TTFT p50 rose 63% from the first to the last 4s (315 ms to 515 ms, 0:00:20 apart;"
                + " trend +36 s an hour, 95% CI +35.9 s to +36 s; Mann-Kendall p &lt; 0.001).</li>"), html);
        assertTrue(html.contains("(CUSUM binary segmentation, permutation test), at p &lt; 0.01"), html);
        assertEquals(25, Files.readAllLines(dir.resolve(WindowsCsv.FILE)).size(), "a header and 24 windows");
    }

    @Test
    void objectivesSayWhichWasMissedFirstAndTheGoodput() throws Exception {
        SyntheticRun.write(dir, 4);
        String html = Files.readString(Report.write(RunData.load(dir), Slo.parseAll("ttft.p99=350ms,errors=10%")));
        assertTrue(html.contains("<h2>Objectives</h2>"), html);
        assertTrue(html.contains("1 of 2 objectives were missed over the run. The first to fail: ttft.p99=350ms, in window 4"), html);
        assertTrue(html.contains("<tr><td>errors=10%</td><td>9.09% (met)</td><td>4 of 4</td><td>-</td></tr>"), html);
        assertTrue(html.contains("met every per-call objective (68.18% of calls)"), html);
        assertFalse(Files.readString(Report.write(RunData.load(dir))).contains("<h2>Objectives</h2>"), "the run itself had none");
    }

    @Test
    void probesAreBinnedByWhatTheServerProcessedWithThePlannedLengthBeside() throws Exception {
        SyntheticRun.write(dir, 1);
        StringBuilder events = new StringBuilder();
        for (int q = 0; q < 12; q++) { // 2,000-token probes the server saw whole, 64,000-token probes it cut to under 2,000
            events.append("{\"phase\":\"measure\",\"window\":0,\"user\":0,\"episode\":0,\"role\":\"agent\",\"t_us\":1,\"type\":\"probe\",")
                    .append("\"context_tokens\":2150,\"planned_tokens\":2000,\"depth\":0.5,\"exact\":true,\"similarity\":1.0}\n");
            events.append("{\"phase\":\"measure\",\"window\":0,\"user\":0,\"episode\":1,\"role\":\"agent\",\"t_us\":1,\"type\":\"probe\",")
                    .append("\"context_tokens\":1950,\"planned_tokens\":64000,\"depth\":0.5,\"exact\":false,\"similarity\":0.1}\n");
        }
        Files.writeString(dir.resolve("events.jsonl"), events);
        RunData run = RunData.load(dir);
        List<io.soaklab.internal.analysis.Episodes.ProbeBin> bins = run.episodes().probeByProcessed();
        assertEquals(1, bins.size(), "all of them were about 2,000 tokens long as the server saw them");
        assertEquals(2050, bins.get(0).meanTokens(), 1e-9);
        assertEquals(java.util.Map.of(2000, 12L, 64000, 12L), bins.get(0).planned());
        String html = Files.readString(Report.write(run));
        assertTrue(html.contains("<tr class=\"bad\"><td>2,050</td><td>2,000 (12), 64,000 (12) &mdash; the server processed far less than was sent</td>"), html);
    }

    @Test
    void whatSoaklabCheckedIsStatedWithItsNumbers() throws Exception {
        SyntheticRun.write(dir, 1);
        String head = "{\"phase\":\"measure\",\"window\":0,\"user\":1,\"episode\":0,\"role\":\"agent\",\"step\":0,\"attempt\":1,\"last\":true,"
                + "\"intended_us\":1000,\"lag_us\":10,\"e2e_us\":2000,\"status\":200,";
        Files.writeString(dir.resolve("calls.jsonl"), String.join("\n",
                head + "\"error\":\"ok\",\"prompt_tokens\":100,\"completion_tokens\":90,\"usage\":\"server\",\"flags\":[\"over_cap\"],\"max_tokens\":20}",
                head + "\"error\":\"ok\",\"prompt_tokens\":1950,\"completion_tokens\":5,\"usage\":\"server\",\"prompt_tokens_sent\":64200,"
                        + "\"flags\":[\"prompt_truncated\"]}",
                head + "\"error\":\"ok\",\"prompt_tokens\":1200,\"completion_tokens\":5,\"cached_tokens\":1152,\"usage\":\"server\","
                        + "\"flags\":[\"cache_from_timings\"]}",
                head + "\"error\":\"runaway\",\"error_detail\":\"the reply ran past its bound\",\"prompt_tokens\":0,\"completion_tokens\":0,\"usage\":\"none\"}",
                head + "\"error\":\"context_length\",\"error_detail\":\"HTTP 400: prompt is too long\",\"usage\":\"none\"}",
                head + "\"error\":\"ok\",\"prompt_tokens\":10,\"completion_tokens\":3,\"usage\":\"estimated\"}") + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        String html = Files.readString(Report.write(RunData.load(dir)));
        assertTrue(html.contains("<h2>What soaklab checked</h2>"), html);
        assertTrue(html.contains("1 reply was longer than the max_tokens asked for (over_cap)"), html);
        assertTrue(html.contains("The server truncated the prompt of 1 call without saying so (prompt_truncated): it counted 1,950 prompt tokens"
                + " where soaklab sent 64,200 (3.04% of it, summed over those calls)."), html);
        assertTrue(html.contains("The cached input tokens of 1 call were read from llama.cpp&#39;s own timings"), html);
        assertTrue(html.contains("1 reply ran past the bound soaklab derives from the request&#39;s max_tokens and was cut (runaway)"), html);
        assertTrue(html.contains("1 call was refused as longer than the endpoint&#39;s context window (context_length)"), html);
        assertTrue(html.contains("1 call succeeded without usage from the server: their tokens were counted by soaklab (marked estimated)"), html);
        assertTrue(html.contains("Complete, with failures: 3 of 17 calls failed"), "the banner counts the runaway and the refusal: " + html);
    }

    @Test
    void theBannerTellsHealthyFromFlaggedFromNothingEnded() throws Exception {
        SyntheticRun.write(dir, 1);
        String head = "{\"phase\":\"measure\",\"window\":0,\"user\":1,\"episode\":0,\"role\":\"agent\",\"step\":0,\"attempt\":1,\"last\":true,"
                + "\"intended_us\":1000,\"lag_us\":10,\"e2e_us\":2000,\"status\":200,";
        Files.writeString(dir.resolve("calls.jsonl"), head + "\"error\":\"ok\",\"prompt_tokens\":100,\"completion_tokens\":5,\"usage\":\"server\"}\n"
                + head + "\"error\":\"ok\",\"prompt_tokens\":1950,\"completion_tokens\":5,\"usage\":\"server\",\"prompt_tokens_sent\":64200,"
                + "\"flags\":[\"prompt_truncated\"]}\n");
        assertTrue(Files.readString(Report.write(RunData.load(dir))).contains("<p class=\"status warn\">Complete: every call succeeded, but 1 of 2"
                + " answered something other than was asked"), "a truncated prompt is not a healthy run");
        Files.writeString(dir.resolve("calls.jsonl"), head + "\"error\":\"open\",\"error_detail\":\"still open\",\"usage\":\"none\"}\n");
        assertTrue(Files.readString(Report.write(RunData.load(dir))).contains("<p class=\"status warn\">Complete, but no call ended: every planned"
                + " window ran and the endpoint finished nothing. 1 call was still open when it ended."), "a hang is not a healthy run");
    }
}
