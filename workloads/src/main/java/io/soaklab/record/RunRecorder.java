package io.soaklab.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.Usage;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.ValueRecorder;

/**
 * Records a run into its folder, window by window: latency distributions into one HdrHistogram
 * interval log ({@code histograms.hlog}, one interval per {@link Metric} per measured window,
 * values in microseconds), and one JSON line per call ({@code calls.jsonl}) and per finished
 * session ({@code sessions.jsonl}).
 *
 * <p>Recording is thread-safe; latencies go into HdrHistogram {@link Recorder}s. Nothing
 * per call is kept in memory beyond the current window: memory does not grow with run length.
 * Each window's intervals are flushed and synced to disk when it closes; call lines at least every
 * second.
 *
 * <pre>{@code
 * try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
 *     recorder.beginWindow(false);
 *     recorder.recordCall(result, user, session, step);
 *     WindowSummary window = recorder.endWindow();
 * }
 * }</pre>
 */
public final class RunRecorder implements AutoCloseable {

    /** The HdrHistogram interval log. */
    public static final String HISTOGRAMS = "histograms.hlog";
    /** One JSON line per model call. */
    public static final String CALLS = "calls.jsonl";
    /** One JSON line per finished session. */
    public static final String SESSIONS = "sessions.jsonl";

    private static final JsonFactory JSON = new JsonFactory();
    private static final Metric[] METRICS = Metric.values();
    /** Values are microseconds; this makes the log's max column read in milliseconds. */
    private static final double MAX_VALUE_UNIT_RATIO = 1000.0;

    private final TimeBase time;
    private final Recorder[] recorders = new Recorder[METRICS.length];
    /** Held from taking a window's histograms to writing them: windows reach the log in order. */
    private final Object hlogOrder = new Object();
    private final FileOutputStream hlogFile;
    private final PrintStream hlogStream;
    private final HistogramLogWriter hlog;
    private final JsonLines calls;
    private final JsonLines sessions;
    private final ScheduledExecutorService flusher;
    private final ThreadLocal<JsonLines.Line> lines = ThreadLocal.withInitial(JsonLines.Line::new);
    private final LongAdder windowCalls = new LongAdder();
    private final LongAdder windowErrors = new LongAdder();
    private final LongAdder windowPromptTokens = new LongAdder();
    private final LongAdder windowCompletionTokens = new LongAdder();

    /**
     * Calls take the read side to record; opening and closing a window take the write side, so a
     * call's histogram values and its line always land in the same window.
     */
    private final ReentrantReadWriteLock windows = new ReentrantReadWriteLock();
    /** Lines of calls that ended between two windows, written once the next window says its phase. */
    private final List<Runnable> betweenWindows = new ArrayList<>();
    private boolean warmup;
    private int window;
    private boolean windowOpen;
    private boolean started;
    private long windowStart;
    private int warmupWindows;
    private int measuredWindows;
    private boolean sealed;
    private boolean closed;

