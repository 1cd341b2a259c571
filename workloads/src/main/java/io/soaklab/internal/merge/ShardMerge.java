package io.soaklab.internal.merge;

import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.EpisodeLine;
import io.soaklab.internal.record.EventLine;
import io.soaklab.internal.record.GeneratorLine;
import io.soaklab.internal.record.IntervalLog;
import io.soaklab.internal.record.LineMerge;
import io.soaklab.internal.record.RequestLine;
import io.soaklab.internal.record.ServerMetricsLine;
import io.soaklab.internal.sim.TruthLine;
import io.soaklab.internal.text.Durations;
import io.soaklab.internal.trace.TraceFile;
import io.soaklab.run.RunConfig;
import io.soaklab.run.RunFolder;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import io.soaklab.scenario.Scenarios;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code soaklab merge}: the run folders of one soak's shards ({@code soaklab run --shard I/N})
 * made one normal run folder, as one machine running the whole load would have written it.
 * Streaming throughout, so memory stays bounded whatever the number of shards and calls: the
 * histograms are added window by window with HdrHistogram's own {@code add} (nothing lost), the
 * line files interleaved a line of each shard at a time in the order of their times, the
 * generator's health kept per shard (a window is the generator's fault if any shard's was), the
 * server's metrics kept once however many shards scraped them. Its {@code run.json} holds the
 * soak's configuration, every shard as it ended ({@code shards}) and the worst shard's status, a
 * missing or crashed shard named in its message. Each file is merged by its own owner.
 *
 * <pre>{@code
 * ShardMerge.Result r = ShardMerge.merge(List.of(shard0, shard1, shard2), Path.of("results/soak"));
 * r.warnings().forEach(System.err::println);
 * }</pre>
 */
public final class ShardMerge {

    /**
     * How far two shards' clocks may disagree, beyond what their measurements can tell, before
     * the merge says so: a tenth of a second, small beside any window soaklab measures in.
     */
    public static final Duration CLOCK_BOUND = Duration.ofMillis(100);

    /**
     * What the merge did.
     *
     * @param manifest the merged run's {@code run.json}
     * @param calls    call lines merged
     * @param windows  measured windows merged
     * @param warnings what the user should know: missing or crashed shards, clocks that disagree, damaged lines
     */
    public record Result(RunManifest manifest, long calls, int windows, List<String> warnings) {
    }

    private ShardMerge() {
    }

    /**
     * The shard folders {@code given} names: each a run folder, or a folder holding them (its
     * subfolders that are run folders, e.g. {@code shard-0 ... shard-7}); {@code out} is never one.
     *
     * @throws IllegalArgumentException one line for the user
     */
    public static List<Path> folders(List<Path> given, Path out) throws IOException {
        List<Path> dirs = new ArrayList<>();
        Path target = out.toAbsolutePath().normalize();
        for (Path g : given) {
            if (!Files.isDirectory(g)) {
                throw new IllegalArgumentException(g + ": no such folder");
            }
            if (RunManifest.exists(g)) {
                dirs.add(g);
                continue;
            }
            try (Stream<Path> children = Files.list(g)) {
                // the shards' folders: an earlier merge's, or any other run folder beside them, is not one
                List<Path> runs = children.filter(Files::isDirectory).filter(RunManifest::exists)
                        .filter(c -> !c.toAbsolutePath().normalize().equals(target)).filter(ShardMerge::isShard).sorted().toList();
                if (runs.isEmpty()) {
                    throw new IllegalArgumentException(g + " is neither a run folder nor a folder of shards' run folders (no run.json in it or under it)");
                }
                dirs.addAll(runs);
            }
        }
        for (Path d : dirs) {
            if (d.toAbsolutePath().normalize().equals(target)) {
                throw new IllegalArgumentException("--out " + out + " is one of the shards: merge into a new folder");
            }
        }
        return dirs;
    }

