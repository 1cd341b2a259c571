package io.soaklab.internal.record;

import io.soaklab.internal.cost.Cost;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.ValueRecorder;

/**
 * The open window's numbers as calls end: latency into HdrHistogram {@link Recorder}s (taken
 * interval by interval), counts into {@link LongAdder}s, spend under a small lock. Lock-free for
 * the threads that record, except the spend; {@link #take} hands the window over and starts the
 * next from zero. The writer of the run folder ({@link RunRecorder}) decides which window a call
 * belongs to; this type only counts.
 */
final class WindowTally {

    private static final Metric[] METRICS = Metric.values();
    private static final ErrorClass[] CLASSES = ErrorClass.values();

    private final Recorder[] recorders = new Recorder[METRICS.length];
    private final LongAdder calls = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder[] errorClasses = new LongAdder[CLASSES.length];
    private final LongAdder open = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final Object spendLock = new Object();
    private BigDecimal windowSpend = BigDecimal.ZERO;
    private BigDecimal totalSpend = BigDecimal.ZERO;

    /** A window's numbers, taken. */
    record Taken(org.HdrHistogram.Histogram[] histograms, long calls, long attempts, long errors, Map<ErrorClass, Long> errorClasses, long open,
                 long promptTokens, long completionTokens, BigDecimal spend) {
    }

    WindowTally() {
        for (int i = 0; i < METRICS.length; i++) {
            recorders[i] = new Recorder(3); // auto-resizing: a session may last hours
        }
        for (int i = 0; i < CLASSES.length; i++) {
            errorClasses[i] = new LongAdder();
        }
    }

    /** Where the client reports inter-token gaps, in microseconds, as they happen. */
    ValueRecorder itl() {
        return recorders[Metric.ITL.ordinal()];
    }

    /** Counts an attempt that ended: its latencies, tokens and spend; a call's last attempt counts the call and its error. */
    void attempt(CallResult r, CallInfo info, Cost cost) {
        long retryWait = r.intendedNanos() - info.firstIntended(); // what earlier attempts and backoff cost the agent
        Metric.ofAttempt(r.error(), info.last(), r.lagNanos(), r.e2eNanos(), r.ttftSentNanos(), r.tpotNanos(),
                plus(r.firstTokenNanos(), retryWait), r.e2eNanos() + retryWait, plus(r.firstToolNanos(), retryWait), this::value);
        attempts.increment();
        promptTokens.add(r.usage().promptTokens());
        completionTokens.add(r.usage().completionTokens());
        synchronized (spendLock) {
            windowSpend = windowSpend.add(cost.total());
            totalSpend = totalSpend.add(cost.total());
        }
        if (!info.last()) {
            return;
        }
        if (r.error().failed()) {
            errors.increment();
            errorClasses[r.error().ordinal()].increment();
        }
        calls.increment();
    }

    /** Counts an episode that ended: a successful one's duration goes into the {@code episode} histogram. */
    void episode(EpisodeRecord e) {
        if (e.ok()) {
            value(Metric.EPISODE, e.durationNanos());
        }
    }

    /** Counts a call still open when the run ended. */
    void open() {
        open.increment();
    }

    /** What the run's calls have cost so far. */
    BigDecimal totalSpend() {
        synchronized (spendLock) {
            return totalSpend;
        }
    }

    /** The open window's counts so far, without taking them (no percentiles, no spend). */
    WindowSummary peek(boolean warmup, int index, long startMillis, long nowMillis) {
        return new WindowSummary(warmup, index, startMillis, nowMillis, calls.sum(), attempts.sum(), errors.sum(), classes(false), open.sum(),
                promptTokens.sum(), completionTokens.sum(), -1, -1, -1, -1, BigDecimal.ZERO, totalSpend());
    }

    /** Takes the window's histograms and counts; the next window starts from zero. */
    Taken take() {
        org.HdrHistogram.Histogram[] histograms = new org.HdrHistogram.Histogram[METRICS.length];
        for (int i = 0; i < METRICS.length; i++) {
            histograms[i] = recorders[i].getIntervalHistogram();
        }
        BigDecimal spent;
        synchronized (spendLock) {
            spent = windowSpend;
            windowSpend = BigDecimal.ZERO;
        }
        Map<ErrorClass, Long> classes = classes(true);
        return new Taken(histograms, calls.sumThenReset(), attempts.sumThenReset(), errors.sumThenReset(), classes, open.sumThenReset(),
                promptTokens.sumThenReset(), completionTokens.sumThenReset(), spent);
    }

    private Map<ErrorClass, Long> classes(boolean reset) {
        Map<ErrorClass, Long> classes = new EnumMap<>(ErrorClass.class);
        for (int i = 0; i < CLASSES.length; i++) {
            long n = reset ? errorClasses[i].sumThenReset() : errorClasses[i].sum();
            if (n > 0) {
                classes.put(CLASSES[i], n);
            }
        }
        return Map.copyOf(classes);
    }

    private void value(Metric metric, long nanos) {
        if (nanos >= 0) {
            recorders[metric.ordinal()].recordValue(nanos / 1000);
        }
    }

    private static long plus(long nanos, long extra) {
        return nanos < 0 ? -1 : nanos + extra;
    }
}
