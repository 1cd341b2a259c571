package io.soaklab.internal.report;

import io.soaklab.internal.analysis.ContextTrend;
import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.SyntheticRun;
import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.EpisodeRecord;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every sentence on the analysis' findings agrees with the numbers it quotes: a rate times the range it
 * spans is the change it quotes, within the rounding of what is printed and the estimator's stated
 * interval; a step's size is the difference of its levels; a percentage is the ratio of its ends.
 * The sentences are read back as a reader would, from their text.
 */
class SentencesTest {

    private static final long MS = 1_000_000;
    private static final String NUMBER = "([0-9][0-9,]*(?:\\.[0-9]+)?)";
    private static final String AMOUNT = "(\\$?" + "[0-9][0-9,]*(?:\\.[0-9]+)?" + "(?: ms| s|%)?)";

    @TempDir
    Path dir;

    /** A quoted amount in base units (ms, percentage points, dollars) and the rounding of how it is printed. */
    record Quoted(double value, double rounding) {
        static Quoted of(String text) {
            String t = text.strip();
            double scale = 1;
            if (t.endsWith(" ms")) {
                t = t.substring(0, t.length() - 3);
            } else if (t.endsWith(" s")) {
                t = t.substring(0, t.length() - 2);
                scale = 1000;
            } else if (t.endsWith("%")) {
                t = t.substring(0, t.length() - 1);
            }
            t = t.replace("$", "").replace(",", "");
            int dot = t.indexOf('.');
            double unit = dot < 0 ? 1 : Math.pow(10, -(t.length() - dot - 1));
            return new Quoted(Double.parseDouble(t) * scale, unit / 2 * scale);
        }
    }

    private static double seconds(String clock) {
        String[] p = clock.split(":");
        return Integer.parseInt(p[0]) * 3600 + Integer.parseInt(p[1]) * 60 + Double.parseDouble(p[2]);
    }

    private static final Pattern TREND = Pattern.compile("rose (\\d+)% from the first to the last \\S+ \\(" + AMOUNT + " to " + AMOUNT
            + ", (\\d+:\\d\\d:\\d\\d(?:\\.\\d)?) apart; trend ([+-])" + AMOUNT + " an hour, 95% CI ([+-])" + AMOUNT + " to ([+-])" + AMOUNT + ";");
    private static final Pattern RISE = Pattern.compile("(?:rose|fell) (\\d+)% from the first to the last \\S+ \\(" + AMOUNT + " to " + AMOUNT + "[,;]");
    private static final Pattern STEP = Pattern.compile("into the run; ([+-])" + AMOUNT + ": " + AMOUNT + " to " + AMOUNT + ",");
    private static final Pattern CONTEXT = Pattern.compile("(grows|falls) by " + AMOUNT + " per 1,000 prompt tokens(?: as context grows)?: the Theil-Sen line over"
            + " \\d+ steps runs from " + AMOUNT + " at " + NUMBER + " prompt tokens to " + AMOUNT + " at " + NUMBER);
    private static final Pattern PROBE = Pattern.compile("(falls|rises) " + NUMBER + " points per 10,000 tokens of context: the weighted line over \\d+"
            + " lengths runs from " + AMOUNT + " at " + NUMBER + " tokens to " + AMOUNT + " at " + NUMBER);

