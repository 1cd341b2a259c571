package io.soaklab.internal.analysis;

import io.soaklab.protocol.CallFlag;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.layout.RunFile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The aggregates of {@code calls.jsonl}, in one pass that keeps nothing per call: counts per window
 * and in all, roles, steps, error samples, calls still open at the end, flags, calls in flight over
 * time, and the latency of the windows whose histograms must be rebuilt from the calls (damaged in
 * {@code histograms.hlog}, or the window a killed run never closed).
 */
final class CallsTally implements CallLine.Reader {

    static final int MAX_STEPS = 200;
    private static final int ERROR_SAMPLES = 3;

    /** Calls, attempts, tokens and failures of a window or of the run. */
    static final class Counts {
        long calls;
        long attempts;
        long open;
        long prompt;
        long completion;
        long cached;
        long estimated;
        /** Earliest and latest end of a call in it, epoch µs. */
        long firstEndUs = Long.MAX_VALUE;
        long lastEndUs = Long.MIN_VALUE;
        final long[] errors = new long[ErrorClass.values().length];
        final long[] attemptErrors = new long[ErrorClass.values().length];

        Map<ErrorClass, Long> errorMap() {
            return map(errors);
        }

        Map<ErrorClass, Long> attemptErrorMap() {
            return map(attemptErrors);
        }

        private static Map<ErrorClass, Long> map(long[] counts) {
            Map<ErrorClass, Long> m = new LinkedHashMap<>();
            for (ErrorClass c : ErrorClass.values()) {
                if (c.failed() && counts[c.ordinal()] > 0) {
                    m.put(c, counts[c.ordinal()]);
                }
            }
            return Collections.unmodifiableMap(m);
        }
    }

    static final class StepBucket {
        long calls;
        double promptSum;
        final Histogram e2e = new Histogram(3);
    }

    static final class RoleBucket {
        long calls;
        long failed;
        long attempts;
        long prompt;
        long completion;
        long cached;
        final Histogram ttft = new Histogram(3);
        final Histogram e2e = new Histogram(3);
    }

    private final int closed;
    private final Set<Integer> rebuild;
    /** Start of each closed window, epoch µs, and the end of the last: where a time falls. */
    private final long[] edges;

    final Counts all = new Counts();
    final List<Counts> perWindow = new ArrayList<>();
    final Map<String, RoleBucket> byRole = new LinkedHashMap<>();
    final TreeMap<Integer, StepBucket> byStep = new TreeMap<>();
    final Map<ErrorClass, List<String>> samples = new EnumMap<>(ErrorClass.class);
    final Map<Integer, Map<Metric, Histogram>> rebuilt = new TreeMap<>();
    final List<String> badLines = new ArrayList<>();
    long badLineCount;
    long warmup;
    /** Ages of calls still open when the run ended, µs: lower bounds of their latency. */
    final Histogram openAges = new Histogram(3);
    long overCap;
    long truncated;
    long truncatedServerTokens;
    long truncatedSentTokens;
    long cacheFromTimings;
    /** Latest end (or send, for an open call) of a call in the window the run never closed, epoch µs. */
    long partialEndUs = Long.MIN_VALUE;
    /** Earliest intended start of a call in the window the run never closed, epoch µs. */
    long partialStartUs = Long.MAX_VALUE;
    /** Calls sent and ended per window of time (index {@code closed}: after the last closed window); before the first. */
    final long[] started;
    final long[] ended;
    long startedBefore;
    long endedBefore;

    /**
     * @param closed  windows the run closed (those after are the window it never closed)
     * @param rebuild windows whose latency is rebuilt from the calls
     * @param edges   start of each closed window and the end of the last, epoch µs; null when unknown
     */
    CallsTally(int closed, Set<Integer> rebuild, long[] edges) {
        this.closed = closed;
        this.rebuild = rebuild;
        this.edges = edges;
        this.started = new long[closed + 1];
        this.ended = new long[closed + 1];
    }

    @Override
    public void bad(long number, boolean last, String why) {
        badLineCount++;
        if (badLines.size() < 5) {
            badLines.add(RunFile.CALLS + " line " + number + (last
                    ? " is incomplete (the run was cut off while writing it) and was skipped."
                    : " is not a valid call record and was skipped: " + why));
        }
    }

