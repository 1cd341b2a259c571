package io.soaklab.analysis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.record.Metric;
import io.soaklab.record.RunRecorder;
import io.soaklab.run.Slo;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 * Latency percentiles are read from {@code histograms.hlog}, one pass, one histogram per metric.
 *
 * <pre>{@code
 * Slos s = Slos.evaluate(run, Slo.parseAll("ttft.p99=2s,errors=1%"));
 * s.verdicts().forEach(v -> System.out.println(v.slo().text() + (v.met() ? " met" : " missed")));
 * }</pre>
 */
public final class Slos {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

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

    private final List<Verdict> verdicts;
    private final long[] goodCalls;
    private final long[] calls;
    private final long[] goodEpisodes;
    private final long[] episodes;
    private final double[] seconds;
    private final boolean perCall;
    private final boolean perEpisode;

    private Slos(List<Verdict> verdicts, long[] goodCalls, long[] calls, long[] goodEpisodes, long[] episodes, double[] seconds,
                 boolean perCall, boolean perEpisode) {
        this.verdicts = verdicts;
        this.goodCalls = goodCalls;
        this.calls = calls;
        this.goodEpisodes = goodEpisodes;
        this.episodes = episodes;
        this.seconds = seconds;
        this.perCall = perCall;
        this.perEpisode = perEpisode;
    }

    /** Holds {@code run} to {@code slos}. */
    public static Slos evaluate(RunData run, List<Slo> slos) throws IOException {
        int n = run.windows().size();
        Path dir = run.dir();
        Map<String, double[]> values = new HashMap<>();
        Map<String, Double> overall = new HashMap<>();
        latencies(dir.resolve(RunRecorder.HISTOGRAMS), slos, n, values, overall);

        long[] goodCalls = new long[n];
        long[] calls = new long[n];
        long[] goodEpisodes = new long[n];
        long[] episodes = new long[n];
        List<List<BigDecimal>> costs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            costs.add(new ArrayList<>());
        }
        Map<String, Slo> byMetric = new HashMap<>();
        slos.forEach(s -> byMetric.put(s.metric(), s));
        boolean perCall = slos.stream().anyMatch(Slo::perCall);
        boolean perEpisode = slos.stream().anyMatch(Slo::perEpisode);
        if (perCall) {
            eachLine(dir.resolve(RunRecorder.CALLS), c -> {
                int w = c.path("window").asInt(-1);
                if (!"measure".equals(c.path("phase").asText()) || w < 0 || w >= n || !c.path("last").asBoolean(true)) {
                    return;
                }
                calls[w]++;
                if (goodCall(c, byMetric)) {
                    goodCalls[w]++;
                }
            });
        }
        if (perEpisode) {
            Slo duration = byMetric.get("episode");
            Slo cost = byMetric.get("episode.cost");
            eachLine(dir.resolve(RunRecorder.EPISODES), e -> {
                int w = e.path("window").asInt(-1);
                if (!"measure".equals(e.path("phase").asText()) || w < 0 || w >= n || e.path("attempts").asLong(1) == 0) {
                    return; // an episode an open load shed never ran: not a task, neither good nor bad
                }
                episodes[w]++;
                BigDecimal c = e.has("cost_usd") ? e.get("cost_usd").decimalValue() : BigDecimal.ZERO;
                costs.get(w).add(c);
                boolean good = e.path("ok").asBoolean() && (duration == null || e.path("duration_us").asLong() <= duration.limitMicros())
                        && (cost == null || run.costs() != null && c.compareTo(cost.limit()) <= 0);
                if (good) {
                    goodEpisodes[w]++;
                }
            });
        }
        Slo cost = byMetric.get("episode.cost");
        if (cost != null && run.costs() != null) { // an unpriced run has no cost to hold to a limit: no data
            double[] v = new double[n];
            List<BigDecimal> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                v[i] = percentile(costs.get(i), cost.percentile());
                all.addAll(costs.get(i));
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
                WindowStats w = run.windows().get(i);
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
            seconds[i] = run.windows().get(i).seconds();
        }
        return new Slos(List.copyOf(verdicts), goodCalls, calls, goodEpisodes, episodes, seconds, perCall, perEpisode);
    }

    private static boolean goodCall(JsonNode c, Map<String, Slo> slos) {
        if (!"ok".equals(c.path("error").asText())) {
            return false;
        }
        return within(c, slos.get("ttft"), c.has("call_ttft_us") ? "call_ttft_us" : "ttft_us")
                && within(c, slos.get("e2e"), c.has("call_e2e_us") ? "call_e2e_us" : "e2e_us")
                && within(c, slos.get("tpot"), "tpot_us")
                && within(c, slos.get("itl"), "itl_max_us");
    }

    private static boolean within(JsonNode c, Slo slo, String field) {
        return slo == null || !c.has(field) || c.get(field).asLong() <= slo.limitMicros();
    }

    private static void latencies(Path hlog, List<Slo> slos, int n, Map<String, double[]> values, Map<String, Double> overall) throws IOException {
        Map<String, Slo> byTag = new HashMap<>();
        for (Slo s : slos) {
            if (s.latency()) {
                byTag.put(Metric.valueOf(s.metric().toUpperCase(Locale.ROOT)).tag(), s);
            }
        }
        if (byTag.isEmpty() || !Files.exists(hlog)) {
            return;
        }
        Map<String, Histogram> totals = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile())) {
            while (true) {
                EncodableHistogram e;
                try {
                    e = reader.nextIntervalHistogram();
                } catch (RuntimeException damaged) {
                    break; // a line cut off by a crash: RunData notes it
                }
                if (e == null) {
                    break;
                }
                Slo s = byTag.get(e.getTag());
                if (s == null || !(e instanceof Histogram h)) {
                    continue;
                }
                int w = seen.merge(e.getTag(), 1, Integer::sum) - 1;
                if (w >= n) {
                    continue;
                }
                values.computeIfAbsent(s.metric(), k -> nan(n))[w] = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(s.percentile());
                totals.computeIfAbsent(s.metric(), k -> new Histogram(3)).add(h);
            }
        }
        totals.forEach((metric, h) -> overall.put(metric, h.getTotalCount() == 0 ? Double.NaN
                : (double) h.getValueAtPercentile(slos.stream().filter(s -> s.metric().equals(metric)).findFirst().orElseThrow().percentile())));
    }

    private interface LineHandler {
        void accept(JsonNode line) throws IOException;
    }

    private static void eachLine(Path file, LineHandler handler) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = reader.readLine()) != null) {
                JsonNode n;
                try {
                    n = JSON.readTree(text);
                } catch (IOException cutOff) {
                    continue; // the last line of a killed run
                }
                if (n != null) {
                    handler.accept(n);
                }
            }
        }
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
