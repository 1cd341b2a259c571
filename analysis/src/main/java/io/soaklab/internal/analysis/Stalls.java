package io.soaklab.internal.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Stalls of the endpoint, seen directly: windows whose longest silence (replies streaming, no byte
 * of any call arriving; {@code silence_us} of {@code generator.jsonl}) is at least
 * {@value #MIN_STALL_MILLIS} ms and {@value #FACTOR} times the run's own inter-token gap at its
 * 99th percentile: far beyond any gap the endpoint makes while it works. In an open loop a stall
 * also shows in every call that arrives during it; in a closed loop only the calls in flight carry
 * it, and the rest is lost throughput, so the percentiles alone can miss it.
 *
 * <pre>{@code
 * Stalls s = Stalls.of(RunData.load(dir));
 * s.windows();   // the windows that stalled, from 0
 * }</pre>
 *
 * @param windows        the windows that stalled, from 0
 * @param longestMicros  the longest silence of the run
 * @param longestWindow  the window it was in
 * @param gapP99Micros   the run's inter-token gap at its 99th percentile
 * @param measured       windows with a silence measured (runs before it have none)
 */
public record Stalls(List<Integer> windows, long longestMicros, int longestWindow, long gapP99Micros, int measured) {

    /** The shortest silence called a stall. */
    public static final long MIN_STALL_MILLIS = 1000;
    /** How many times the run's inter-token gap (p99) a stall is at least. */
    public static final int FACTOR = 10;

    /** The run's stalls; none when its windows measured no silence. */
    public static Stalls of(RunData run) {
        List<WindowStats> all = run.windows();
        int measured = (int) all.stream().filter(w -> w.generator().silenceMicros() >= 0).count();
        Percentiles gaps = run.totals().get(io.soaklab.internal.record.Metric.ITL);
        long gapP99 = gaps == null || gaps.empty() ? 0 : gaps.p99();
        long threshold = Math.max(MIN_STALL_MILLIS * 1000, FACTOR * gapP99);
        List<Integer> stalled = new ArrayList<>();
        long longest = -1;
        int at = -1;
        for (WindowStats w : all) {
            long s = w.generator().silenceMicros();
            if (s > longest) {
                longest = s;
                at = w.index();
            }
            if (s >= threshold) {
                stalled.add(w.index());
            }
        }
        return new Stalls(List.copyOf(stalled), longest, at, gapP99, measured);
    }

    /** Whether any window stalled. */
    public boolean any() {
        return !windows.isEmpty();
    }

}