    @Override
    public void line(CallLine line) {
        inFlight(line);
        if (line.warmup()) {
            if (line.last() && line.error() != ErrorClass.OPEN) {
                warmup++;
            }
            return;
        }
        int w = Math.min(line.window(), closed); // after the last closed window: the one the run never closed
        while (perWindow.size() <= w) {
            perWindow.add(new Counts());
        }
        count(all, line);
        count(perWindow.get(w), line);
        if (w >= closed) {
            partialEndUs = Math.max(partialEndUs, line.intendedUs() + line.e2eUs());
            partialStartUs = Math.min(partialStartUs, line.intendedUs());
        }
        if (line.error() == ErrorClass.OPEN) {
            openAges.recordValue(line.e2eUs());
            return;
        }
        if (rebuild.contains(w)) {
            Map<Metric, Histogram> h = rebuilt.computeIfAbsent(w, k -> new EnumMap<>(Metric.class));
            Metric.ofAttempt(line.error(), line.last(), nanos(line.lagUs()), nanos(line.e2eUs()), nanos(line.ttftSentUs()), nanos(line.tpotUs()),
                    nanos(line.callTtft()), nanos(line.callE2e()), nanos(line.callTtftTool()), (metric, nanos) -> {
                        if (nanos >= 0) {
                            h.computeIfAbsent(metric, m -> new Histogram(3)).recordValue(nanos / 1000);
                        }
                    });
        }
        flags(line);
        role(line);
        if (line.error() == ErrorClass.OK) {
            StepBucket b = byStep.computeIfAbsent(Math.min(line.step(), MAX_STEPS), s -> new StepBucket());
            b.calls++;
            b.promptSum += line.usage().promptTokens();
            record(b.e2e, line.callE2e());
        } else if (line.detail() != null) {
            List<String> s = samples.computeIfAbsent(line.error(), e -> new ArrayList<>());
            if (s.size() < ERROR_SAMPLES && !s.contains(line.detail())) {
                s.add(line.detail());
            }
        }
    }

    private void flags(CallLine line) {
        if (line.flagged(CallFlag.OVER_CAP)) {
            overCap++;
        }
        if (line.flagged(CallFlag.PROMPT_TRUNCATED)) {
            truncated++;
            truncatedServerTokens += line.usage().promptTokens();
            truncatedSentTokens += Math.max(0, line.promptSent());
        }
        if (line.flagged(CallFlag.CACHE_FROM_TIMINGS)) {
            cacheFromTimings++;
        }
    }

    private void role(CallLine line) {
        RoleBucket role = byRole.computeIfAbsent(line.role(), r -> new RoleBucket());
        role.attempts++;
        role.prompt += line.usage().promptTokens();
        role.completion += line.usage().completionTokens();
        role.cached += line.usage().cachedTokens();
        if (line.last()) {
            role.calls++;
            if (line.error().failed()) {
                role.failed++;
            } else {
                record(role.e2e, line.callE2e());
                record(role.ttft, line.callTtft());
            }
        }
    }

    /** Tokens of every attempt count (they are billed); calls and their errors count once, at the last attempt; open calls apart. */
    private static void count(Counts c, CallLine line) {
        long end = line.intendedUs() + Math.max(0, line.e2eUs());
        c.firstEndUs = Math.min(c.firstEndUs, end);
        c.lastEndUs = Math.max(c.lastEndUs, end);
        if (line.error() == ErrorClass.OPEN) {
            c.open++;
            return;
        }
        c.attempts++;
        c.prompt += line.usage().promptTokens();
        c.completion += line.usage().completionTokens();
        c.cached += line.usage().cachedTokens();
        if (line.usage().source() == Usage.Source.ESTIMATED) {
            c.estimated++;
        }
        if (line.error().failed()) {
            c.attemptErrors[line.error().ordinal()]++;
        }
        if (line.last()) {
            c.calls++;
            if (line.error().failed()) {
                c.errors[line.error().ordinal()]++;
            }
        }
    }

    /** A sent call starts in the window of time it was sent in, and ends in the one it ended in (never, if still open). */
    private void inFlight(CallLine line) {
        if (edges == null || !line.sent()) {
            return;
        }
        long sent = line.sentAtUs();
        int s = slot(sent);
        if (s < 0) {
            startedBefore++;
        } else {
            started[s]++;
        }
        long end = line.endedAtUs();
        if (end >= 0) {
            int e = slot(end);
            if (e < 0) {
                endedBefore++;
            } else {
                ended[e]++;
            }
        }
    }

    /** The window of time {@code us} falls in: -1 before the first, {@code closed} after the last closed one. */
    private int slot(long us) {
        if (us < edges[0]) {
            return -1;
        }
        int lo = 0;
        int hi = edges.length - 1; // edges[closed] is the end of the last closed window
        if (us >= edges[hi]) {
            return closed;
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] <= us) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static long nanos(long us) {
        return us < 0 ? -1 : us * 1000;
    }

    private static void record(Histogram h, long value) {
        if (value >= 0) {
            h.recordValue(value);
        }
    }
}
