package io.soaklab.internal.analysis;

import io.soaklab.internal.record.ServerMetricsLine;
import io.soaklab.internal.servermetrics.HistogramQuantile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server's own metrics, window by window, from {@code server-metrics.jsonl}: each of the run's
 * windows summarised over the scrapes that arrived in it. A gauge is its mean and its largest value
 * over those scrapes (requests running and waiting added over sources, KV-cache usage the fullest
 * source's); a counter its increase over the window (from the source's last scrape before it) per
 * second; a histogram the quantiles of its increase over the window, interpolated within buckets as
 * PromQL's {@code histogram_quantile} does ({@link HistogramQuantile}). A counter or histogram that
 * went down between two scrapes was reset (the server restarted): its later value is the increase.
 *
 * <pre>{@code
 * ServerWindows server = ServerWindows.read(dir, run.windows());
 * server.get(3).waitingMax();   // NaN when nothing was scraped in window 3
 * }</pre>
 */
public final class ServerWindows {

    /** Canonical names, as {@code server-metrics.jsonl} writes them. */
    static final String RUNNING = "requests_running";
    static final String WAITING = "requests_waiting";
    static final String KV = "kv_cache_usage";
    static final String PREEMPTIONS = "preemptions";
    static final String PROMPT = "prompt_tokens";
    static final String GENERATION = "generation_tokens";
    static final String FINISHED = "requests_finished";
    static final String TTFT = "server_ttft";
    static final String ITL = "server_itl";
    static final String E2E = "server_e2e";
    static final String QUEUE = "server_queue_time";
    private static final String[] COUNTERS = {PREEMPTIONS, PROMPT, GENERATION, FINISHED};
    private static final String[] HISTOGRAMS = {TTFT, ITL, E2E, QUEUE};

    /**
     * One window, as the server saw it; NaN where it has no such series or nothing was scraped.
     *
     * @param index        the window's index
     * @param scrapes      scrapes that answered in it (every source)
     * @param runningMean  requests running (in the batch), mean over its scrapes
     * @param runningMax   and the most
     * @param waitingMean  requests waiting (queued), mean
     * @param waitingMax   and the most
     * @param kvMean       KV-cache usage, 0..1, mean
     * @param kvMax        and the most
     * @param preemptionsPerSecond requests preempted per second
     * @param promptTokensPerSecond prompt tokens the server processed per second
     * @param generationTokensPerSecond tokens it generated per second
     * @param finishedPerSecond requests it finished per second
     * @param ttftP50Ms    its own time to first token, median of the window's requests, ms
     * @param ttftP99Ms    and 99th percentile
     * @param itlP99Ms     its own inter-token latency, 99th percentile, ms
     * @param e2eP99Ms     its own end-to-end latency, 99th percentile, ms
     * @param queueP99Ms   time requests queued inside it, 99th percentile, ms
     */
    public record Window(int index, int scrapes, double runningMean, double runningMax, double waitingMean, double waitingMax, double kvMean,
                         double kvMax, double preemptionsPerSecond, double promptTokensPerSecond, double generationTokensPerSecond,
                         double finishedPerSecond, double ttftP50Ms, double ttftP99Ms, double itlP99Ms, double e2eP99Ms, double queueP99Ms) {

        static Window none(int index) {
            double n = Double.NaN;
            return new Window(index, 0, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n);
        }
    }

    private final Map<Integer, Window> windows;
    private final Set<String> sources;
    private final Set<String> servers;
    private final long failures;

    private ServerWindows(Map<Integer, Window> windows, Set<String> sources, Set<String> servers, long failures) {
        this.windows = windows;
        this.sources = sources;
        this.servers = servers;
        this.failures = failures;
    }

    /** No server metrics: a run that did not scrape any, or found none. */
    static final ServerWindows NONE = new ServerWindows(Map.of(), Set.of(), Set.of(), 0);

    /** The server's metrics of {@code dir}'s run, over {@code windows}. */
    public static ServerWindows read(Path dir, List<WindowStats> windows) throws IOException {
        int[] index = new int[windows.size()];
        long[] starts = new long[windows.size()];
        long[] ends = new long[windows.size()];
        for (int i = 0; i < starts.length; i++) {
            index[i] = windows.get(i).index();
            starts[i] = windows.get(i).startMillis();
            ends[i] = windows.get(i).endMillis();
        }
        return read(dir, index, starts, ends);
    }

