package io.soaklab.analysis;

import io.soaklab.cost.PricePair;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import io.soaklab.record.RunRecorder;
import io.soaklab.record.TimeBase;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A run folder with known contents, written through the real recorder: in window {@code w} (from
 * 0), ten successful calls at steps 0..9 with TTFT {@code (w+1) * 100 ms}, E2E 1 s, 1000 prompt
 * and 100 output tokens each, and one HTTP 429 whose detail carries markup.
 */
public final class SyntheticRun {

    public static final String HOSTILE = "<script>alert('x')</script> & \"quotes\"";
    private static final long MS = 1_000_000;

    private SyntheticRun() {
    }

    public static RunManifest write(Path dir, int windows) throws IOException {
        RunConfig config = RunConfig.builder().concurrency(2).window(Duration.ofSeconds(1)).duration(Duration.ofSeconds(windows))
                .price(PricePair.of("1.00", "10.00")).build();
        RunManifest manifest = RunManifest.create(dir, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true));
        manifest.write(dir);
        try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
            for (int w = 0; w < windows; w++) {
                recorder.beginWindow(false);
                for (int step = 0; step < 10; step++) {
                    long ttft = (w + 1) * 100L * MS;
                    recorder.recordCall(new CallResult(System.nanoTime(), MS, -1, ttft / 2, ttft, 1000 * MS, 200, ErrorClass.OK, null,
                            new Usage(1000 + 100L * step, 100, 0, 0, Usage.Source.SERVER), "x", 100, 99 * 5 * MS, 9 * MS, "stop", null, java.util.List.of(), -1, null, -1), 0, 0, step);
                }
                recorder.recordCall(new CallResult(System.nanoTime(), MS, -1, 3 * MS, -1, 3 * MS, 429, ErrorClass.HTTP_429,
                        HOSTILE, Usage.NONE, "", 0, 0, 0, null, null, java.util.List.of(), -1, null, -1), 1, 0, 0);
                long end = System.nanoTime();
                recorder.recordEpisode(new io.soaklab.record.EpisodeRecord(0, w, "coding-agent", true, null, end - 10_000 * MS, end, 10, 10,
                        java.util.Map.of("prompt", 14_500L, "completion", 1000L), java.util.Map.of("agent", java.util.Map.of("calls", 10L)),
                        java.util.Map.of("tool_calls", 9.0)));
                recorder.recordEvent(0, w, "agent", end, "probe", "planned_tokens", 8000, "depth", 0.3, "exact", w % 2 == 0,
                        "similarity", w % 2 == 0 ? 1.0 : 0.2);
                recorder.endWindow();
            }
        }
        RunManifest done = manifest.withWindowsCompleted(windows).ended(RunStatus.COMPLETE, null);
        done.write(dir);
        return done;
    }
}