    /** Checks every number a sentence quotes against the others; returns how many checks it made. */
    static int check(String sentence) {
        int checks = 0;
        Matcher rise = RISE.matcher(sentence);
        while (rise.find()) {
            Quoted first = Quoted.of(rise.group(2));
            Quoted last = Quoted.of(rise.group(3));
            double percent = Math.abs(last.value() - first.value()) / first.value() * 100;
            double slack = 0.5 + 100 * (first.rounding() + last.rounding()) / first.value() * 2;
            assertEquals(Double.parseDouble(rise.group(1)), percent, slack, "the percentage is the ratio of its ends: " + sentence);
            checks++;
        }
        Matcher trend = TREND.matcher(sentence);
        if (trend.find()) {
            Quoted first = Quoted.of(trend.group(2));
            Quoted last = Quoted.of(trend.group(3));
            double hours = seconds(trend.group(4)) / 3600;
            Quoted slope = signed(trend.group(5), trend.group(6));
            Quoted low = signed(trend.group(7), trend.group(8));
            Quoted high = signed(trend.group(9), trend.group(10));
            double implied = (last.value() - first.value()) / hours;
            double rounding = (first.rounding() + last.rounding()) / hours;
            assertTrue(low.value() - low.rounding() <= slope.value() + slope.rounding() && slope.value() - slope.rounding() <= high.value() + high.rounding(),
                    "the slope lies in its interval: " + sentence);
            assertTrue(implied >= low.value() - low.rounding() - rounding && implied <= high.value() + high.rounding() + rounding,
                    "the change between the parts (" + implied + " an hour) lies in the trend's interval: " + sentence);
            checks++;
        }
        Matcher step = STEP.matcher(sentence);
        while (step.find()) {
            Quoted jump = signed(step.group(1), step.group(2));
            Quoted before = Quoted.of(step.group(3));
            Quoted after = Quoted.of(step.group(4));
            assertEquals(after.value() - before.value(), jump.value(), jump.rounding() + before.rounding() + after.rounding(),
                    "a step is the difference of its levels: " + sentence);
            checks++;
        }
        Matcher context = CONTEXT.matcher(sentence);
        if (context.find()) {
            double sign = context.group(1).equals("grows") ? 1 : -1;
            Quoted slope = Quoted.of(context.group(2));
            Quoted from = Quoted.of(context.group(3));
            double x1 = Double.parseDouble(context.group(4).replace(",", "")) / 1000;
            Quoted to = Quoted.of(context.group(5));
            double x2 = Double.parseDouble(context.group(6).replace(",", "")) / 1000;
            assertEquals(to.value() - from.value(), sign * slope.value() * (x2 - x1),
                    slope.rounding() * Math.abs(x2 - x1) + from.rounding() + to.rounding() + 0.001 * Math.abs(slope.value() * (x2 - x1)),
                    "the slope times the range is the line's change: " + sentence);
            checks++;
        }
        Matcher probe = PROBE.matcher(sentence);
        if (probe.find()) {
            double sign = probe.group(1).equals("rises") ? 1 : -1;
            double points = Double.parseDouble(probe.group(2));
            Quoted from = Quoted.of(probe.group(3));
            double x1 = Double.parseDouble(probe.group(4).replace(",", "")) / 10_000;
            Quoted to = Quoted.of(probe.group(5));
            double x2 = Double.parseDouble(probe.group(6).replace(",", "")) / 10_000;
            assertEquals(to.value() - from.value(), sign * points * (x2 - x1), 0.05 * Math.abs(x2 - x1) + from.rounding() + to.rounding() + 0.01,
                    "points per 10,000 tokens times the range is the line's change: " + sentence);
            checks++;
        }
        return checks;
    }

    private static Quoted signed(String sign, String amount) {
        Quoted q = Quoted.of(amount);
        return new Quoted(sign.equals("-") ? -q.value() : q.value(), q.rounding());
    }

    private List<String> sentences(RunData run) {
        Degradation d = Degradation.of(run);
        List<String> out = new ArrayList<>();
        d.findings().forEach(f -> out.add(Sentences.finding(d, f)));
        out.addAll(byContext(run));
        return out;
    }

    private static List<String> byContext(RunData run) {
        return ContextTrend.of(run).stream().map(Sentences::context).toList();
    }

    @Test
    void driftsAndStepsQuoteFiguresThatAgree() throws Exception {
        int checked = 0;
        for (int seed = 1; seed <= 6; seed++) {
            long[] noise = new Random(seed).longs(36, -30, 31).toArray();
            int s = seed;
            IntToLongFunction ttft = seed % 2 == 0 ? w -> 300 + 8L * w + noise[w] : w -> (w < 12 + s ? 250 : 600) + noise[w];
            Path run = dir.resolve("run-" + seed);
            SyntheticRun.write(run, 36, ttft, w -> 1);
            for (String sentence : sentences(RunData.load(run))) {
                checked += check(sentence);
            }
        }
        assertTrue(checked >= 12, "drifts and steps were stated and checked: " + checked);
    }

    @Test
    void theDemosContextSentenceNoLongerContradictsItself() throws Exception {
        // E2E p50 that grows slowly with context, and a last step far above the line: the case the demo's report got wrong
        Path run = contextRun(step -> step == 11 ? 1_860 : 300 + 16L * step);
        List<String> context = byContext(RunData.load(run));
        String e2e = context.get(0);
        assertTrue(e2e.startsWith("E2E p50 grows by "), e2e);
        assertEquals(1, check(e2e), e2e);
        assertTrue(e2e.contains("measured, step 0 (") && e2e.contains(") took 300 ms and step 11 (") && e2e.endsWith(") 1.86 s."),
                "the measured ends are quoted as measured, apart from the line: " + e2e);
        assertFalse(e2e.matches(".*grows by 1\\d ms per 1,000 prompt tokens as context grows, from .*"), "not the old wording: " + e2e);
    }

