package io.soaklab.internal.record;

import io.soaklab.internal.layout.RunFile;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogScanner;
import org.HdrHistogram.HistogramLogWriter;

/**
 * {@code histograms.hlog}, HdrHistogram's interval log: its only writer ({@link Writer}, one interval
 * per {@link Metric} per measured window, values in microseconds) and its only reader (every interval
 * handed to a {@link Visitor} with its window's number, the rest of the file read past any damaged
 * line). HdrHistogram's own tools read it too.
 *
 * <p>A window's number comes from the {@code #[soaklab-window:N]} comment the writer puts
 * before its intervals ({@link #WINDOW_MARK}); in a log written before that comment
 * existed, from the order of the intervals' start times (every interval of a window starts when
 * the window did). Either way a damaged line costs only its own interval, never the windows after
 * it: {@link #damaged()} says which windows lost something, and the reader of {@code calls.jsonl}
 * can rebuild them.
 */
public final class IntervalLog {

    /**
     * The comment that opens each measured window's intervals, followed by the window's number:
     * readers place intervals by it, so a damaged line cannot shift later windows. HdrHistogram's
     * own tools skip it as a comment.
     */
    public static final String WINDOW_MARK = "[soaklab-window:";
    /** Values are microseconds; this makes the log's max column read in milliseconds. */
    private static final double MAX_VALUE_UNIT_RATIO = 1000.0;
    private static final Metric[] METRICS = Metric.values();

    /** Writes a run's intervals, window by window, each window synced to disk when written. */
    static final class Writer implements AutoCloseable {
        private final FileOutputStream file;
        private final PrintStream stream;
        private final HistogramLogWriter log;

        Writer(Path dir, long startMillis) throws IOException {
            this.file = new FileOutputStream(RunFile.HISTOGRAMS.in(dir).toFile());
            this.stream = new PrintStream(new BufferedOutputStream(file, 64 << 10), false, StandardCharsets.UTF_8);
            this.log = new HistogramLogWriter(stream);
            log.outputComment("soaklab histograms: values in microseconds, one interval per tag per measured window");
            log.outputLogFormatVersion();
            log.outputStartTime(startMillis);
            log.setBaseTime(startMillis);
            log.outputBaseTime(startMillis);
            log.outputLegend();
            sync();
        }

        /**
         * Writes measured window {@code index}'s histograms, one per metric in {@link Metric} order (a null one left out:
         * a reader rebuilds what it can of it from the calls), and syncs them to disk.
         */
        void window(int index, long startMillis, long endMillis, Histogram[] histograms) {
            if (java.util.Arrays.stream(histograms).allMatch(java.util.Objects::isNull)) {
                return;
            }
            log.outputComment(WINDOW_MARK + index + "]");
            for (int i = 0; i < METRICS.length; i++) {
                Histogram h = histograms[i];
                if (h == null) {
                    continue;
                }
                h.setTag(METRICS[i].tag());
                h.setStartTimeStamp(startMillis);
                h.setEndTimeStamp(endMillis);
                log.outputIntervalHistogram((startMillis - log.getBaseTime()) / 1000.0, (endMillis - log.getBaseTime()) / 1000.0, h,
                        MAX_VALUE_UNIT_RATIO);
            }
            sync();
        }

        private void sync() {
            stream.flush();
            try {
                file.getFD().sync();
            } catch (IOException e) {
                // sync is best effort (some file systems refuse it); the data is flushed to the OS
            }
        }

        @Override
        public void close() {
            stream.close();
        }
    }


    /**
     * What {@link #merge} did: the windows written, and how far apart the shards' windows began
     * (by each machine's own clock).
     *
     * @param windows        windows written
     * @param damagedLines   lines of the shards' logs that could not be read
     * @param worstSpreadMs  the most that any window's start differed between shards, in milliseconds
     * @param worstWindow    the window it did so in, or -1
     * @param shortWindows   windows some shard had no intervals for (it had ended, or lost them)
     * @param firstShort     the first of them, or -1
     * @param leftOut        windows with a metric left out, short of an expected shard's values (the reader rebuilds them from the calls)
     */
    public record Merged(int windows, int damagedLines, long worstSpreadMs, int worstWindow, int shortWindows, int firstShort, int leftOut) {
    }

