package io.soaklab.internal.analysis;

import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import java.math.BigDecimal;
import java.util.Map;

/**
 * One measured window: its latency summaries from {@code histograms.hlog} and its counts from
 * {@code calls.jsonl}.
 *
 * @param index            window number, from 0
 * @param startMillis      wall time it opened
 * @param endMillis        wall time it closed
 * @param latency          summary per metric
 * @param calls            calls that ended in it
 * @param attempts         attempts that ended in it, retries included
 * @param errors           failed calls by class
 * @param promptTokens     input tokens
 * @param completionTokens output tokens
 * @param spend            what its calls cost, at the run's tariff
 * @param probes           long-context probe answers in it
 * @param generator        the load generator's health in it, or {@link Generator#UNKNOWN}
 * @param open             calls still open when the run ended, recorded in it (the last window)
 * @param traffic          calls sent and ended in its time, and in flight at its end
 * @param source           where its latency comes from
 */
public record WindowStats(
        int index,
        long startMillis,
        long endMillis,
        Map<Metric, Percentiles> latency,
        long calls,
        long attempts,
        Map<ErrorClass, Long> errors,
        long promptTokens,
        long completionTokens,
        BigDecimal spend,
        Episodes.Accuracy probes,
        Generator generator,
        long open,
        Traffic traffic,
        Source source) {

    /** Where a window's latency comes from. */
    public enum Source {
        /** Its intervals in {@code histograms.hlog}. */
        HISTOGRAMS,
        /**
         * Rebuilt from {@code calls.jsonl}: its intervals in {@code histograms.hlog} were damaged or
         * missing. Every call metric is there; inter-token gaps and episode durations are not.
         */
        REBUILT,
        /**
         * The window a killed run never closed: rebuilt from {@code calls.jsonl}, from the last closed
         * window's end to its last call's end.
         */
        PARTIAL
    }

    /**
     * Calls in flight: how many were sent in a window's time, how many ended in it, and how many
     * were still open at its end. A hang shows as calls sent and none ended, the open count rising.
     *
     * @param started  calls sent in the window
     * @param ended    calls that ended in it
     * @param inFlight calls open at its end
     */
    public record Traffic(long started, long ended, long inFlight) {
        public static final Traffic UNKNOWN = new Traffic(-1, -1, -1);
    }

    /**
     * The load generator's own figures for a window ({@code generator.jsonl}).
     *
     * @param gcMillis  time its garbage collectors took, -1 when unknown
     * @param cpu       its process's CPU, a share of every core (0..1), NaN when unknown
     * @param systemCpu the machine's CPU load (0..1), NaN when unknown
     * @param heapMb    heap in use at the window's close, -1 when unknown
     */
    /**
     * The load generator's health in a window ({@code generator.jsonl}); -1 or NaN where a run
     * older than a figure has none.
     *
     * @param pauseP99Micros its own pauses at P99 (how late a thread asking to wake every millisecond woke)
     * @param pauseMaxMicros the longest of them
     * @param silenceMicros  the longest time in the window that replies were streaming and no byte arrived: a stalled endpoint
     */
    public record Generator(long gcMillis, double cpu, double systemCpu, long heapMb, long pauseP99Micros, long pauseMaxMicros,
                            long silenceMicros) {
        public static final Generator UNKNOWN = new Generator(-1, Double.NaN, Double.NaN, -1, -1, -1, -1);

        /**
         * Two shards' figures for one window, as one generator's: the worse of each (a window is the
         * generator's fault if any shard's was), but the silence, which is the endpoint's: the
         * shorter of the two, since a silence of the whole soak is one every shard saw (a bound: the
         * shards' silences need not be at the same moment).
         */
        public Generator worst(Generator other) {
            return new Generator(Math.max(gcMillis, other.gcMillis), max(cpu, other.cpu), max(systemCpu, other.systemCpu),
                    Math.max(heapMb, other.heapMb), Math.max(pauseP99Micros, other.pauseP99Micros), Math.max(pauseMaxMicros, other.pauseMaxMicros),
                    silenceMicros < 0 || other.silenceMicros < 0 ? Math.max(silenceMicros, other.silenceMicros) : Math.min(silenceMicros, other.silenceMicros));
        }

        private static double max(double a, double b) {
            return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
        }
    }

    public double seconds() {
        return Math.max(1, endMillis - startMillis) / 1000.0;
    }

    public Percentiles latency(Metric metric) {
        return latency.getOrDefault(metric, Percentiles.EMPTY);
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }
}
