package io.soaklab.analysis;

import io.soaklab.protocol.ErrorClass;
import io.soaklab.record.Metric;
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
        Episodes.Accuracy probes) {

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
