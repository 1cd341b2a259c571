package io.soaklab.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.soaklab.cost.Cost;
import io.soaklab.cost.Tariff;
import io.soaklab.protocol.CallFlag;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
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
 * values in microseconds), one JSON line per call attempt ({@code calls.jsonl}), per finished
 * episode ({@code episodes.jsonl}) and per notable event inside an episode ({@code events.jsonl}:
 * compactions, tool failures, probe answers...).
 *
 * <p>Recording is thread-safe; latencies go into HdrHistogram {@link Recorder}s. Nothing
 * per call is kept in memory beyond the current window: memory does not grow with run length.
 * Each window's intervals are flushed and synced to disk when it closes; call lines at least every
 * second.
 *
 * <pre>{@code
 * try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now())) {
 *     recorder.beginWindow(false);
 *     recorder.recordCall(result, CallInfo.single(user, episode, "agent", step, result.intendedNanos()));
 *     WindowSummary window = recorder.endWindow();
 * }
 * }</pre>
 */
public final class RunRecorder implements AutoCloseable {

    /** The HdrHistogram interval log. */
    public static final String HISTOGRAMS = "histograms.hlog";
    /** One JSON line per model call attempt. */
    public static final String CALLS = "calls.jsonl";
    /** One JSON line per finished episode. */
    public static final String EPISODES = "episodes.jsonl";
    /** One JSON line per event inside an episode. */
    public static final String EVENTS = "events.jsonl";
    /** The load generator's health per window: GC, CPU, heap, threads. */
    public static final String GENERATOR = "generator.jsonl";

    private static final JsonFactory JSON = new JsonFactory();
    private static final Metric[] METRICS = Metric.values();
    private static final ErrorClass[] CLASSES = ErrorClass.values();
    /**
     * The comment that opens each measured window's intervals in {@code histograms.hlog}, followed by
     * the window's number: readers place intervals by it, so a damaged line cannot shift later windows.
     * HdrHistogram's own tools skip it as a comment.
     */
    public static final String WINDOW_MARK = "[soaklab-window:";
    /** Values are microseconds; this makes the log's max column read in milliseconds. */
    private static final double MAX_VALUE_UNIT_RATIO = 1000.0;

    private final TimeBase time;
    /** Prices each call, or null when the run is not priced. */
    private final Tariff tariff;
    private final Object spendLock = new Object();
    private BigDecimal windowSpend = BigDecimal.ZERO;
    private BigDecimal totalSpend = BigDecimal.ZERO;
    private final Recorder[] recorders = new Recorder[METRICS.length];
    /** Held from taking a window's histograms to writing them: windows reach the log in order. */
    private final Object hlogOrder = new Object();
    private final FileOutputStream hlogFile;
    private final PrintStream hlogStream;
    private final HistogramLogWriter hlog;
    private final JsonLines calls;
    private final JsonLines episodes;
    private final JsonLines events;
    private final JsonLines generator;
    private final GeneratorHealth health = new GeneratorHealth();
    private final ScheduledExecutorService flusher;
    private final ThreadLocal<JsonLines.Line> lines = ThreadLocal.withInitial(JsonLines.Line::new);
    private final LongAdder windowCalls = new LongAdder();
    private final LongAdder windowAttempts = new LongAdder();
    private final LongAdder windowErrors = new LongAdder();
    private final LongAdder[] windowErrorClasses = new LongAdder[CLASSES.length];
    private final LongAdder windowOpenCalls = new LongAdder();
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

