package io.soaklab.internal.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.HdrHistogram.Histogram;
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

    private static final JsonFactory JSON = new JsonFactory();
    private final TimeBase time;
    /** Prices each call, or null when the run is not priced. */
    private final Tariff tariff;
    /** The open window's numbers. */
    private final WindowTally tally = new WindowTally();
    /** Held from taking a window's histograms to writing them: windows reach the log in order. */
    private final Object hlogOrder = new Object();
    private final IntervalLog.Writer hlog;
    private final JsonLines calls;
    private final JsonLines episodes;
    private final JsonLines events;
    private final JsonLines generator;
    private final GeneratorHealth health = new GeneratorHealth();
    private final ScheduledExecutorService flusher;
    /** The shard this run is of a soak on several machines, written on every line; -1 on one machine. */
    private final int shard;
    private final ThreadLocal<JsonLines.Line> lines = ThreadLocal.withInitial(JsonLines.Line::new);

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
    /** Who else is told what is recorded (live metrics), or {@link #NOBODY}. */
    private volatile Observer observer = NOBODY;
    /** When the first measured window after a warm-up opened ({@link System#nanoTime()}); read only once {@link #measuring}. */
    private volatile long measureStart;
    private volatile boolean measuring;

    private RunRecorder(Path dir, TimeBase time, Tariff tariff, int shard) throws IOException {
        this.time = time;
        this.shard = shard;
        this.tariff = tariff;
        this.hlog = new IntervalLog.Writer(dir, time.epochMicros() / 1000);
        this.calls = CallLine.open(dir);
        this.episodes = EpisodeLine.open(dir);
        this.events = EventLine.open(dir);
        this.generator = GeneratorLine.open(dir);
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soaklab-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleAtFixedRate(this::flushLines, 1, 1, TimeUnit.SECONDS);
    }

    /** Creates the run's record files in {@code dir}, with times anchored at {@code time}; calls are not priced. */
    public static RunRecorder open(Path dir, TimeBase time) throws IOException {
        return new RunRecorder(dir, time, null, -1);
    }

    /** As {@link #open(Path, TimeBase)}, each call priced by {@code tariff} ({@code cost_usd} in {@code calls.jsonl}). */
    public static RunRecorder open(Path dir, TimeBase time, Tariff tariff) throws IOException {
        return new RunRecorder(dir, time, tariff, -1);
    }

    /**
     * As {@link #open(Path, TimeBase, Tariff)}, for shard {@code shard} of a soak run by several
     * machines: every line of calls, episodes, events and the generator's health says so ({@code "shard"}).
     */
    public static RunRecorder open(Path dir, TimeBase time, Tariff tariff, int shard) throws IOException {
        if (shard < 0) {
            throw new IllegalArgumentException("shard " + shard);
        }
        return new RunRecorder(dir, time, tariff, shard);
    }

    /**
     * Watches {@code client}'s calls for the endpoint's silences: each window's longest time with
     * replies streaming and no byte arriving goes into {@code generator.jsonl} ({@code silence_us}).
     */
    public void watch(io.soaklab.protocol.ModelClient client) {
        health.watch(client);
    }

    /**
     * What else is told of a run as it is recorded: a live view of it ({@code --metrics-port}).
     * Called on the recording thread (a call's, an episode's), or for inter-token gaps on an I/O
     * thread: an observer does little and never blocks.
     */
    public interface Observer {
        /** An attempt that ended (or that never left: the breaker was open, the spend limit said no). */
        void call(CallResult r, CallInfo info, Cost cost);

        /** An episode that ended. */
        void episode(EpisodeRecord e);

        /** A window opened: its index, from 0, in its phase. */
        void window(int index, boolean warmup);

        /** Where inter-token gaps (microseconds) go, given where the run's own windows take them. */
        ValueRecorder itl(ValueRecorder windows);
    }

    private static final Observer NOBODY = new Observer() {
        @Override
        public void call(CallResult r, CallInfo info, Cost cost) {
        }

        @Override
        public void episode(EpisodeRecord e) {
        }

        @Override
        public void window(int index, boolean warmup) {
        }

        @Override
        public ValueRecorder itl(ValueRecorder windows) {
            return windows;
        }
    };

    /** Tells {@code o} of every call, episode and window recorded from now; set before {@link #itl()} is asked. */
    public void observe(Observer o) {
        observer = o == null ? NOBODY : o;
    }

    /** What the run's recorded calls have cost so far (zero when not priced). */
    public BigDecimal spend() {
        return tally.totalSpend();
    }

    /** Where the client reports inter-token gaps, in microseconds, as they happen. */
    public ValueRecorder itl() {
        return observer.itl(tally.itl());
    }

    /** The clock anchor of this run. */
    public TimeBase timeBase() {
        return time;
    }

    /**
     * Records one finished call attempt: its latencies into the current window's histograms, and
     * one line into {@code calls.jsonl}. Called by the thread that made the call, never by an I/O
     * thread. A call counts in the window it ends in, except one meant to start before the first
     * measured window opened: that is the warm-up's or the ramp's backlog, written as a warm-up line
     * and never counted as measured throughput.
     *
     * @return what the attempt cost ({@link Cost#ZERO} when the run is not priced)
     */
    public Cost recordCall(CallResult r, CallInfo info) {
        if (r.error() == ErrorClass.OPEN) {
            recordOpen(r, info);
            return Cost.ZERO;
        }
        Cost cost = tariff == null ? Cost.ZERO : tariff.cost(r.usage());
        try {
            observer.call(r, info, cost);
        } catch (RuntimeException e) {
            // a live view's trouble never costs the record a call
        }
        if (measuring && info.firstIntended() - measureStart < 0) {
            // meant to start before the measurement began: the warm-up's (or ramp's) backlog, never measured throughput
            record(() -> { }, () -> writeLine(calls, g -> CallLine.write(g, true, Math.max(0, warmupWindows - 1), r, info, cost,
                    tariff != null, time)));
            return cost;
        }
        record(() -> tally.attempt(r, info, cost), () -> writeCall(r, info, cost));
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
    private boolean record(Runnable values, Runnable line) {
        windows.readLock().lock();
        try {
            if (sealed || closed) {
                return false;
            }
            values.run();
            if (windowOpen) {
                line.run();
            } else {
                synchronized (betweenWindows) {
                    betweenWindows.add(line);
                }
            }
            return true;
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
                tally.open();
            }
            writeCall(r, info, Cost.ZERO);
        } finally {
            windows.readLock().unlock();
        }
    }

    private void writeCall(CallResult r, CallInfo info, Cost cost) {
        writeLine(calls, g -> CallLine.write(g, warmup, window, r, info, cost, tariff != null, time));
    }

    /** The fields of one line, its head included: written by the line's own type. */
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /** Serialises one line into this thread's buffer and appends it to {@code target}. */
    private void writeLine(JsonLines target, Fields fields) {
        JsonLines.Line line = lines.get();
        line.reset();
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            fields.write(g);
            LineHead.writeShard(g, shard);
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
     *
     * @return false when the run's record was already sealed or closed: the episode is not on record
     */
    public boolean recordEpisode(EpisodeRecord e) {
        try {
            observer.episode(e);
        } catch (RuntimeException trouble) {
            // as for calls: the record keeps the episode whatever its live view does
        }
        return record(() -> tally.episode(e), () -> writeEpisode(e));
    }

    private void writeEpisode(EpisodeRecord e) {
        writeLine(episodes, g -> EpisodeLine.write(g, warmup, window, e, tariff != null, time));
    }

    /**
     * Records one event inside an episode into {@code events.jsonl}: a compaction, a tool failure,
     * a probe's answer... {@code fields} alternate names and values (strings, numbers, booleans).
     */
    public void recordEvent(int user, long episode, String role, long atNanos, String type, Object... fields) {
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("event fields come in name, value pairs");
        }
        record(() -> { }, () -> writeLine(events, g -> EventLine.write(g, warmup, window, user, episode, role, time.epochMicros(atNanos), type,
                fields)));
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
            observer.window(window, warmup);
            if (!isWarmup && !measuring && warmupWindows > 0) {
                measureStart = windowStart; // after a warm-up (or a ramp): what was meant to start before now is its backlog
                measuring = true;
            }
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
            return tally.peek(warmup, window, time.epochMillis(windowStart), time.epochMillis(System.nanoTime()));
        } finally {
            windows.readLock().unlock();
        }
    }

    /** Pushes the lines written so far (calls, episodes, events, generator health) to the file system, as the flusher does each second. */
    public void flushLines() {
        calls.flush();
        episodes.flush();
        events.flush();
        generator.flush();
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
    private record Closed(boolean measured, int index, long startMillis, long endMillis, WindowTally.Taken taken) {
    }

    /** Takes the window's histograms and counters; windows tile time, so the next starts here. */
    private Closed swap(long end) {
        windowOpen = false;
        boolean measured = !warmup;
        Closed closed = new Closed(measured, window, time.epochMillis(windowStart), time.epochMillis(end), tally.take());
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
        WindowTally.Taken t = w.taken();
        if (w.measured()) {
            hlog.window(w.index(), w.startMillis(), w.endMillis(), t.histograms());
        }
        writeHealth(w, health.sample()); // read here, outside the window lock: calls being recorded never wait for it
        Histogram ttft = t.histograms()[Metric.TTFT.ordinal()];
        Histogram e2e = t.histograms()[Metric.E2E.ordinal()];
        Histogram lag = t.histograms()[Metric.SCHEDULE_LAG.ordinal()];
        return new WindowSummary(!w.measured(), w.index(), w.startMillis(), w.endMillis(), t.calls(), t.attempts(), t.errors(),
                t.errorClasses(), t.open(), t.promptTokens(), t.completionTokens(), percentile(ttft, 50), percentile(ttft, 99), percentile(e2e, 99),
                lag.getTotalCount() == 0 ? -1 : lag.getMaxValue(), t.spend(), spend());
    }

    private void writeHealth(Closed w, GeneratorHealth.Sample h) {
        writeLine(generator, g -> GeneratorLine.write(g, !w.measured(), w.index(), h));
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
        health.close();
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
        hlog.close();
        if (failure != null) {
            throw failure;
        }
    }

    private static long percentile(Histogram h, double p) {
        return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(p);
    }
}