    /**
     * Merges the shards' logs into {@code out}'s, streaming: window {@code k} of every shard read
     * in step (one window of each in memory), its intervals added metric by metric with
     * HdrHistogram's own {@code add}, which loses no value; the merged interval spans the earliest
     * start to the latest end. A shard with no log is skipped. A metric some shard should have in
     * a window ({@code expected}: it closed the window, or was in it when it crashed) but has not
     * is left out of that window, rather than written short of that shard's calls: the reader then
     * rebuilds it from {@code calls.jsonl}, which holds every shard's.
     *
     * @param expected whether shard {@code i} (its place in {@code shardDirs}) should have window {@code w}'s intervals
     */
    public static Merged merge(List<Path> shardDirs, Path out, java.util.function.BiPredicate<Integer, Integer> expected) throws IOException {
        List<Cursor> cursors = new ArrayList<>();
        try {
            long base = Long.MAX_VALUE;
            for (int i = 0; i < shardDirs.size(); i++) {
                Path file = RunFile.HISTOGRAMS.in(shardDirs.get(i));
                if (Files.exists(file)) {
                    Cursor c = new Cursor(file, i);
                    cursors.add(c);
                    c.next();
                    if (c.startMillis < Long.MAX_VALUE) {
                        base = Math.min(base, c.startMillis);
                    }
                }
            }
            int windowsOut = 0;
            long worstSpread = 0;
            int worstWindow = -1;
            int shortWindows = 0;
            int firstShort = -1;
            int leftOut = 0;
            try (Writer writer = new Writer(out, base == Long.MAX_VALUE ? System.currentTimeMillis() : base)) {
                while (true) {
                    int w = Integer.MAX_VALUE;
                    for (Cursor c : cursors) {
                        if (c.window >= 0) {
                            w = Math.min(w, c.window);
                        }
                    }
                    if (w == Integer.MAX_VALUE) {
                        break;
                    }
                    Histogram[] sum = new Histogram[METRICS.length];
                    boolean[] lacking = new boolean[METRICS.length];
                    long start = Long.MAX_VALUE;
                    long firstStart = Long.MIN_VALUE;
                    long end = Long.MIN_VALUE;
                    int shards = 0;
                    for (int k = 0; k < cursors.size(); k++) {
                        Cursor c = cursors.get(k);
                        if (expected.test(c.shard, w)) {
                            for (int i = 0; i < METRICS.length; i++) {
                                lacking[i] |= c.window != w || c.histograms[i] == null;
                            }
                        }
                        if (c.window != w) {
                            continue;
                        }
                        shards++;
                        start = Math.min(start, c.startMillis);
                        firstStart = Math.max(firstStart, c.startMillis);
                        end = Math.max(end, c.endMillis);
                        for (int i = 0; i < METRICS.length; i++) {
                            Histogram h = c.histograms[i];
                            if (h == null) {
                                continue;
                            }
                            if (sum[i] == null) {
                                sum[i] = h.copy();
                                sum[i].setAutoResize(true);
                            } else {
                                sum[i].add(h);
                            }
                        }
                        c.next();
                    }
                    if (shards < cursors.size()) {
                        shortWindows++;
                        firstShort = firstShort < 0 ? w : firstShort;
                    }
                    if (firstStart - start > worstSpread) {
                        worstSpread = firstStart - start;
                        worstWindow = w;
                    }
                    boolean short_ = false;
                    for (int i = 0; i < METRICS.length; i++) {
                        if (lacking[i]) {
                            sum[i] = null; // short of a shard's values: left for the reader to rebuild from every shard's calls
                            short_ = true;
                        }
                    }
                    if (short_) {
                        leftOut++;
                    }
                    writer.window(w, start, end, sum);
                    windowsOut++;
                }
            }
            int damaged = cursors.stream().mapToInt(c -> c.handler.damagedLines).sum();
            return new Merged(windowsOut, damaged, worstSpread, worstWindow, shortWindows, firstShort, leftOut);
        } finally {
            for (Cursor c : cursors) {
                c.close();
            }
        }
    }

