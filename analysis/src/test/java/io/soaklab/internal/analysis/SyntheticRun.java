package io.soaklab.internal.analysis;

import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.EpisodeRecord;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntToLongFunction;
import java.util.List;
import java.util.Map;

/**
 * A run folder with known contents, written through the real recorder: in window {@code w} (from
 * 0), ten successful calls at steps 0..9 with TTFT {@code (w+1) * 100 ms}, E2E 1 s, 1000 prompt
 * and 100 output tokens each, and one HTTP 429 whose detail carries markup. Its tokens are priced
 * as {@value #MODEL}, $1 per million input and $10 per million output, from a price file of its own.
 * Its load generator was quiet: 20 % CPU and no GC in every window.
 */
public final class SyntheticRun {

    public static final String MODEL = "synthetic-1";
    public static final String HOSTILE = "<script>alert('x')</script> & \"quotes\"";
    private static final long MS = 1_000_000;

    private SyntheticRun() {
    }

    public static RunManifest write(Path dir, int windows) throws IOException {
        return write(dir, windows, w -> (w + 1) * 100L, w -> 1);
    }

    /**
     * The same run with TTFT {@code ttftMs(w)} in window {@code w} (every call of the window) and
     * schedule lag {@code lagMs(w)}.
     */
    public static RunManifest write(Path dir, int windows, IntToLongFunction ttftMs, IntToLongFunction lagMs) throws IOException {
        return write(dir, windows, Duration.ofSeconds(1), ttftMs, lagMs);
    }

    /** The same run with windows of {@code window}. */
    public static RunManifest write(Path dir, int windows, Duration window, IntToLongFunction ttftMs, IntToLongFunction lagMs) throws IOException {
        Path own = Files.writeString(Files.createTempFile("synthetic-prices", ".yaml"), String.join("\n",
                "version: test", "models:", "  - model: " + MODEL, "    effective: \"2026-01-01\"", "    source: SyntheticRun",
                "    prices: {input: 1.00, cached_input: 1.00, cache_write_5m: 1.00, cache_write_1h: 1.00, output: 10.00, reasoning: 10.00}", ""));
        RunConfig config = RunConfig.builder().concurrency(2).window(window).duration(window.multipliedBy(windows))
                .prices(own).priceAs(MODEL).build();
        PriceCatalog catalog = PriceCatalog.load(own);
        catalog.writeTo(Files.createDirectories(dir));
        Tariff tariff = config.tariff(catalog);
        RunManifest manifest = RunManifest.create(dir, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true));
        manifest.write(dir);
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now(), tariff)) {
            for (int w = 0; w < windows; w++) {
                recorder.beginWindow(false);
                BigDecimal episodeCost = BigDecimal.ZERO;
                for (int step = 0; step < 10; step++) {
                    long ttft = ttftMs.applyAsLong(w) * MS;
                    episodeCost = episodeCost.add(recorder.recordCall(new CallResult(System.nanoTime(), lagMs.applyAsLong(w) * MS, -1, ttft / 2, ttft, 1000 * MS, 200, ErrorClass.OK, null,
                            new Usage(1000 + 100L * step, 100, 0, 0, Usage.Source.SERVER), "x", 100, 99 * 5 * MS, 9 * MS, "stop", null, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of()), 0, w, step).total());
                }
                recorder.recordCall(new CallResult(System.nanoTime(), MS, -1, 3 * MS, -1, 3 * MS, 429, ErrorClass.HTTP_429,
                        HOSTILE, Usage.NONE, "", 0, 0, 0, null, null, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of()), 1, 0, 0);
                long end = System.nanoTime();
                recorder.recordEpisode(new EpisodeRecord(0, w, "coding-agent", true, null, end - 10_000 * MS, end, 10, 10,
                        new io.soaklab.protocol.Usage(14_500, 1000, 0, 0, io.soaklab.protocol.Usage.Source.SERVER), 0, Map.of("agent", io.soaklab.internal.record.RoleShare.ofCalls(10)),
                        Map.of("tool_calls", 9.0), episodeCost));
                recorder.recordEvent(0, w, "agent", end, "probe", "planned_tokens", 8000, "depth", 0.3, "exact", w % 2 == 0,
                        "similarity", w % 2 == 0 ? 1.0 : 0.2);
                recorder.endWindow();
            }
        }
        // its windows pass in microseconds, so the generator's measured CPU share of them means nothing: a quiet generator instead
        StringBuilder health = new StringBuilder();
        for (int w = 0; w < windows; w++) {
            health.append("{\"phase\":\"measure\",\"window\":").append(w).append(",\"gc_ms\":0,\"gc_count\":0,\"cpu\":0.2,\"heap_mb\":40,\"threads\":20}\n");
        }
        Files.writeString(dir.resolve(RunFile.GENERATOR.fileName()), health);
        RunManifest done = manifest.withWindowsCompleted(windows).ended(RunStatus.COMPLETE, null);
        done.write(dir);
        return done;
    }
}
