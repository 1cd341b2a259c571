package io.soaklab.internal.analysis;

import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.record.IntervalLog;
import io.soaklab.internal.record.Metric;
import io.soaklab.run.RunManifest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A run's windows, put together from what its files gave: each window's latency from its
 * intervals in the histograms log, or rebuilt from its calls where those are damaged or missing;
 * its time from its intervals, its neighbours (windows tile time) or its calls; its counts,
 * spend, probes, generator health and traffic. A window a killed run never closed is kept as a
 * partial one.
 */
final class Windows {

    /** The windows, the closed ones and then a partial one if any. */
    final List<WindowStats> windows = new ArrayList<>();
    /** Closed windows whose latency was rebuilt from calls. */
    private final List<Integer> rebuilt = new ArrayList<>();
    private final boolean partial;

    /**
     * @param closed          windows the run closed
     * @param bounds          each closed window's start and end ({@link #bounds}), or null
     * @param edges           the window edges the calls were placed by ({@link #edges}), or null
     * @param intervals       each window's percentiles read from the histograms log
     * @param totalHistograms the run's histograms, to which what is rebuilt from calls is added
     */
    Windows(RunManifest manifest, int closed, long[][] bounds, long[] edges, long windowMillis, Map<Integer, Map<Metric, Percentiles>> intervals,
            Map<Metric, Histogram> totalHistograms, CallsTally c, Costs costs, Episodes episodes, List<WindowStats.Generator> generator) {
        this.partial = c.perWindow.size() > closed;
        long inFlight = c.startedBefore - c.endedBefore;
        for (int i = 0; i < closed + (partial ? 1 : 0); i++) {
            Map<Metric, Percentiles> latency = new EnumMap<>(Metric.class);
            Map<Metric, Percentiles> fromLog = intervals.getOrDefault(i, Map.of());
            Map<Metric, Histogram> fromCalls = c.rebuilt.getOrDefault(i, Map.of());
            boolean missing = false;
            for (Metric m : Metric.values()) {
                Percentiles read = fromLog.get(m);
                if (read != null) {
                    latency.put(m, read);
                    continue;
                }
                missing = true;
                Histogram h = fromCalls.get(m);
                if (h != null) {
                    totalHistograms.get(m).add(h);
                    latency.put(m, Percentiles.of(h));
                }
            }
            CallsTally.Counts counts = i < c.perWindow.size() ? c.perWindow.get(i) : new CallsTally.Counts();
            long start;
            long end;
            WindowStats.Source source;
            if (i < closed) {
                // without any readable interval, a window's time is what its calls span: from the previous window's end to its last call's
                start = bounds != null ? bounds[i][0] : i > 0 ? windows.get(i - 1).endMillis()
                        : counts.attempts + counts.open > 0 ? counts.firstEndUs / 1000 : startedMillis(manifest);
                end = bounds != null ? bounds[i][1] : counts.attempts + counts.open > 0 ? Math.max(start, counts.lastEndUs / 1000) : start + windowMillis;
                source = missing ? WindowStats.Source.REBUILT : WindowStats.Source.HISTOGRAMS;
                if (missing) {
                    rebuilt.add(i);
                }
            } else {
                start = closed == 0 ? c.partialStartUs / 1000 : windows.get(closed - 1).endMillis();
                end = Math.max(start, c.partialEndUs / 1000);
                source = WindowStats.Source.PARTIAL;
            }
            inFlight += c.started[Math.min(i, closed)] - c.ended[Math.min(i, closed)];
            WindowStats.Traffic traffic = edges == null || closed == 0 ? WindowStats.Traffic.UNKNOWN
                    : new WindowStats.Traffic(c.started[Math.min(i, closed)], c.ended[Math.min(i, closed)], Math.max(0, inFlight));
            windows.add(new WindowStats(i, start, end, Collections.unmodifiableMap(latency), counts.calls, counts.attempts, counts.errorMap(),
                    counts.prompt, counts.completion, costs == null ? BigDecimal.ZERO : costs.window(i), episodes.probesInWindow(i),
                    i < generator.size() && generator.get(i) != null ? generator.get(i) : WindowStats.Generator.UNKNOWN, counts.open,
                    traffic, source));
        }
    }

    /** Says which windows were rebuilt and which was cut off. */
    void notes(List<String> notes) {
        if (!rebuilt.isEmpty()) {
            notes.add("The latency of " + (rebuilt.size() == 1 ? "window " : "windows ") + windowList(rebuilt) + " was rebuilt from "
                    + RunFile.CALLS + ": " + (rebuilt.size() == 1 ? "its intervals" : "their intervals") + " in " + RunFile.HISTOGRAMS
                    + " were damaged or missing (inter-token gaps and episode durations could not be rebuilt).");
        }
        if (partial) {
            WindowStats last = windows.get(windows.size() - 1);
            notes.add(String.format(Locale.ROOT, "Window %d never closed (the run was cut off): its %d calls are shown as a partial window of %.1f s,"
                    + " to its last call's end, and rates use that time.", last.index() + 1, last.calls(), last.seconds()));
        }
    }

    /** When the run started, epoch ms, for a run whose window times nothing else can give; 0 if unknown. */
    private static long startedMillis(RunManifest manifest) {
        try {
            return manifest.started() == null ? 0 : java.time.Instant.parse(manifest.started()).toEpochMilli();
        } catch (RuntimeException unreadable) {
            return 0;
        }
    }

    /** The window edges (epoch µs) calls are placed by: each closed window's start, then the last one's end; null without bounds. */
    static long[] edges(long[][] bounds, int closed) {
        if (bounds == null) {
            return null;
        }
        long[] edges = new long[closed + 1];
        for (int w = 0; w < closed; w++) {
            edges[w] = bounds[w][0] * 1000;
        }
        edges[closed] = closed == 0 ? 0 : bounds[closed - 1][1] * 1000;
        return edges;
    }

    /**
     * Each closed window's start and end (epoch ms): from its intervals, else from its neighbours
     * (windows tile time) or the configured length; null when no window of the log could be read.
     */
    static long[][] bounds(IntervalLog log, int closed, long windowMillis) {
        if (log.windows().isEmpty()) {
            return null;
        }
        long[][] b = new long[closed][];
        for (int w = 0; w < closed; w++) {
            b[w] = log.bounds(w);
        }
        int first = log.windows().first();
        for (int w = first - 1; w >= 0; w--) {
            b[w] = new long[] {b[w + 1][0] - windowMillis, b[w + 1][0]};
        }
        for (int w = first + 1; w < closed; w++) {
            if (b[w] == null) {
                long start = b[w - 1][1];
                int next = w + 1;
                while (next < closed && b[next] == null) {
                    next++;
                }
                long end = next < closed ? start + (b[next][0] - start) / (next - w) : start + windowMillis;
                b[w] = new long[] {start, end};
            }
        }
        return b;
    }

    private static String windowList(List<Integer> windows) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < windows.size() && i < 10; i++) {
            out.append(i == 0 ? "" : ", ").append(windows.get(i) + 1);
        }
        return windows.size() > 10 ? out + " and " + (windows.size() - 10) + " more" : out.toString();
    }
}
