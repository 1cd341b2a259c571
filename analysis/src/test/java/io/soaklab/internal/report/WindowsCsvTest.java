package io.soaklab.internal.report;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.HdrHistogram.HistogramLogProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** windows.csv agrees with HdrHistogram's own HistogramLogProcessor on the same log. */
class WindowsCsvTest {

    private static final long MS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void percentilesAgreeWithHistogramLogProcessorWindowByWindow() throws Exception {
        RunConfig config = RunConfig.builder().window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(4)).priceAs(RunConfig.UNPRICED).build();
        RunManifest m = RunManifest.create(dir, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true));
        m.write(dir);
        Random random = new Random(9);
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now(), null)) {
            for (int w = 0; w < 4; w++) {
                recorder.beginWindow(false);
                for (int i = 0; i < 500; i++) {
                    long ttft = (long) (Math.exp(5 + w * 0.3 + random.nextGaussian() * 0.6) * 1000); // lognormal, microseconds
                    recorder.recordCall(new CallResult(System.nanoTime(), MS / 10, -1, ttft * 500, ttft * 1000, ttft * 1000 + 900 * MS, 200,
                            ErrorClass.OK, null, new Usage(1000, 50, 0, 0, Usage.Source.SERVER), "x", 50, 49 * 18 * MS, 18 * MS, "stop", null,
                            List.of(), -1, null, -1, "", 0, -1, java.util.Set.of()), 0, w, i);
                }
                recorder.recordCall(new CallResult(System.nanoTime(), MS, -1, 3 * MS, -1, 3 * MS, 503, ErrorClass.HTTP_5XX, "HTTP 503",
                        Usage.NONE, "", 0, 0, 0, null, null, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of()), 1, w, 0);
                recorder.endWindow();
            }
        }
        m.withWindowsCompleted(4).ended(RunStatus.COMPLETE, null).write(dir);

        Path csv = WindowsCsv.write(RunData.load(dir));
        List<String> rows = Files.readAllLines(csv);
        List<String> header = Arrays.asList(rows.get(0).split(","));
        assertEquals(5, rows.size(), "a header and four windows");
        assertTrue(header.containsAll(List.of("calls", "errors_http_5xx", "error_rate", "ttft_p99_ms", "itl_p999_ms", "schedule_lag_max_ms",
                "probe_exact_rate", "spend_usd")), header.toString());

        Path out = dir.resolve("hlp-ttft");
        new HistogramLogProcessor(new String[] {"-i", dir.resolve(RunFile.HISTOGRAMS.fileName()).toString(), "-tag", "ttft", "-csv",
            "-outputValueUnitRatio", "1000", "-o", out.toString()}).run();
        List<String[]> reference = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            if (!line.startsWith("#") && !line.startsWith("\"")) {
                reference.add(line.split(","));
            }
        }
        assertEquals(4, reference.size());
        for (int w = 0; w < 4; w++) {
            String[] ours = rows.get(w + 1).split(",");
            String[] theirs = reference.get(w); // Timestamp, Int_Count, Int_50%, Int_90%, Int_Max, ...
            assertEquals("501", ours[header.indexOf("calls")]);
            assertEquals("1", ours[header.indexOf("errors_http_5xx")]);
            assertEquals(Long.parseLong(theirs[1]), Long.parseLong(ours[header.indexOf("ttft_count")]), "window " + w);
            assertEquals(Double.parseDouble(theirs[2]), Double.parseDouble(ours[header.indexOf("ttft_p50_ms")]), 0.001, "p50, window " + w);
            assertEquals(Double.parseDouble(theirs[3]), Double.parseDouble(ours[header.indexOf("ttft_p90_ms")]), 0.001, "p90, window " + w);
            assertEquals(Double.parseDouble(theirs[4]), Double.parseDouble(ours[header.indexOf("ttft_max_ms")]), 0.001, "max, window " + w);
        }
        // the lognormal's median e^(5 + 0.3w) ms, within HdrHistogram's 3 digits and the sample's noise
        assertEquals(Math.exp(5), Double.parseDouble(rows.get(1).split(",")[header.indexOf("ttft_p50_ms")]), Math.exp(5) * 0.1);
    }
}