    private RunRecorder(Path dir, TimeBase time, Tariff tariff) throws IOException {
        this.time = time;
        this.tariff = tariff;
        for (int i = 0; i < METRICS.length; i++) {
            recorders[i] = new Recorder(3); // auto-resizing: a session may last hours
        }
        for (int i = 0; i < CLASSES.length; i++) {
            windowErrorClasses[i] = new LongAdder();
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
        this.episodes = new JsonLines(dir.resolve(EPISODES));
        this.events = new JsonLines(dir.resolve(EVENTS));
        this.generator = new JsonLines(dir.resolve(GENERATOR));
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soaklab-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleAtFixedRate(() -> {
            calls.flush();
            episodes.flush();
            events.flush();
            generator.flush();
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Creates the run's record files in {@code dir}, with times anchored at {@code time}; calls are not priced. */
    public static RunRecorder open(Path dir, TimeBase time) throws IOException {
        return new RunRecorder(dir, time, null);
    }

    /** As {@link #open(Path, TimeBase)}, each call priced by {@code tariff} ({@code cost_usd} in {@code calls.jsonl}). */
    public static RunRecorder open(Path dir, TimeBase time, Tariff tariff) throws IOException {
        return new RunRecorder(dir, time, tariff);
    }

    /** What the run's recorded calls have cost so far (zero when not priced). */
    public BigDecimal spend() {
        synchronized (spendLock) {
            return totalSpend;
        }
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
     * Records one finished call attempt: its latencies into the current window's histograms, and
     * one line into {@code calls.jsonl}. Called by the thread that made the call, never by an I/O
     * thread.
     *
     * @return what the attempt cost ({@link Cost#ZERO} when the run is not priced)
     */
    public Cost recordCall(CallResult r, CallInfo info) {
        if (r.error() == ErrorClass.OPEN) {
            recordOpen(r, info);
            return Cost.ZERO;
        }
        Cost cost = tariff == null ? Cost.ZERO : tariff.cost(r.usage());
        record(() -> {
            callValues(r, info);
            synchronized (spendLock) {
                windowSpend = windowSpend.add(cost.total());
                totalSpend = totalSpend.add(cost.total());
            }
        }, () -> writeCall(r, info, cost));
        return cost;
    }

    /** Records a call made in a single attempt by the lane {@code agent}. */
    public Cost recordCall(CallResult r, int user, long episode, int step) {
        return recordCall(r, CallInfo.single(user, episode, "agent", step, r.intendedNanos()));
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

    /**
     * A call still open when the run ended: neither ended nor failed, in no histogram; its line, with
     * its age as a lower bound of its latency, goes into the window open now or, after the run's last
     * window has closed (a run stopped for failing), into that window.
     */
    private void recordOpen(CallResult r, CallInfo info) {
        windows.readLock().lock();
        try {
            if (sealed || closed || !started) {
                return;
            }
            if (windowOpen) {
                windowOpenCalls.increment();
            }
            writeCall(r, info, Cost.ZERO);
        } finally {
            windows.readLock().unlock();
        }
    }

    private void callValues(CallResult r, CallInfo info) {
        long retryWait = r.intendedNanos() - info.firstIntended(); // what earlier attempts and backoff cost the agent
        Metric.ofAttempt(r.error(), info.last(), r.lagNanos(), r.e2eNanos(), r.ttftSentNanos(), r.tpotNanos(),
                plus(r.firstTokenNanos(), retryWait), r.e2eNanos() + retryWait, plus(r.firstToolNanos(), retryWait), this::value);
        windowAttempts.increment();
        windowPromptTokens.add(r.usage().promptTokens());
        windowCompletionTokens.add(r.usage().completionTokens());
        if (!info.last()) {
            return;
        }
        if (r.error().failed()) {
            windowErrors.increment();
            windowErrorClasses[r.error().ordinal()].increment();
        }
        windowCalls.increment();
    }

    private static long plus(long nanos, long extra) {
        return nanos < 0 ? -1 : nanos + extra;
    }

    private void writeCall(CallResult r, CallInfo info, Cost cost) {
        writeLine(calls, info.user(), info.episode(), g -> {
            g.writeStringField("role", info.role());
            g.writeNumberField("step", info.step());
            g.writeNumberField("attempt", info.attempt());
            g.writeBooleanField("last", info.last());
            g.writeNumberField("intended_us", time.epochMicros(r.intendedNanos()));
            optional(g, "lag_us", r.lagNanos());
            optional(g, "connect_us", r.connectNanos());
            optional(g, "headers_us", r.headersNanos());
            optional(g, "ttft_us", r.firstTokenNanos());
            optional(g, "ttft_sent_us", r.ttftSentNanos());
            optional(g, "ttft_tool_us", r.firstToolNanos());
            g.writeNumberField("e2e_us", micros(r.e2eNanos()));
            if (info.attempt() > 1 && info.last()) {
                long wait = r.intendedNanos() - info.firstIntended();
                optional(g, "call_ttft_us", plus(r.firstTokenNanos(), wait));
                g.writeNumberField("call_e2e_us", micros(r.e2eNanos() + wait));
            }
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
            if (r.promptTokensSent() >= 0 && r.flagged(CallFlag.PROMPT_TRUNCATED)) {
                g.writeNumberField("prompt_tokens_sent", r.promptTokensSent());
            }
            if (!r.flags().isEmpty()) {
                g.writeArrayFieldStart("flags");
                for (CallFlag f : r.flags()) {
                    g.writeString(f.wireName());
                }
                g.writeEndArray();
                if (r.flagged(CallFlag.OVER_CAP)) {
                    g.writeNumberField("max_tokens", r.maxTokens());
                }
            }
            if (tariff != null) {
                g.writeFieldName("cost_usd");
                g.writeNumber(cost.total().toPlainString()); // exact: a decimal, never a binary float
                if (cost.longTier()) {
                    g.writeBooleanField("long_context_tier", true);
                }
            }
            if (r.requestId() != null) {
                g.writeStringField("request_id", r.requestId());
            }
            g.writeNumberField("chunks", r.contentChunks());
            if (!r.toolCalls().isEmpty()) {
                g.writeNumberField("tool_calls", r.toolCalls().size());
            }
            optional(g, "itl_mean_us", r.itlMeanNanos());
            if (r.itlCount() > 0) {
                g.writeNumberField("itl_max_us", micros(r.itlMaxNanos()));
            }
            optional(g, "tpot_us", r.tpotNanos());
        });
    }

    /** The fields of one line after its common head (phase, window, user, episode). */
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /** Serialises one line into this thread's buffer and appends it to {@code target}. */
    private void writeLine(JsonLines target, int user, long episode, Fields fields) {
        JsonLines.Line line = lines.get();
        line.reset();
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("phase", warmup ? "warmup" : "measure");
            g.writeNumberField("window", window);
            g.writeNumberField("user", user);
            g.writeNumberField("episode", episode);
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: cannot happen
        }
        line.write('\n');
        target.append(line);
    }

    /**
     * Records one finished episode into {@code episodes.jsonl}, and its duration into the
     * {@code episode} histogram if it succeeded.
     */
    public void recordEpisode(EpisodeRecord e) {
        record(() -> {
            if (e.ok()) {
                value(Metric.EPISODE, e.durationNanos());
            }
        }, () -> writeEpisode(e));
    }

    private void writeEpisode(EpisodeRecord e) {
        writeLine(episodes, e.user(), e.episode(), g -> {
            g.writeStringField("scenario", e.scenario());
            g.writeBooleanField("ok", e.ok());
            if (e.reason() != null) {
                g.writeStringField("reason", e.reason());
            }
            g.writeNumberField("intended_us", time.epochMicros(e.intendedNanos()));
            g.writeNumberField("duration_us", micros(e.durationNanos()));
            g.writeNumberField("calls", e.calls());
            g.writeNumberField("attempts", e.attempts());
            if (tariff != null) {
                g.writeFieldName("cost_usd");
                g.writeNumber(e.cost().toPlainString());
            }
            g.writeObjectFieldStart("tokens");
            for (var t : new java.util.TreeMap<>(e.tokens()).entrySet()) {
                g.writeNumberField(t.getKey(), t.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("roles");
            for (var role : new java.util.TreeMap<>(e.roles()).entrySet()) {
                g.writeObjectFieldStart(role.getKey());
                for (var t : new java.util.TreeMap<>(role.getValue()).entrySet()) {
                    g.writeNumberField(t.getKey(), t.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("metrics");
            for (var m : new java.util.TreeMap<>(e.metrics()).entrySet()) {
                double v = m.getValue();
                if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                    g.writeNumberField(m.getKey(), (long) v);
                } else {
                    g.writeNumberField(m.getKey(), v);
                }
            }
            g.writeEndObject();
        });
    }

    /**
     * Records one event inside an episode into {@code events.jsonl}: a compaction, a tool failure,
     * a probe's answer... {@code fields} alternate names and values (strings, numbers, booleans).
     */
    public void recordEvent(int user, long episode, String role, long atNanos, String type, Object... fields) {
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("event fields come in name, value pairs");
        }
        record(() -> { }, () -> writeLine(events, user, episode, g -> {
            g.writeStringField("role", role);
            g.writeNumberField("t_us", time.epochMicros(atNanos));
            g.writeStringField("type", type);
            for (int i = 0; i < fields.length; i += 2) {
                String name = (String) fields[i];
                Object v = fields[i + 1];
                if (v == null) {
                    g.writeNullField(name);
                } else if (v instanceof Boolean b) {
                    g.writeBooleanField(name, b);
                } else if (v instanceof Double || v instanceof Float) {
                    g.writeNumberField(name, ((Number) v).doubleValue());
                } else if (v instanceof Number n) {
                    g.writeNumberField(name, n.longValue());
                } else {
                    g.writeStringField(name, v.toString());
                }
            }
        }));
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

    /**
     * What the open window holds so far, without closing it: its counts (latency percentiles are
     * not taken, -1), or null when no window is open.
     */
    public WindowSummary peek() {
        windows.readLock().lock();
        try {
            if (!windowOpen) {
                return null;
            }
            java.util.Map<ErrorClass, Long> classes = new java.util.EnumMap<>(ErrorClass.class);
            for (int i = 0; i < CLASSES.length; i++) {
                long n = windowErrorClasses[i].sum();
                if (n > 0) {
                    classes.put(CLASSES[i], n);
                }
            }
            long now = time.epochMillis(System.nanoTime());
            return new WindowSummary(warmup, window, time.epochMillis(windowStart), now, windowCalls.sum(), windowAttempts.sum(), windowErrors.sum(),
                    java.util.Map.copyOf(classes), windowOpenCalls.sum(), windowPromptTokens.sum(), windowCompletionTokens.sum(), -1, -1, -1, -1,
                    BigDecimal.ZERO, spend());
        } finally {
            windows.readLock().unlock();
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
                          long calls, long attempts, long errors, java.util.Map<ErrorClass, Long> errorClasses, long open,
                          long promptTokens, long completionTokens, BigDecimal spend) {
    }

    /** Takes the window's histograms and counters; windows tile time, so the next starts here. */
    private Closed swap(long end) {
        windowOpen = false;
        boolean measured = !warmup;
        Histogram[] histograms = new Histogram[METRICS.length];
        for (int i = 0; i < METRICS.length; i++) {
            histograms[i] = recorders[i].getIntervalHistogram();
        }
        BigDecimal spent;
        synchronized (spendLock) {
            spent = windowSpend;
            windowSpend = BigDecimal.ZERO;
        }
        java.util.Map<ErrorClass, Long> classes = new java.util.EnumMap<>(ErrorClass.class);
        for (int i = 0; i < CLASSES.length; i++) {
            long n = windowErrorClasses[i].sumThenReset();
            if (n > 0) {
                classes.put(CLASSES[i], n);
            }
        }
        Closed closed = new Closed(measured, window, time.epochMillis(windowStart), time.epochMillis(end), histograms,
                windowCalls.sumThenReset(), windowAttempts.sumThenReset(), windowErrors.sumThenReset(), classes, windowOpenCalls.sumThenReset(),
                windowPromptTokens.sumThenReset(), windowCompletionTokens.sumThenReset(), spent);
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
            hlog.outputComment(WINDOW_MARK + w.index() + "]");
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
        writeHealth(w, health.sample()); // read here, outside the window lock: calls being recorded never wait for it
        Histogram ttft = w.histograms()[Metric.TTFT.ordinal()];
        Histogram e2e = w.histograms()[Metric.E2E.ordinal()];
        Histogram lag = w.histograms()[Metric.SCHEDULE_LAG.ordinal()];
        return new WindowSummary(!w.measured(), w.index(), w.startMillis(), w.endMillis(), w.calls(), w.attempts(), w.errors(),
                java.util.Map.copyOf(w.errorClasses()), w.open(), w.promptTokens(), w.completionTokens(), percentile(ttft, 50), percentile(ttft, 99), percentile(e2e, 99),
                lag.getTotalCount() == 0 ? -1 : lag.getMaxValue(), w.spend(), spend());
    }

    private void writeHealth(Closed w, GeneratorHealth.Sample h) {
        JsonLines.Line line = lines.get();
        line.reset();
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("phase", w.measured() ? "measure" : "warmup");
            g.writeNumberField("window", w.index());
            g.writeNumberField("gc_ms", h.gcMillis());
            g.writeNumberField("gc_count", h.gcCount());
            if (h.cpu() >= 0) {
                g.writeNumberField("cpu", Math.round(h.cpu() * 1000) / 1000.0);
            }
            if (h.systemCpu() >= 0) {
                g.writeNumberField("system_cpu", Math.round(h.systemCpu() * 1000) / 1000.0);
            }
            g.writeNumberField("heap_mb", h.heapBytes() >> 20);
            g.writeNumberField("threads", h.threads());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: cannot happen
        }
        line.write('\n');
        generator.append(line);
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
     * what an aborted run recorded is kept. Calls that ended after the last window closed (a run
     * stopped between two windows) are written too, as one more short window of their own.
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
                if (!windowOpen && started && !sealed) {
                    synchronized (betweenWindows) {
                        if (!betweenWindows.isEmpty()) {
                            window = warmup ? warmupWindows : measuredWindows; // a final window in the last phase holds them
                            windowOpen = true;
                            betweenWindows.forEach(Runnable::run);
                            betweenWindows.clear();
                        }
                    }
                }
                if (windowOpen && !warmup) {
                    last = swap(System.nanoTime());
                } else if (windowOpen) {
                    swap(System.nanoTime()); // a warmup window's lines are written; its histograms never are
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
        for (JsonLines lines : new JsonLines[] {episodes, events, generator}) {
            try {
                lines.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
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