    private RunRecorder(Path dir, TimeBase time) throws IOException {
        this.time = time;
        for (int i = 0; i < METRICS.length; i++) {
            recorders[i] = new Recorder(3); // auto-resizing: a session may last hours
        }
        this.hlogFile = new FileOutputStream(dir.resolve(HISTOGRAMS).toFile());
        this.hlogStream = new PrintStream(new BufferedOutputStream(hlogFile, 64 << 10), false, StandardCharsets.UTF_8);
        this.hlog = new HistogramLogWriter(hlogStream);
        long startMillis = time.epochMicros() / 1000;
        hlog.outputComment("soaklab histograms: values in microseconds, one interval per tag per measured window");
        hlog.outputLogFormatVersion();
        hlog.outputStartTime(startMillis);
        hlog.setBaseTime(startMillis);
        hlog.outputBaseTime(startMillis);
        hlog.outputLegend();
        syncHistograms();
        this.calls = new JsonLines(dir.resolve(CALLS));
        this.sessions = new JsonLines(dir.resolve(SESSIONS));
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soaklab-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleAtFixedRate(() -> {
            calls.flush();
            sessions.flush();
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Creates the run's record files in {@code dir}, with times anchored at {@code time}. */
    public static RunRecorder open(Path dir, TimeBase time) throws IOException {
        return new RunRecorder(dir, time);
    }

    /** Where the client reports inter-token gaps, in microseconds, as they happen. */
    public ValueRecorder itl() {
        return recorders[Metric.ITL.ordinal()];
    }

    /** The clock anchor of this run. */
    public TimeBase timeBase() {
        return time;
    }

    /**
     * Records one finished call: its latencies into the current window's histograms, and one line
     * into {@code calls.jsonl}. Called by the thread that made the call, never by an I/O thread.
     */
    public void recordCall(CallResult r, int user, long session, int step) {
        record(() -> callValues(r), () -> writeCall(r, user, session, step));
    }

    /**
     * Records values now and writes a line in the current window, or, between windows, once the
     * next window has opened and said its phase. Nothing after {@link #seal()} or close.
     */
    private void record(Runnable values, Runnable line) {
        windows.readLock().lock();
        try {
            if (sealed || closed) {
                return;
            }
            values.run();
            if (windowOpen) {
                line.run();
            } else {
                synchronized (betweenWindows) {
                    betweenWindows.add(line);
                }
            }
        } finally {
            windows.readLock().unlock();
        }
    }

    private void callValues(CallResult r) {
        value(Metric.SCHEDULE_LAG, r.lagNanos());
        if (r.ok()) {
            value(Metric.TTFT, r.firstTokenNanos());
            value(Metric.TTFT_SENT, r.ttftSentNanos());
            value(Metric.E2E, r.e2eNanos());
            value(Metric.TPOT, r.tpotNanos());
        } else {
            value(Metric.E2E_FAILED, r.e2eNanos());
            windowErrors.increment();
        }
        windowCalls.increment();
        windowPromptTokens.add(r.usage().promptTokens());
        windowCompletionTokens.add(r.usage().completionTokens());
    }

    private void writeCall(CallResult r, int user, long session, int step) {
        writeLine(calls, user, session, g -> {
            g.writeNumberField("step", step);
            g.writeNumberField("intended_us", time.epochMicros(r.intendedNanos()));
            optional(g, "lag_us", r.lagNanos());
            optional(g, "connect_us", r.connectNanos());
            optional(g, "headers_us", r.headersNanos());
            optional(g, "ttft_us", r.firstTokenNanos());
            optional(g, "ttft_sent_us", r.ttftSentNanos());
            g.writeNumberField("e2e_us", micros(r.e2eNanos()));
            g.writeNumberField("status", r.status());
            g.writeStringField("error", r.error().wireName());
            if (r.errorDetail() != null) {
                g.writeStringField("error_detail", r.errorDetail());
            }
            if (r.finishReason() != null) {
                g.writeStringField("finish", r.finishReason());
            }
            Usage u = r.usage();
            g.writeNumberField("prompt_tokens", u.promptTokens());
            g.writeNumberField("completion_tokens", u.completionTokens());
            g.writeNumberField("cached_tokens", u.cachedTokens());
            g.writeNumberField("reasoning_tokens", u.reasoningTokens());
            g.writeNumberField("cache_write_tokens", u.cacheWriteTokens());
            if (u.cacheWrite1hTokens() > 0) {
                g.writeNumberField("cache_write_1h_tokens", u.cacheWrite1hTokens());
            }
            g.writeStringField("usage", u.source().wireName());
            if (r.requestId() != null) {
                g.writeStringField("request_id", r.requestId());
            }
            g.writeNumberField("chunks", r.contentChunks());
            optional(g, "itl_mean_us", r.itlMeanNanos());
            if (r.itlCount() > 0) {
                g.writeNumberField("itl_max_us", micros(r.itlMaxNanos()));
            }
            optional(g, "tpot_us", r.tpotNanos());
        });
    }

    /** The fields of one line after its common head (phase, window, user, session). */
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /** Serialises one line into this thread's buffer and appends it to {@code target}. */
    private void writeLine(JsonLines target, int user, long session, Fields fields) {
        JsonLines.Line line = lines.get();
        line.reset();
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("phase", warmup ? "warmup" : "measure");
            g.writeNumberField("window", window);
            g.writeNumberField("user", user);
            g.writeNumberField("session", session);
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: cannot happen
        }
        line.write('\n');
        target.append(line);
    }

    /**
     * Records one finished session into {@code sessions.jsonl}, and its duration (intended start
     * of its first call to the end of its last) into the {@code session} histogram if it succeeded.
     */
    public void recordSession(int user, long session, int steps, boolean ok, long intendedNanos, long endNanos,
                              long promptTokens, long completionTokens) {
        long duration = endNanos - intendedNanos;
        record(() -> {
            if (ok) {
                value(Metric.SESSION, duration);
            }
        }, () -> writeSession(user, session, steps, ok, intendedNanos, duration, promptTokens, completionTokens));
    }

    private void writeSession(int user, long session, int steps, boolean ok, long intendedNanos, long duration,
                              long promptTokens, long completionTokens) {
        writeLine(sessions, user, session, g -> {
            g.writeNumberField("steps", steps);
            g.writeBooleanField("ok", ok);
            g.writeNumberField("intended_us", time.epochMicros(intendedNanos));
            g.writeNumberField("duration_us", micros(duration));
            g.writeNumberField("prompt_tokens", promptTokens);
            g.writeNumberField("completion_tokens", completionTokens);
        });
    }

    /**
     * Opens the next window; warmup windows are counted in call lines but not in the histograms
     * log. Windows tile time: a window starts where the previous one ended, and calls that ended
     * in between belong to it.
     */
    public void beginWindow(boolean isWarmup) {
        windows.writeLock().lock();
        try {
            if (windowOpen) {
                throw new IllegalStateException("a window is already open");
            }
            if (!started) {
                started = true;
                windowStart = System.nanoTime();
            }
            warmup = isWarmup;
            window = isWarmup ? warmupWindows : measuredWindows;
            windowOpen = true;
            synchronized (betweenWindows) {
                betweenWindows.forEach(Runnable::run);
                betweenWindows.clear();
            }
        } finally {
            windows.writeLock().unlock();
        }
    }

    /**
     * Closes the current window: writes its intervals (if measured), syncs them to disk and says
     * what it held.
     */
    public WindowSummary endWindow() {
        synchronized (hlogOrder) {
            Closed window;
            windows.writeLock().lock();
            try {
                if (!windowOpen) {
                    throw new IllegalStateException("no window is open");
                }
                window = swap(System.nanoTime());
            } finally {
                windows.writeLock().unlock();
            }
            return write(window); // outside the lock: users recording calls never wait for the disk
        }
    }

    /** Records nothing more: the run's last window is closed, calls still ending are after the run. */
    public void seal() {
        windows.writeLock().lock();
        try {
            sealed = true;
            synchronized (betweenWindows) {
                betweenWindows.clear();
            }
        } finally {
            windows.writeLock().unlock();
        }
    }

    /** A closed window's histograms, taken under the lock and written after it. */
    private record Closed(boolean measured, int index, long startMillis, long endMillis, Histogram[] histograms,
                          long calls, long errors, long promptTokens, long completionTokens) {
    }

    /** Takes the window's histograms and counters; windows tile time, so the next starts here. */
    private Closed swap(long end) {
        windowOpen = false;
        boolean measured = !warmup;
        Histogram[] histograms = new Histogram[METRICS.length];
        for (int i = 0; i < METRICS.length; i++) {
            histograms[i] = recorders[i].getIntervalHistogram();
        }
        Closed closed = new Closed(measured, window, time.epochMillis(windowStart), time.epochMillis(end), histograms,
                windowCalls.sumThenReset(), windowErrors.sumThenReset(),
                windowPromptTokens.sumThenReset(), windowCompletionTokens.sumThenReset());
        windowStart = end;
        if (measured) {
            measuredWindows++;
        } else {
            warmupWindows++;
        }
        return closed;
    }

    /** Writes a measured window's intervals and syncs them to disk; says what the window held. */
    private WindowSummary write(Closed w) {
        if (w.measured()) {
            for (int i = 0; i < METRICS.length; i++) {
                Histogram h = w.histograms()[i];
                h.setTag(METRICS[i].tag());
                h.setStartTimeStamp(w.startMillis());
                h.setEndTimeStamp(w.endMillis());
                hlog.outputIntervalHistogram((w.startMillis() - hlog.getBaseTime()) / 1000.0,
                        (w.endMillis() - hlog.getBaseTime()) / 1000.0, h, MAX_VALUE_UNIT_RATIO);
            }
            syncHistograms();
        }
        Histogram ttft = w.histograms()[Metric.TTFT.ordinal()];
        Histogram e2e = w.histograms()[Metric.E2E.ordinal()];
        Histogram lag = w.histograms()[Metric.SCHEDULE_LAG.ordinal()];
        return new WindowSummary(!w.measured(), w.index(), w.startMillis(), w.endMillis(), w.calls(), w.errors(),
                w.promptTokens(), w.completionTokens(), percentile(ttft, 50), percentile(ttft, 99), percentile(e2e, 99),
                lag.getTotalCount() == 0 ? -1 : lag.getMaxValue());
    }

    /** Measured windows closed so far. */
    public int measuredWindows() {
        windows.readLock().lock();
        try {
            return measuredWindows;
        } finally {
            windows.readLock().unlock();
        }
    }

    /**
     * Closes the files. A measured window still open is written as a shorter, final interval:
     * what an aborted run recorded is kept.
     */
    @Override
    public void close() throws IOException {
        synchronized (hlogOrder) {
            Closed last = null;
            windows.writeLock().lock();
            try {
                if (closed) {
                    return;
                }
                if (windowOpen && !warmup) {
                    last = swap(System.nanoTime());
                }
                closed = true;
            } finally {
                windows.writeLock().unlock();
            }
            if (last != null) {
                write(last);
            }
        }
        flusher.shutdownNow();
        IOException failure = null;
        try {
            calls.close();
        } catch (IOException e) {
            failure = e;
        }
        try {
            sessions.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        hlogStream.close();
        if (failure != null) {
            throw failure;
        }
    }

    private void value(Metric metric, long nanos) {
        if (nanos >= 0) {
            recorders[metric.ordinal()].recordValue(nanos / 1000);
        }
    }

    private void syncHistograms() {
        hlogStream.flush();
        try {
            hlogFile.getFD().sync();
        } catch (IOException e) {
            // sync is best effort (some file systems refuse it); the data is flushed to the OS
        }
    }

    private static long micros(long nanos) {
        return nanos / 1000;
    }

    private static void optional(JsonGenerator g, String field, long nanos) throws IOException {
        if (nanos >= 0) {
            g.writeNumberField(field, nanos / 1000);
        }
    }

    private static long percentile(Histogram h, double p) {
        return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(p);
    }
}