    /** Over windows given by their indexes and their start and end (epoch milliseconds), in order and tiling time. */
    static ServerWindows read(Path dir, int[] index, long[] starts, long[] ends) throws IOException {
        if (index.length == 0) {
            return NONE;
        }
        Map<String, Source> bySource = new HashMap<>();
        Set<String> servers = new LinkedHashSet<>();
        long[] failed = {0};
        boolean present = ServerMetricsLine.read(dir, s -> {
            if (s.failed()) {
                failed[0]++;
                return;
            }
            servers.add(s.server());
            int w = find(starts, ends, s.epochMillis());
            bySource.computeIfAbsent(s.source(), k -> new Source(index.length)).scrape(w, s);
        });
        if (!present || bySource.isEmpty()) {
            return present ? new ServerWindows(Map.of(), Set.of(), Set.of(), failed[0]) : NONE;
        }
        Map<Integer, Window> out = new HashMap<>();
        for (int i = 0; i < index.length; i++) {
            out.put(index[i], summarise(index[i], i, bySource.values()));
        }
        return new ServerWindows(out, new LinkedHashSet<>(bySource.keySet()), servers, failed[0]);
    }

    /** The window {@code t} falls in, -1 before the first, {@code starts.length} after the last. */
    private static int find(long[] starts, long[] ends, long t) {
        if (t < starts[0]) {
            return -1;
        }
        int i = Arrays.binarySearch(starts, t);
        int w = i >= 0 ? i : -i - 2;
        return t >= ends[w] && w == starts.length - 1 ? starts.length : w;
    }

    /** One source's scrapes, gathered per window. */
    private static final class Source {
        final Acc[] windows;
        ServerMetricsLine.Scrape lastSeen; // canonical maps copied
        long lastSeenAt = -1;
        int lastWindow = Integer.MIN_VALUE;

        Source(int n) {
            windows = new Acc[n];
        }

        void scrape(int w, ServerMetricsLine.Scrape s) {
            Map<String, Double> canonical = Map.copyOf(s.canonical());
            Map<String, ServerMetricsLine.Buckets> histograms = Map.copyOf(s.histograms());
            if (w >= 0 && w < windows.length) {
                Acc a = windows[w];
                if (a == null) {
                    a = windows[w] = new Acc();
                    if (lastSeenAt >= 0 && lastWindow < w) { // the window's increase is counted from the source's scrape before it
                        a.baseAt = lastSeenAt;
                        a.baseCounters = lastSeen.canonical();
                        a.baseHistograms = lastSeen.histograms();
                    } else {
                        a.baseAt = s.epochMillis();
                        a.baseCounters = canonical;
                        a.baseHistograms = histograms;
                    }
                }
                a.scrapes++;
                a.gauge(RUNNING, canonical);
                a.gauge(WAITING, canonical);
                a.gauge(KV, canonical);
                a.endAt = s.epochMillis();
                a.endCounters = canonical;
                a.endHistograms = histograms;
            }
            lastSeen = new ServerMetricsLine.Scrape(s.epochMillis(), s.source(), s.server(), Map.of(), Map.of(), canonical, histograms, null);
            lastSeenAt = s.epochMillis();
            lastWindow = w;
        }
    }

    /** One source's figures in one window. */
    private static final class Acc {
        int scrapes;
        final Map<String, double[]> gauges = new HashMap<>(); // sum, max, count
        long baseAt;
        long endAt;
        Map<String, Double> baseCounters;
        Map<String, Double> endCounters;
        Map<String, ServerMetricsLine.Buckets> baseHistograms;
        Map<String, ServerMetricsLine.Buckets> endHistograms;

        void gauge(String name, Map<String, Double> canonical) {
            Double v = canonical.get(name);
            if (v == null || v.isNaN()) {
                return;
            }
            double[] g = gauges.computeIfAbsent(name, k -> new double[] {0, Double.NEGATIVE_INFINITY, 0});
            g[0] += v;
            g[1] = Math.max(g[1], v);
            g[2]++;
        }

        double mean(String name) {
            double[] g = gauges.get(name);
            return g == null ? Double.NaN : g[0] / g[2];
        }

        double max(String name) {
            double[] g = gauges.get(name);
            return g == null ? Double.NaN : g[1];
        }