    /** One shard's log, read a window at a time. */
    private static final class Cursor implements AutoCloseable {
        final InputStream in;
        final HistogramLogScanner scanner;
        final IntervalLog log = new IntervalLog();
        final Histogram[] histograms = new Histogram[METRICS.length];
        final Stepper handler;
        final int shard;
        int window = -1;
        long startMillis = Long.MAX_VALUE;
        long endMillis = Long.MIN_VALUE;

        Cursor(Path file, int shard) throws IOException {
            this.shard = shard;
            this.in = Files.newInputStream(file);
            this.scanner = new HistogramLogScanner(in);
            this.handler = new Stepper(log);
        }

        /** Reads the next window's intervals; {@link #window} is -1 after the last. */
        void next() {
            java.util.Arrays.fill(histograms, null);
            startMillis = Long.MAX_VALUE;
            endMillis = Long.MIN_VALUE;
            window = -1;
            handler.into = this;
            handler.got = false;
            try {
                scanner.process(handler);
            } catch (java.util.NoSuchElementException cutOff) {
                // a last line cut off mid-way: counted by the handler
            }
        }

        @Override
        public void close() throws IOException {
            scanner.close();
            in.close();
        }
    }

    /** The reader's handler, stopping at each new window's mark once it has read a window. */
    private static final class Stepper implements HistogramLogScanner.EventHandler {
        final IntervalLog log;
        final Handler inner;
        Cursor into;
        boolean got;
        int damagedLines;

        Stepper(IntervalLog log) {
            this.log = log;
            this.inner = log.new Handler((w, metric, h) -> {
                got = true;
                into.window = w;
                into.histograms[metric.ordinal()] = h;
                into.startMillis = Math.min(into.startMillis, h.getStartTimeStamp());
                into.endMillis = Math.max(into.endMillis, h.getEndTimeStamp());
            });
        }

        @Override
        public boolean onComment(String comment) {
            boolean mark = comment.startsWith("#" + WINDOW_MARK);
            inner.onComment(comment);
            damagedLines = log.damagedLines;
            return mark && got; // the next window begins: this one is whole
        }

        @Override
        public boolean onBaseTime(double secondsSinceEpoch) {
            return inner.onBaseTime(secondsSinceEpoch);
        }

        @Override
        public boolean onStartTime(double secondsSinceEpoch) {
            return inner.onStartTime(secondsSinceEpoch);
        }

        @Override
        public boolean onHistogram(String tag, double timestamp, double length, HistogramLogScanner.EncodableHistogramSupplier reader) {
            boolean stop = inner.onHistogram(tag, timestamp, length, reader);
            damagedLines = log.damagedLines;
            return stop;
        }

        @Override
        public boolean onException(Throwable t) {
            boolean stop = inner.onException(t);
            damagedLines = log.damagedLines;
            return stop;
        }
    }

    /** Receives each interval that could be read. */
    public interface Visitor {
        void interval(int window, Metric metric, Histogram histogram);
    }

    private final TreeSet<Integer> windows = new TreeSet<>();
    private final TreeSet<Integer> damaged = new TreeSet<>();
    private final List<long[]> bounds = new ArrayList<>(); // per window: {start ms, end ms}
    private final java.util.Map<Integer, Integer> intervals = new java.util.HashMap<>();
    private int damagedLines;
    private boolean present;
    private boolean marked;

    private IntervalLog() {
    }

