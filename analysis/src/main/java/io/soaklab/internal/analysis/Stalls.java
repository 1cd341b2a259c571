package io.soaklab.internal.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Stalls of the endpoint, seen directly: windows whose longest silence (calls open, no byte of any
 * of them arriving; {@code silence_us} of {@code generator.jsonl}) is at least
 * {@value #MIN_STALL_MILLIS} ms and {@value #FACTOR} times the run's median window silence. In an
 * open loop a stall also shows in every call that arrives during it; in a closed loop only the
 * calls in flight carry it, and the rest is lost throughput, so the percentiles alone can miss it.
 *
 * <pre>{@code
 * Stalls s = Stalls.of(RunData.load(dir));
 * s.windows();   // the windows that stalled, from 0
 * }</pre>
 *
 * @param windows        the windows that stalled, from 0
 * @param longestMicros  the longest silence of the run
 * @param longestWindow  the window it was in
 * @param medianMicros   the run's median window silence
 * @param measured       windows with a silence measured (runs before it have none)
 */
public record Stalls(List<Integer> windows, long longestMicros, int longestWindow, long medianMicros, int measured) {

    /** The shortest silence called a stall. */
    public static final long MIN_STALL_MILLIS = 1000;
    /** How many times the run's median window silence a stall is at least. */
    public static final int FACTOR = 5;

    /** The run's stalls; none when its windows measured no silence. */
    public static Stalls of(RunData run) {
        List<WindowStats> all = run.windows();
        long[] silences = all.stream().mapToLong(w -> w.generator().silenceMicros()).filter(v -> v >= 0).sorted().toArray();
        if (silences.length == 0) {
            return new Stalls(List.of(), -1, -1, -1, 0);
        }
        long median = silences[(silences.length - 1) / 2];
        long threshold = Math.max(MIN_STALL_MILLIS * 1000, FACTOR * median);
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
        return new Stalls(List.copyOf(stalled), longest, at, median, silences.length);
    }

    /** Whether any window stalled. */
    public boolean any() {
        return !windows.isEmpty();
    }

}