        /** The counter's increase per second, or NaN. */
        double rate(String name) {
            Double end = endCounters.get(name);
            Double base = baseCounters.get(name);
            if (end == null || base == null || endAt <= baseAt) {
                return Double.NaN;
            }
            double increase = end >= base ? end - base : end; // reset: counted again from zero
            return increase * 1000.0 / (endAt - baseAt);
        }

        /** The histogram's increase over the window, or null. */
        ServerMetricsLine.Buckets increase(String name) {
            ServerMetricsLine.Buckets end = endHistograms.get(name);
            ServerMetricsLine.Buckets base = baseHistograms.get(name);
            if (end == null) {
                return null;
            }
            if (base == null || !Arrays.equals(base.bounds(), end.bounds()) || base == end) {
                return base == end ? null : end;
            }
            double[] counts = new double[end.cumulative().length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = end.cumulative()[i] - base.cumulative()[i];
                if (counts[i] < 0) {
                    return end; // reset
                }
            }
            return new ServerMetricsLine.Buckets(end.bounds(), counts, end.sum() - base.sum(), end.count() - base.count());
        }
    }

    private static Window summarise(int index, int position, Iterable<Source> sources) {
        List<Acc> in = new ArrayList<>();
        for (Source s : sources) {
            if (s.windows[position] != null) {
                in.add(s.windows[position]);
            }
        }
        if (in.isEmpty()) {
            return Window.none(index);
        }
        int scrapes = 0;
        for (Acc a : in) {
            scrapes += a.scrapes;
        }
        double[] rates = new double[COUNTERS.length];
        for (int c = 0; c < COUNTERS.length; c++) {
            rates[c] = Double.NaN;
            for (Acc a : in) {
                rates[c] = plus(rates[c], a.rate(COUNTERS[c]));
            }
        }
        double[][] quantiles = new double[HISTOGRAMS.length][];
        for (int h = 0; h < HISTOGRAMS.length; h++) {
            ServerMetricsLine.Buckets total = null;
            for (Acc a : in) {
                ServerMetricsLine.Buckets d = a.increase(HISTOGRAMS[h]);
                if (d == null) {
                    continue;
                }
                if (total == null) {
                    total = d;
                } else if (Arrays.equals(total.bounds(), d.bounds())) {
                    double[] counts = total.cumulative().clone();
                    for (int i = 0; i < counts.length; i++) {
                        counts[i] += d.cumulative()[i];
                    }
                    total = new ServerMetricsLine.Buckets(total.bounds(), counts, total.sum() + d.sum(), total.count() + d.count());
                }
            }
            quantiles[h] = total == null ? new double[] {Double.NaN, Double.NaN}
                    : new double[] {ms(HistogramQuantile.quantile(0.5, total.bounds(), total.cumulative())),
                            ms(HistogramQuantile.quantile(0.99, total.bounds(), total.cumulative()))};
        }
        double runningMean = Double.NaN;
        double runningMax = Double.NaN;
        double waitingMean = Double.NaN;
        double waitingMax = Double.NaN;
        double kvMean = Double.NaN;
        double kvMax = Double.NaN;
        for (Acc a : in) {
            runningMean = plus(runningMean, a.mean(RUNNING));
            runningMax = plus(runningMax, a.max(RUNNING));
            waitingMean = plus(waitingMean, a.mean(WAITING));
            waitingMax = plus(waitingMax, a.max(WAITING));
            kvMean = most(kvMean, a.mean(KV));
            kvMax = most(kvMax, a.max(KV));
        }
        return new Window(index, scrapes, runningMean, runningMax, waitingMean, waitingMax, kvMean, kvMax, rates[0], rates[1], rates[2],
                rates[3], quantiles[0][0], quantiles[0][1], quantiles[1][1], quantiles[2][1], quantiles[3][1]);
    }

    private static double ms(double seconds) {
        return seconds * 1000;
    }

    private static double plus(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : a + b;
    }

    private static double most(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    /** Window {@code index}'s figures ({@link Window#none} when nothing was scraped in it). */
    public Window get(int index) {
        Window w = windows.get(index);
        return w == null ? Window.none(index) : w;
    }

    /** Whether any scrape answered. */
    public boolean present() {
        return !sources.isEmpty();
    }

    /** The addresses scraped that answered. */
    public Set<String> sources() {
        return sources;
    }

    /** The servers they looked like ({@code vllm}, {@code sglang}...). */
    public Set<String> servers() {
        return servers;
    }

    /** Scrapes that failed. */
    public long failures() {
        return failures;
    }
}
