package io.soaklab.internal.record;

import io.soaklab.protocol.ErrorClass;
import java.util.Map;

import java.math.BigDecimal;

/**
 * What one window recorded, for the progress line and {@code run.json}.
 *
 * @param warmup           true for a warmup window (not in the histograms log)
 * @param index            window number within its phase, from 0
 * @param startMillis      wall time the window opened
 * @param endMillis        wall time it closed
 * @param calls            calls that ended in the window (retried calls once)
 * @param attempts         attempts that ended in it, retries included
 * @param errors           calls that failed after every attempt
 * @param errorClasses     those failures by class
 * @param open             calls still open when the run ended, recorded in this (the last) window
 * @param promptTokens     input tokens of those attempts
 * @param completionTokens output tokens of those attempts
 * @param ttftP50Micros    median TTFT of successful calls, or -1
 * @param ttftP99Micros    99th percentile TTFT, or -1
 * @param e2eP99Micros     99th percentile end-to-end latency, or -1
 * @param lagMaxMicros     largest schedule lag, or -1
 * @param spend            what the window's attempts cost (zero when the run is not priced)
 * @param runSpend         what the run has cost so far
 */
public record WindowSummary(
        boolean warmup,
        int index,
        long startMillis,
        long endMillis,
        long calls,
        long attempts,
        long errors,
        Map<ErrorClass, Long> errorClasses,
        long open,
        long promptTokens,
        long completionTokens,
        long ttftP50Micros,
        long ttftP99Micros,
        long e2eP99Micros,
        long lagMaxMicros,
        BigDecimal spend,
        BigDecimal runSpend) {

    /** The failure class with the most calls in this window, or null when none failed. */
    public ErrorClass mostFrequentError() {
        return errorClasses.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    /**
     * True when calls soaklab sent ended in this window and every one of them failed. Calls it
     * refused itself (an open circuit breaker, the spend limit) are not the endpoint's failures.
     */
    public boolean everyCallFailed() {
        long unsent = errorClasses.entrySet().stream().filter(e -> !e.getKey().sent()).mapToLong(Map.Entry::getValue).sum();
        long sentCalls = calls - unsent;
        return sentCalls > 0 && errors - unsent == sentCalls;
    }

    /** True when no call soaklab sent ended in this window (none did, or it refused every one itself). */
    public boolean nothingSent() {
        long unsent = errorClasses.entrySet().stream().filter(e -> !e.getKey().sent()).mapToLong(Map.Entry::getValue).sum();
        return calls - unsent <= 0;
    }

    /** Window length in seconds. */
    public double seconds() {
        return Math.max(1, endMillis - startMillis) / 1000.0;
    }
}
