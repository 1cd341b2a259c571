package io.soaklab.analysis;

import io.soaklab.record.Metric;
import io.soaklab.record.RunRecorder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogScanner;

/**
 * The one reader of {@code histograms.hlog}: every interval handed to a {@link Visitor} with its
 * window's number, the rest of the file read past any damaged line.
 *
 * <p>A window's number comes from the {@code #[soaklab-window:N]} comment the recorder writes
 * before its intervals ({@link RunRecorder#WINDOW_MARK}); in a log written before that comment
 * existed, from the order of the intervals' start times (every interval of a window starts when
 * the window did). Either way a damaged line costs only its own interval, never the windows after
 * it: {@link #damaged()} says which windows lost something, and the reader of {@code calls.jsonl}
 * can rebuild them.
 */
final class HistogramLog {

    /** Receives each interval that could be read. */
    interface Visitor {
        void interval(int window, Metric metric, Histogram histogram);
    }

    private final TreeSet<Integer> windows = new TreeSet<>();
    private final TreeSet<Integer> damaged = new TreeSet<>();
    private final List<long[]> bounds = new ArrayList<>(); // per window: {start ms, end ms}
    private final java.util.Map<Integer, Integer> intervals = new java.util.HashMap<>();
    private int damagedLines;
    private boolean present;
    private boolean marked;

    private HistogramLog() {
    }

    /** Reads {@code file}, handing {@code visitor} every interval of a known metric; a missing file reads as empty. */
    static HistogramLog read(Path file, Visitor visitor) throws IOException {
        HistogramLog log = new HistogramLog();
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
    boolean present() {
        return present;
    }

    /** Windows with at least one interval read. */
    TreeSet<Integer> windows() {
        return windows;
    }

    /** Windows with an interval that could not be read (the window's number is a guess for a log without marks). */
    TreeSet<Integer> damaged() {
        return damaged;
    }

    /** Lines that could not be read. */
    int damagedLines() {
        return damagedLines;
    }

    /** Window {@code w}'s start and end (epoch milliseconds), or null when none of its intervals was read. */
    long[] bounds(int w) {
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
            String mark = "#" + RunRecorder.WINDOW_MARK;
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