    /** Reads {@code dir}'s log, handing {@code visitor} every interval of a known metric; a missing file reads as empty. */
    public static IntervalLog read(Path dir, Visitor visitor) throws IOException {
        Path file = RunFile.HISTOGRAMS.in(dir);
        IntervalLog log = new IntervalLog();
        if (!Files.exists(file)) {
            return log;
        }
        log.present = true;
        try (InputStream in = Files.newInputStream(file); HistogramLogScanner scanner = new HistogramLogScanner(in)) {
            scanner.process(log.new Handler(visitor));
        } catch (java.util.NoSuchElementException cutOff) {
            // the scanner steps past each line, damaged or not, and finds none after a last line cut off mid-way: it is counted
        }
        if (log.marked) {
            // soaklab writes every metric for every window: a window short of some lost them, even where no line was damaged
            log.intervals.forEach((w, n) -> {
                if (n < Metric.values().length) {
                    log.damaged.add(w);
                }
            });
        }
        return log;
    }

    /** True when the file exists. */
    public boolean present() {
        return present;
    }

    /** Windows with at least one interval read. */
    public TreeSet<Integer> windows() {
        return windows;
    }

    /** Windows with an interval that could not be read (the window's number is a guess for a log without marks). */
    public TreeSet<Integer> damaged() {
        return damaged;
    }

    /** Lines that could not be read. */
    public int damagedLines() {
        return damagedLines;
    }

    /** Window {@code w}'s start and end (epoch milliseconds), or null when none of its intervals was read. */
    public long[] bounds(int w) {
        return w < bounds.size() ? bounds.get(w) : null;
    }

    private final class Handler implements HistogramLogScanner.EventHandler {
        private final Visitor visitor;
        private double baseTime;
        private int window = -1;
        /** The current window's start (every interval of a window has it): a new start is a new window, mark or no mark. */
        private double lastStart = Double.NaN;

        Handler(Visitor visitor) {
            this.visitor = visitor;
        }

        @Override
        public boolean onComment(String comment) {
            String mark = "#" + WINDOW_MARK;
            if (comment.startsWith(mark) && comment.endsWith("]")) {
                try {
                    window = Integer.parseInt(comment.substring(mark.length(), comment.length() - 1));
                    marked = true;
                    lastStart = Double.NaN;
                } catch (NumberFormatException bad) {
                    damagedLines++;
                }
            }
            return false;
        }

        @Override
        public boolean onBaseTime(double secondsSinceEpoch) {
            baseTime = secondsSinceEpoch;
            return false;
        }

        @Override
        public boolean onStartTime(double secondsSinceEpoch) {
            return false;
        }

        @Override
        public boolean onHistogram(String tag, double timestamp, double length, HistogramLogScanner.EncodableHistogramSupplier reader) {
            if (timestamp != lastStart) {
                if (!Double.isNaN(lastStart) || !marked) {
                    window++; // a log without marks, or a window whose mark was lost: a new start time is a new window
                }
                lastStart = timestamp;
            }
            int w = Math.max(0, window);
            Metric metric = metricOf(tag);
            if (metric == null) {
                return false; // a tag from a newer soaklab: ignored
            }
            EncodableHistogram e;
            try {
                e = reader.read();
            } catch (Exception | AssertionError bad) {
                damage(w);
                return false;
            }
            if (!(e instanceof Histogram h)) {
                return false;
            }
            windows.add(w);
            intervals.merge(w, 1, Integer::sum);
            while (bounds.size() <= w) {
                bounds.add(null);
            }
            long start = Math.round((baseTime + timestamp) * 1000); // the line's times: the encoding carries none
            long end = Math.round((baseTime + timestamp + length) * 1000);
            h.setStartTimeStamp(start);
            h.setEndTimeStamp(end);
            long[] b = bounds.get(w);
            bounds.set(w, b == null ? new long[] {start, end} : new long[] {Math.min(b[0], start), Math.max(b[1], end)});
            visitor.interval(w, metric, h);
            return false;
        }

        @Override
        public boolean onException(Throwable t) {
            damage(Math.max(0, window));
            return false;
        }

        private void damage(int w) {
            damagedLines++;
            damaged.add(w);
        }
    }

    private static Metric metricOf(String tag) {
        if (tag == null) {
            return null;
        }
        try {
            return Metric.ofTag(tag);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