    @Test
    void everyContextSentenceAgreesWithItself() throws Exception {
        int checked = 0;
        for (int seed = 1; seed <= 4; seed++) {
            long[] noise = new Random(seed).longs(12, -25, 26).toArray();
            int slope = 20 * seed;
            Path run = contextRun(step -> 400 + (long) slope * step + noise[step]);
            for (String sentence : byContext(RunData.load(run))) {
                checked += check(sentence);
            }
        }
        assertTrue(checked >= 8, "latency and cost against context, stated and checked: " + checked);
    }

    @Test
    void probeAccuracyAgainstContextAgreesWithItself() throws Exception {
        Path run = dir.resolve("probes");
        SyntheticRun.write(run, 2);
        StringBuilder events = new StringBuilder();
        int[] planned = {2000, 8000, 32000, 64000};
        double[] rate = {0.9, 0.8, 0.6, 0.4};
        Random random = new Random(3);
        for (int i = 0; i < planned.length; i++) {
            for (int q = 0; q < 200; q++) {
                boolean exact = random.nextDouble() < rate[i];
                events.append("{\"phase\":\"measure\",\"window\":0,\"user\":0,\"episode\":0,\"role\":\"agent\",\"t_us\":1,\"type\":\"probe\",")
                        .append("\"context_tokens\":").append(planned[i] + 150 + q % 7).append(",\"planned_tokens\":").append(planned[i])
                        .append(",\"depth\":0.5,\"exact\":").append(exact).append(",\"similarity\":").append(exact ? 1.0 : 0.3).append("}\n");
            }
        }
        Files.writeString(run.resolve(RunFile.EVENTS.fileName()), events);
        List<String> context = byContext(RunData.load(run));
        String probes = context.stream().filter(c -> c.startsWith("Probe accuracy")).findFirst().orElseThrow();
        assertTrue(probes.startsWith("Probe accuracy falls "), probes);
        assertEquals(1, check(probes), probes);
    }

    /** Twelve steps of a session, ten calls each, step k with {@code e2eMs(k)} and 1,000 + 800 k prompt tokens. */
    private Path contextRun(IntToLongFunction e2eMs) throws Exception {
        Path run = Files.createDirectories(dir.resolve("context-" + System.nanoTime()));
        Path prices = Files.writeString(run.resolve("prices.yaml"), String.join("\n", "version: test", "models:", "  - model: " + SyntheticRun.MODEL,
                "    effective: \"2026-01-01\"", "    source: SentencesTest", "    prices: {input: 1.00, cached_input: 1.00, cache_write_5m: 1.00, cache_write_1h: 1.00, output: 10.00, reasoning: 10.00}", ""));
        RunConfig config = RunConfig.builder().concurrency(2).window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(2)).prices(prices)
                .priceAs(SyntheticRun.MODEL).build();
        io.soaklab.internal.cost.PriceCatalog catalog = io.soaklab.internal.cost.PriceCatalog.load(prices);
        catalog.writeTo(run);
        RunManifest manifest = RunManifest.create(run, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true));
        try (RunRecorder recorder = RunRecorder.open(run, TimeBase.now(), config.tariff(catalog))) {
            for (int w = 0; w < 2; w++) {
                recorder.beginWindow(false);
                for (int episode = 0; episode < 5; episode++) {
                    for (int step = 0; step < 12; step++) {
                        long e2e = e2eMs.applyAsLong(step) * MS;
                        recorder.recordCall(new CallResult(System.nanoTime(), MS, -1, e2e / 4, e2e / 2, e2e, 200, ErrorClass.OK, null,
                                new Usage(1000 + 800L * step, 100, 0, 0, Usage.Source.SERVER), "x", 50, 49 * MS, 2 * MS, "stop", null, List.of(),
                                -1, null, -1, "", 100, -1, Set.of()), 0, 5L * w + episode, step);
                    }
                    long end = System.nanoTime();
                    recorder.recordEpisode(new EpisodeRecord(0, 5L * w + episode, "coding-agent", true, null, end - 1000 * MS, end, 12, 12,
                            new io.soaklab.protocol.Usage(1, 0, 0, 0, io.soaklab.protocol.Usage.Source.SERVER), 0, Map.of(), Map.of(), BigDecimal.ZERO));
                }
                recorder.endWindow();
            }
        }
        manifest.withWindowsCompleted(2).ended(RunStatus.COMPLETE, null).write(run);
        return run;
    }
}