    private static boolean isShard(Path dir) {
        try {
            return RunManifest.read(dir).config().shard().sharded();
        } catch (IOException | RuntimeException unreadable) {
            return true; // named as it is by the merge, in one line
        }
    }

    /**
     * Merges the shards in {@code dirs} into the new run folder {@code out}.
     *
     * @throws IllegalArgumentException one line for the user: not shards of one soak, a shard still running, {@code out} not empty
     */
    public static Result merge(List<Path> dirs, Path out) throws IOException {
        List<RunManifest> manifests = new ArrayList<>();
        for (Path d : dirs) {
            RunManifest m = RunManifest.read(d);
            if (m.runningHere()) {
                throw new IllegalArgumentException(d + " is still running (process " + m.pid() + "): merge once it has ended");
            }
            manifests.add(m);
        }
        Shards shards = Shards.of(dirs, manifests);
        if (Files.exists(out)) {
            try (Stream<Path> in = Files.list(out)) {
                if (in.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + out + " is not empty: merge into a new folder");
                }
            }
        }
        RunFolder.create(out);
        List<Path> ordered = shards.folders();
        List<String> warnings = new ArrayList<>(shards.warnings());
        Path first = ordered.get(0);
        Scenarios.copyKept(first, out);
        PriceCatalog kept = PriceCatalog.readFrom(first);
        if (kept != null) {
            kept.writeTo(out);
        }
        List<RunManifest> present = shards.manifests();
        IntervalLog.Merged hlog = IntervalLog.merge(ordered, out, (i, w) -> {
            RunManifest m = present.get(i);
            // a window it closed, or the one it was in when it ended without completing (its calls there are in calls.jsonl)
            boolean neverStarted = m.windowsCompleted() == 0 && m.status() == RunStatus.ABORTED; // e.g. came after --start-at
            return w < m.windowsCompleted() || w == m.windowsCompleted() && m.status() != RunStatus.COMPLETE && w < m.windowsPlanned() && !neverStarted;
        });
        LineMerge.Result calls = CallLine.merge(ordered, out);
        LineMerge.Result episodes = EpisodeLine.merge(ordered, out);
        LineMerge.Result events = EventLine.merge(ordered, out);
        LineMerge.Result generator = GeneratorLine.merge(ordered, out);
        LineMerge.Result server = ServerMetricsLine.merge(ordered, out);
        LineMerge.Result truth = TruthLine.merge(ordered, out);
        LineMerge.Result requests = RequestLine.merge(ordered, out);
        LineMerge.Result traces = TraceFile.merge(ordered, out);
        long damaged = hlog.damagedLines() + calls.damaged() + episodes.damaged() + events.damaged() + generator.damaged() + server.damaged()
                + truth.damaged() + requests.damaged() + traces.damaged();
        if (damaged > 0) {
            warnings.add(damaged + " damaged " + (damaged == 1 ? "line" : "lines") + " of the shards' files left out (the last line of a shard killed while"
                    + " writing it, most often)");
        }
        if (hlog.firstShort() >= 0 && hlog.firstShort() < shards.manifest(out).windowsCompleted()) {
            warnings.add("from window " + hlog.firstShort() + " on, " + hlog.shortWindows() + " of the merged windows lack a shard that had"
                    + " ended: they hold less than the whole soak's load");
        }
        if (hlog.leftOut() > 0) {
            warnings.add(hlog.leftOut() + (hlog.leftOut() == 1 ? " window's" : " windows'") + " latency is short of a shard's intervals (the one it"
                    + " was in when it ended, or damaged): the report rebuilds it from the calls, without inter-token gaps");
        }
        long window = shards.config().schedule().window().toMillis();
        if (hlog.worstSpreadMs() > Math.max(CLOCK_BOUND.toMillis(), window / 50)) {
            warnings.add(String.format(Locale.ROOT, "the shards' window %d began up to %s apart by their own clocks (of a %s window)%s",
                    hlog.worstWindow(), Durations.format(Duration.ofMillis(hlog.worstSpreadMs())), Durations.format(Duration.ofMillis(window)),
                    shards.config().shard().startAt() == null ? ": start them with --start-at so that each window covers the same time"
                            : ": a shard was slow to close its windows (a busy machine?)"));
        }
        RunManifest merged = shards.manifest(out);
        merged.write(out);
        return new Result(merged, calls.lines(), hlog.windows(), List.copyOf(warnings));
    }

    /** The shards found, checked to be one soak's, in shard order. */
    private record Shards(RunConfig config, List<Path> folders, List<RunManifest> manifests, int count, List<RunManifest.ShardRun> runs,
                          List<String> warnings) {

        static Shards of(List<Path> dirs, List<RunManifest> manifests) {
            RunManifest first = null;
            int count = -1;
            RunManifest[] byIndex = null;
            Path[] folderOf = null;
            for (int i = 0; i < dirs.size(); i++) {
                RunManifest m = manifests.get(i);
                RunConfig.Shard s = m.config().shard();
                if (!s.sharded()) {
                    throw new IllegalArgumentException(dirs.get(i) + " is not a shard (it was run without --shard or --shards): nothing to merge it with");
                }
                if (first == null) {
                    first = m;
                    count = s.count();
                    byIndex = new RunManifest[count];
                    folderOf = new Path[count];
                } else {
                    if (s.count() != count) {
                        throw new IllegalArgumentException(dirs.get(i) + " is shard " + s + ", " + folderOf[first.config().shard().index()] + " of "
                                + count + " shards: not one soak");
                    }
                    String differs = differs(first.config(), m.config());
                    if (differs != null) {
                        throw new IllegalArgumentException(dirs.get(i) + " ran another soak than " + folderOf[first.config().shard().index()] + " ("
                                + differs + " differs): not one soak");
                    }
                }
                if (byIndex[s.index()] != null) {
                    throw new IllegalArgumentException(dirs.get(i) + " and " + folderOf[s.index()] + " are both shard " + s);
                }
                byIndex[s.index()] = m;
                folderOf[s.index()] = dirs.get(i);
            }
            List<Path> folders = new ArrayList<>();
            List<RunManifest> ordered = new ArrayList<>();
            List<RunManifest.ShardRun> runs = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                RunManifest m = byIndex[k];
                if (m == null) {
                    runs.add(new RunManifest.ShardRun(k, null, null, "missing: no folder of shard " + k + " was given", null, null, 0, null));
                    warnings.add("shard " + k + " of " + count + " is missing: the merged run lacks its share of the load");
                    continue;
                }
                RunStatus status = m.status() == RunStatus.RUNNING ? RunStatus.CRASHED : m.status(); // it never said it ended
                String message = m.status() == RunStatus.RUNNING ? "it never said it ended: killed, or its machine was lost" : m.message();
                runs.add(new RunManifest.ShardRun(k, folderOf[k].toString(), status, message, m.host(), m.started(), m.windowsCompleted(), m.clock()));
                folders.add(folderOf[k]);
                ordered.add(m);
                if (status != RunStatus.COMPLETE) {
                    warnings.add("shard " + k + " " + status.wireName() + " after " + m.windowsCompleted() + " of " + m.windowsPlanned() + " windows"
                            + (message == null ? "" : " (" + message + ")") + ": what it recorded is merged");
                }
            }
            warnings.addAll(clocks(runs));
            return new Shards(first.config(), folders, ordered, count, runs, warnings);
        }

        /** The first setting in which two shards' configurations differ, or null when they ran one soak. */
        private static String differs(RunConfig a, RunConfig b) {
            RunConfig wa = a.withShard(RunConfig.Shard.WHOLE);
            RunConfig wb = b.withShard(RunConfig.Shard.WHOLE);
            if (!wa.workload().equals(wb.workload())) {
                return "workload";
            }
            if (!wa.schedule().equals(wb.schedule())) {
                return "schedule";
            }
            if (!java.util.Objects.equals(a.shard().startAt(), b.shard().startAt())) {
                return "--start-at";
            }
            if (!java.util.Objects.equals(wa.target().model(), wb.target().model()) || wa.target().api() != wb.target().api()) {
                return "target";
            }
            return null;
        }

        /** Shards whose clocks disagree by more than {@link #CLOCK_BOUND} beyond what their measurements can tell. */
        private static List<String> clocks(List<RunManifest.ShardRun> runs) {
            List<String> out = new ArrayList<>();
            List<RunManifest.ShardRun> measured = runs.stream().filter(r -> r.clock() != null).toList();
            if (measured.size() < 2) {
                return out;
            }
            RunManifest.ShardRun lo = measured.stream().min(Comparator.comparingLong(r -> r.clock().offsetMs())).orElseThrow();
            RunManifest.ShardRun hi = measured.stream().max(Comparator.comparingLong(r -> r.clock().offsetMs())).orElseThrow();
            long apart = hi.clock().offsetMs() - lo.clock().offsetMs();
            long surely = apart - lo.clock().uncertaintyMs() - hi.clock().uncertaintyMs();
            if (surely > CLOCK_BOUND.toMillis()) {
                out.add(String.format(Locale.ROOT, "the clocks of shards %d and %d disagree by %d ms (at least %d ms, measured against the endpoint's):"
                        + " more than %d ms, so their windows cover different times; synchronise the machines' clocks (NTP)", lo.index(), hi.index(),
                        apart, surely, CLOCK_BOUND.toMillis()));
            }
            return out;
        }

        /** The merged run's {@code run.json}: as many windows completed as the shard that ran longest. */
        RunManifest manifest(Path out) {
            RunManifest first = manifests.get(0);
            RunStatus worst = RunStatus.COMPLETE;
            for (RunManifest.ShardRun r : runs) {
                RunStatus s = r.status() == null ? RunStatus.CRASHED : r.status();
                if (rank(s) > rank(worst)) {
                    worst = s;
                }
            }
            List<String> why = new ArrayList<>();
            for (RunManifest.ShardRun r : runs) {
                if (r.status() == null) {
                    why.add("shard " + r.index() + " missing");
                } else if (r.status() != RunStatus.COMPLETE) {
                    why.add("shard " + r.index() + " " + r.status().wireName() + " after " + r.windowsCompleted() + " windows"
                            + (r.message() == null ? "" : ": " + r.message()));
                }
            }
            // when the load began: the shards' one start instant, or the earliest shard's start
            String started = config.shard().startAt() != null ? config.shard().startAt().toString()
                    : manifests.stream().map(RunManifest::started).filter(java.util.Objects::nonNull).min(Comparator.naturalOrder()).orElse(null);
            String ended = manifests.stream().map(RunManifest::ended).filter(java.util.Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
            int completed = manifests.stream().mapToInt(RunManifest::windowsCompleted).max().orElse(0);
            RunConfig whole = first.config().withShard(first.config().shard().startAt() == null ? RunConfig.Shard.WHOLE
                    : new RunConfig.Shard(0, 1, first.config().shard().startAt()));
            RunManifest made = RunManifest.create(out, whole, first.endpoint());
            String message = why.isEmpty() ? null : "merged from " + count + " shards; " + String.join("; ", why);
            return new RunManifest(made.soaklab(), made.format(), made.runId(), worst, message, made.created(), started, ended, made.pid(), null,
                    made.host(), first.versions(), whole, first.endpoint(), first.windowsPlanned(), completed,
                    null, runs);
        }

        private static int rank(RunStatus s) {
            return switch (s) {
                case COMPLETE -> 0;
                case ABORTED -> 1;
                case FAILED -> 2;
                case RUNNING, CRASHED -> 3;
            };
        }
    }
}
