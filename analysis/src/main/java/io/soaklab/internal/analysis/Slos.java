package io.soaklab.internal.analysis;

import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.EpisodeLine;
import io.soaklab.internal.record.IntervalLog;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.run.Slo;
import io.soaklab.protocol.ErrorClass;
import org.HdrHistogram.Histogram;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run held to its service-level objectives: each objective's value per window and over the run,
 * which windows met it, which objective failed first, and goodput, the calls (and episodes) per
 * second that met every objective that applies to one call (one episode).
 *
 * <p>A call meets the per-call objectives when it succeeded and its own TTFT, E2E (both from the
 * first attempt's intended start), time per output token and largest inter-token gap are each
 * within their limits; an episode when it succeeded within the episode's duration and cost limits.
 * Latency percentiles are read from {@code histograms.hlog}; every figure comes from the run's single pass over its files.
 *
 * <pre>{@code
 * Slos s = Slos.evaluate(run, Slo.parseAll("ttft.p99=2s,errors=1%"));
 * s.verdicts().forEach(v -> System.out.println(v.slo().text() + (v.met() ? " met" : " missed")));
 * }</pre>
 */
public final class Slos {

    /**
     * One objective over the run.
     *
     * @param slo         the objective
     * @param value       its value over all measured windows (µs, USD or a fraction), NaN without data
     * @param met         whether that value is within the limit
     * @param perWindow   its value in each window (NaN where the window had no data)
     * @param windowsMet  windows that met it
     * @param windowsWithData windows that had data for it
     * @param firstMissed the first window (from 0) that missed it, or -1
     */
    public record Verdict(Slo slo, double value, boolean met, List<Double> perWindow, int windowsMet, int windowsWithData, int firstMissed) {
        /** True when the run had data for it at all. */
        public boolean measured() {
            return !Double.isNaN(value);
        }

        /** True when it was measured and missed. */
        public boolean missed() {
            return measured() && !met;
        }
    }

    private final List<Slo> objectives;
    private final List<Verdict> verdicts;
    private final long[] goodCalls;
    private final long[] calls;
    private final long[] goodEpisodes;
    private final long[] episodes;
    private final double[] seconds;
    private final boolean perCall;
    private final boolean perEpisode;

    private Slos(List<Slo> objectives, List<Verdict> verdicts, long[] goodCalls, long[] calls, long[] goodEpisodes, long[] episodes,
                 double[] seconds, boolean perCall, boolean perEpisode) {
        this.objectives = objectives;
        this.verdicts = verdicts;
        this.goodCalls = goodCalls;
        this.calls = calls;
        this.goodEpisodes = goodEpisodes;
        this.episodes = episodes;
        this.seconds = seconds;
        this.perCall = perCall;
        this.perEpisode = perEpisode;
    }

    /**
     * Holds {@code run} to {@code slos}: the verdicts it was loaded with when they are the same
     * objectives ({@link RunData.Reading#of}), else from one more pass over its histograms, calls and episodes.
     */
    public static Slos evaluate(RunData run, List<Slo> slos) throws IOException {
        if (run.slos() != null && run.slos().objectives.equals(slos)) {
            return run.slos();
        }
        Tally t = new Tally(slos, run.costs() != null);
        t.windows(run.windows().size());
        IntervalLog.read(run.dir(), t);
        CallLine.read(run.dir(), t);
        EpisodeLine.read(run.dir(), t);
        return t.finish(run.windows());
    }

    /**
     * What the objectives need from a run's files, gathered as they are read (by {@link RunData}'s
     * single pass, or by {@link #evaluate}'s own): each latency objective's percentile per window
     * from the histograms log, good and all calls per window, good and all episodes per window and
     * their costs. Nothing per call is kept.
     */
    static final class Tally implements IntervalLog.Visitor, CallLine.Reader, EpisodeLine.Reader {
        private final List<Slo> slos;
        private final boolean priced;
        private final Map<Metric, Slo> byLatencyMetric = new EnumMap<>(Metric.class);
        private final Map<String, Slo> byMetric = new HashMap<>();
        private final Map<String, double[]> latency = new HashMap<>();
        private final Map<String, Histogram> latencyTotals = new HashMap<>();
        private final boolean perCall;
        private final boolean perEpisode;
        private final long ttft;
        private final long e2e;
        private final long tpot;
        private final long itl;
        private final Slo duration;
        private final Slo cost;
        private long[] goodCalls = new long[16];
        private long[] calls = new long[16];
        private long[] goodEpisodes = new long[16];
        private long[] episodes = new long[16];
        private final List<List<BigDecimal>> costs = new ArrayList<>();
        /** Windows a line may name: one naming another (damaged or forged) is left out, as it is by the counts. */
        private int windows = Integer.MAX_VALUE;

        /** @param priced whether the run is priced: an unpriced run has no cost to hold to a limit */
        Tally(List<Slo> slos, boolean priced) {
            this.slos = List.copyOf(slos);
            this.priced = priced;
            for (Slo s : slos) {
                byMetric.put(s.metric(), s);
                if (s.latency()) {
                    byLatencyMetric.put(Metric.valueOf(s.metric().toUpperCase(Locale.ROOT)), s);
                }
            }
            perCall = slos.stream().anyMatch(Slo::perCall);
            perEpisode = slos.stream().anyMatch(Slo::perEpisode);
            ttft = limit(byMetric, "ttft");
            e2e = limit(byMetric, "e2e");
            tpot = limit(byMetric, "tpot");
            itl = limit(byMetric, "itl");
            duration = byMetric.get("episode");
            cost = byMetric.get("episode.cost");
        }

        /** Holds the tally to windows 0..{@code n - 1}. */
        void windows(int n) {
            windows = n;
        }

        @Override
        public void interval(int w, Metric metric, Histogram h) {
            Slo s = byLatencyMetric.get(metric);
            if (s == null || w >= windows) {
                return;
            }
            double[] v = latency.computeIfAbsent(s.metric(), k -> nan(16));
            if (w >= v.length) {
                int from = v.length;
                v = Arrays.copyOf(v, Math.max(w + 1, v.length * 2));
                Arrays.fill(v, from, v.length, Double.NaN);
                latency.put(s.metric(), v);
            }
            v[w] = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(s.percentile());
            latencyTotals.computeIfAbsent(s.metric(), k -> new Histogram(3)).add(h);
        }

        @Override
        public void line(CallLine line) {
            int w = line.window();
            if (!perCall || line.warmup() || !line.last() || line.error() == ErrorClass.OPEN || w >= windows) {
                return; // a call still open at the end has no outcome: neither good nor bad
            }
            grow(w);
            calls[w]++;
            boolean good = line.error() == ErrorClass.OK
                    && Math.max(0, line.callTtft()) <= ttft
                    && Math.max(0, line.callE2e()) <= e2e
                    && Math.max(0, line.tpotUs()) <= tpot
                    && Math.max(0, line.itlMaxUs()) <= itl;
            if (good) {
                goodCalls[w]++;
            }
        }

        @Override
        public void episode(EpisodeLine line) {
            int w = line.window();
            if (!perEpisode || line.warmup() || w < 0 || w >= windows || line.attempts() == 0) {
                return; // an episode an open load shed never ran: not a task, neither good nor bad
            }
            grow(w);
            episodes[w]++;
            BigDecimal c = line.cost() == null ? BigDecimal.ZERO : line.cost();
            costs.get(w).add(c);
            boolean good = line.ok() && (duration == null || line.durationUs() <= duration.limitMicros())
                    && (cost == null || priced && c.compareTo(cost.limit()) <= 0);
            if (good) {
                goodEpisodes[w]++;
            }
        }

        @Override
        public void bad(long number, boolean last, String why) {
            // a line cut off or damaged has no outcome: left out, as RunData says
        }

        private void grow(int w) {
            if (w >= calls.length) {
                int n = Math.max(w + 1, calls.length * 2);
                goodCalls = Arrays.copyOf(goodCalls, n);
                calls = Arrays.copyOf(calls, n);
                goodEpisodes = Arrays.copyOf(goodEpisodes, n);
                episodes = Arrays.copyOf(episodes, n);
            }
            while (costs.size() <= w) {
                costs.add(new ArrayList<>());
            }
        }

        /** The verdicts over {@code windows}, the run's measured windows: what falls beyond them is left out. */
        Slos finish(List<WindowStats> windows) {
            int n = windows.size();
            Map<String, double[]> values = new HashMap<>();
            Map<String, Double> overall = new HashMap<>();
            latency.forEach((metric, v) -> values.put(metric, fit(v, n)));
            latencyTotals.forEach((metric, h) -> overall.put(metric, h.getTotalCount() == 0 ? Double.NaN
                    : (double) h.getValueAtPercentile(byMetric.get(metric).percentile())));
            if (cost != null && priced) {
                double[] v = new double[n];
                List<BigDecimal> all = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    List<BigDecimal> window = i < costs.size() ? costs.get(i) : List.of();
                    v[i] = percentile(window, cost.percentile());
                    all.addAll(window);
                }
                values.put(cost.metric(), v);
                overall.put(cost.metric(), percentile(all, cost.percentile()));
            }
            Slo errors = byMetric.get("errors");
            if (errors != null) {
                double[] v = new double[n];
                long failed = 0;
                long all = 0;
                for (int i = 0; i < n; i++) {
                    WindowStats w = windows.get(i);
                    v[i] = w.calls() == 0 ? Double.NaN : (double) w.errorCount() / w.calls();
                    failed += w.errorCount();
                    all += w.calls();
                }
                values.put("errors", v);
                overall.put("errors", all == 0 ? Double.NaN : (double) failed / all);
            }
            List<Verdict> verdicts = new ArrayList<>();
            for (Slo s : slos) {
                double[] v = values.getOrDefault(s.metric(), nan(n));
                double limit = s.limit().doubleValue();
                int met = 0;
                int withData = 0;
                int first = -1;
                List<Double> perWindow = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    perWindow.add(v[i]);
                    if (Double.isNaN(v[i])) {
                        continue;
                    }
                    withData++;
                    if (v[i] <= limit) {
                        met++;
                    } else if (first < 0) {
                        first = i;
                    }
                }
                double all = overall.getOrDefault(s.metric(), Double.NaN);
                verdicts.add(new Verdict(s, all, !Double.isNaN(all) && all <= limit, List.copyOf(perWindow), met, withData, first));
            }
            double[] seconds = new double[n];
            for (int i = 0; i < n; i++) {
                seconds[i] = windows.get(i).seconds();
            }
            return new Slos(slos, List.copyOf(verdicts), Arrays.copyOf(goodCalls, n), Arrays.copyOf(calls, n), Arrays.copyOf(goodEpisodes, n),
                    Arrays.copyOf(episodes, n), seconds, perCall, perEpisode);
        }

        private static double[] fit(double[] v, int n) {
            double[] out = Arrays.copyOf(v, n);
            if (n > v.length) {
                Arrays.fill(out, v.length, n, Double.NaN);
            }
            return out;
        }
    }

    /** A per-call limit in microseconds, or no limit. */
    private static long limit(Map<String, Slo> slos, String metric) {
        Slo s = slos.get(metric);
        return s == null ? Long.MAX_VALUE : s.limitMicros();
    }

    /** The nearest-rank percentile of {@code values}, NaN when there are none. */
    static double percentile(List<BigDecimal> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<BigDecimal> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))).doubleValue();
    }

    private static double[] nan(int n) {
        double[] v = new double[n];
        Arrays.fill(v, Double.NaN);
        return v;
    }

    public List<Verdict> verdicts() {
        return verdicts;
    }

    /** The objective that failed first (earliest window), or null when every window met every objective. */
    public Verdict firstToFail() {
        Verdict first = null;
        for (Verdict v : verdicts) {
            if (v.firstMissed() >= 0 && (first == null || v.firstMissed() < first.firstMissed())) {
                first = v;
            }
        }
        return first;
    }

    /** True when per-call objectives were given (goodput of calls is defined). */
    public boolean hasCallGoodput() {
        return perCall;
    }

    /** True when per-episode objectives were given. */
    public boolean hasEpisodeGoodput() {
        return perEpisode;
    }

    /** Calls a second that met every per-call objective, in window {@code w}. */
    public double callGoodput(int w) {
        return goodCalls[w] / seconds[w];
    }

    /** Share of window {@code w}'s calls that met every per-call objective (NaN without calls). */
    public double callAttainment(int w) {
        return calls[w] == 0 ? Double.NaN : (double) goodCalls[w] / calls[w];
    }

    /** Over the run: calls a second that met every per-call objective, and their share. */
    public double[] callGoodput() {
        return total(goodCalls, calls);
    }

    /** Over the run: episodes a second that met every per-episode objective, and their share. */
    public double[] episodeGoodput() {
        return total(goodEpisodes, episodes);
    }

    public double episodeGoodput(int w) {
        return goodEpisodes[w] / seconds[w];
    }

    private double[] total(long[] good, long[] all) {
        long g = 0;
        long a = 0;
        double s = 0;
        for (int i = 0; i < good.length; i++) {
            g += good[i];
            a += all[i];
            s += seconds[i];
        }
        return new double[] {s == 0 ? 0 : g / s, a == 0 ? Double.NaN : (double) g / a};
    }
}
