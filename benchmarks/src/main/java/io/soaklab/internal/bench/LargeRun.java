package io.soaklab.internal.bench;

import io.soaklab.internal.record.RoleShare;
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
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a run folder of any size through the real recorder, without an endpoint: for measuring
 * how the analysis scales. Ten calls an episode, 1 % of them failing with HTTP 429, lognormal
 * latencies, a context that grows with the step; windows of 100,000 calls. With a number of shards
 * (and of windows), it writes that many shard folders of one soak instead ({@code DIR/shard-0}...),
 * each {@code CALLS} calls over the windows, for measuring {@code soaklab merge}: 16 shards of
 * an 8-hour soak are 16 folders of 480 one-minute windows.
 *
 * <pre>
 * java -cp benchmarks/target/soaklab.jar io.soaklab.internal.bench.LargeRun /tmp/big 10000000
 * /usr/bin/time -v java -Xmx1g -jar benchmarks/target/soaklab.jar report /tmp/big
 * java -cp benchmarks/target/soaklab.jar io.soaklab.internal.bench.LargeRun /tmp/shards 625000 16 480
 * /usr/bin/time -v java -Xmx256m -jar benchmarks/target/soaklab.jar merge /tmp/shards --out /tmp/merged --no-report
 * </pre>
 */
public final class LargeRun {

    private static final long MS = 1_000_000;
    private static final int CALLS_PER_WINDOW = 100_000;

    private LargeRun() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 4) {
            System.err.println("usage: LargeRun DIR CALLS [SHARDS [WINDOWS]]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        long calls = Long.parseLong(args[1]);
        long started = System.nanoTime();
        if (args.length == 2) {
            write(dir, calls, RunConfig.Shard.WHOLE, (int) Math.max(1, (calls + CALLS_PER_WINDOW - 1) / CALLS_PER_WINDOW));
            System.err.printf("LargeRun: %,d calls into %s in %.1f s%n", calls, dir, (System.nanoTime() - started) / 1e9);
            return;
        }
        int shards = Integer.parseInt(args[2]);
        int windows = args.length == 4 ? Integer.parseInt(args[3]) : (int) Math.max(1, (calls + CALLS_PER_WINDOW - 1) / CALLS_PER_WINDOW);
        for (int i = 0; i < shards; i++) {
            write(dir.resolve("shard-" + i), calls, new RunConfig.Shard(i, shards, null), windows);
        }
        System.err.printf("LargeRun: %d shards of %,d calls in %d windows into %s in %.1f s%n", shards, calls, windows, dir,
                (System.nanoTime() - started) / 1e9);
    }

    static void write(Path dir, long calls) throws IOException {
        write(dir, calls, RunConfig.Shard.WHOLE, (int) Math.max(1, (calls + CALLS_PER_WINDOW - 1) / CALLS_PER_WINDOW));
    }

    /** A run folder (or shard {@code shard}'s: users {@code shard}, {@code shard + shards}...) of {@code calls} calls in {@code windows} windows. */
    static void write(Path dir, long calls, RunConfig.Shard shard, int windows) throws IOException {
        Files.createDirectories(dir);
        long perWindow = (calls + windows - 1) / windows;
        RunConfig config = RunConfig.builder().concurrency(64 * shard.count()).window(Duration.ofMinutes(1)).duration(Duration.ofMinutes(windows))
                .shard(shard).build();
        RunManifest manifest = RunManifest.create(dir, config, new RunManifest.Endpoint(URI.create("http://127.0.0.1:9/v1"), true));
        manifest.write(dir);
        PriceCatalog catalog = PriceCatalog.load(null);
        catalog.writeTo(dir);
        Tariff tariff = config.tariff(catalog);
        SplittableRandom random = new SplittableRandom(42);
        long written = 0;
        BigDecimal episodeCost = BigDecimal.ZERO;
        try (RunRecorder recorder = shard.sharded() ? RunRecorder.open(dir, TimeBase.now(), tariff, shard.index())
                : RunRecorder.open(dir, TimeBase.now(), tariff)) {
            for (int w = 0; w < windows; w++) {
                recorder.beginWindow(false);
                for (int i = 0; i < perWindow && written < calls; i++, written++) {
                    long episode = written / 10;
                    int step = (int) (written % 10);
                    int user = (int) (episode % 64) * shard.count() + shard.index(); // the whole soak's user number
                    long now = System.nanoTime();
                    long ttft = (long) (Math.exp(5.5 + random.nextGaussian() * 0.4) * 1000) * 1000;
                    CallResult r = random.nextInt(100) == 0
                            ? new CallResult(now, MS / 5, -1, 3 * MS, -1, 3 * MS, 429, ErrorClass.HTTP_429, "HTTP 429: rate limited",
                                    Usage.NONE, "", 0, 0, 0, null, null, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of())
                            : new CallResult(now, MS / 5, -1, ttft / 2, ttft, ttft + 400 * MS, 200, ErrorClass.OK, null,
                                    new Usage(2_000 + 1_500L * step, 150, 1_500L * step, 0, Usage.Source.SERVER), "", 150, 149 * 2 * MS,
                                    2 * MS, "stop", "req_" + written, List.of(), -1, null, -1, "", 0, -1, java.util.Set.of());
                    episodeCost = episodeCost.add(recorder.recordCall(r, user, episode, step).total());
                    if (step == 9) {
                        long end = System.nanoTime();
                        recorder.recordEpisode(new EpisodeRecord(user, episode, "coding-agent", true, null, end - 8_000 * MS, end, 10, 10,
                                new Usage(87_500, 1_500, 0, 0, Usage.Source.SERVER), 0, Map.of("agent", RoleShare.ofCalls(10)), Map.of(), episodeCost));
                        episodeCost = BigDecimal.ZERO;
                    }
                }
                recorder.endWindow();
            }
        }
        manifest.withWindowsCompleted(windows).ended(RunStatus.COMPLETE, null).write(dir);
    }
}
