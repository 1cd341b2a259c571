package io.soaklab.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.record.Metric;
import io.soaklab.record.RunRecorder;
import io.soaklab.run.Slo;
import io.soaklab.protocol.ErrorClass;
import org.HdrHistogram.Histogram;
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
import java.util.Set;

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

    private static final JsonFactory JSON = new JsonFactory();

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
            long ttft = limit(byMetric, "ttft");
            long e2e = limit(byMetric, "e2e");
            long tpot = limit(byMetric, "tpot");
            long itl = limit(byMetric, "itl");
            CallLine.readAll(dir, line -> {
                int w = line.window;
                if (line.warmup || w >= n || !line.last || line.error == ErrorClass.OPEN) {
                    return; // a call still open at the end has no outcome: neither good nor bad
                }
                calls[w]++;
                boolean good = line.error == ErrorClass.OK
                        && Math.max(0, line.callTtft()) <= ttft
                        && Math.max(0, line.callE2e()) <= e2e
                        && Math.max(0, line.tpotUs) <= tpot
                        && Math.max(0, line.itlMaxUs) <= itl;
                if (good) {
                    goodCalls[w]++;
                }
            });
        }
        if (perEpisode) {
            Slo duration = byMetric.get("episode");
            Slo cost = byMetric.get("episode.cost");
            eachLine(dir.resolve(RunRecorder.EPISODES), Set.of("phase", "window", "attempts", "ok", "duration_us", "cost_usd"), f -> {
                int w = (int) f.number("window", -1);
                if (!f.measured() || w < 0 || w >= n || f.number("attempts", 1) == 0) {
                    return; // an episode an open load shed never ran: not a task, neither good nor bad
                }
                episodes[w]++;
                BigDecimal c = f.decimal("cost_usd");
                costs.get(w).add(c);
                boolean good = f.bool("ok", false) && (duration == null || f.number("duration_us", 0) <= duration.limitMicros())
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

    /** A per-call limit in microseconds, or no limit. */
    private static long limit(Map<String, Slo> slos, String metric) {
        Slo s = slos.get(metric);
        return s == null ? Long.MAX_VALUE : s.limitMicros();
    }

    private static void latencies(Path hlog, List<Slo> slos, int n, Map<String, double[]> values, Map<String, Double> overall) throws IOException {
        Map<String, Slo> byTag = new HashMap<>();
        for (Slo s : slos) {
            if (s.latency()) {
                byTag.put(Metric.valueOf(s.metric().toUpperCase(Locale.ROOT)).tag(), s);
            }
        }
        if (byTag.isEmpty()) {
            return;
        }
        Map<String, Histogram> totals = new HashMap<>();
        HistogramLog.read(hlog, (w, metric, h) -> {
            Slo s = byTag.get(metric.tag());
            if (s == null || w >= n) {
                return;
            }
            values.computeIfAbsent(s.metric(), k -> nan(n))[w] = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(s.percentile());
            totals.computeIfAbsent(s.metric(), k -> new Histogram(3)).add(h);
        });
        totals.forEach((metric, h) -> overall.put(metric, h.getTotalCount() == 0 ? Double.NaN
                : (double) h.getValueAtPercentile(slos.stream().filter(s -> s.metric().equals(metric)).findFirst().orElseThrow().percentile())));
    }

    /** The wanted top-level scalar fields of one JSON line, read with the streaming parser (no tree per line). */
    private static final class Fields {
        private final Map<String, String> values = new HashMap<>();
        private final Set<String> wanted;

        Fields(Set<String> wanted) {
            this.wanted = wanted;
        }

        boolean read(JsonParser p) throws IOException {
            values.clear();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else if (t != JsonToken.VALUE_NULL && wanted.contains(name)) {
                    values.put(name, p.getText());
                }
            }
            return p.currentToken() == JsonToken.END_OBJECT; // a line cut off by a killed run is left out
        }

        boolean measured() {
            return "measure".equals(values.get("phase"));
        }

        String text(String name) {
            return values.get(name);
        }

        long number(String name, long otherwise) {
            String v = values.get(name);
            return v == null ? otherwise : Long.parseLong(v);
        }

        boolean bool(String name, boolean otherwise) {
            String v = values.get(name);
            return v == null ? otherwise : Boolean.parseBoolean(v);
        }

        BigDecimal decimal(String name) {
            String v = values.get(name);
            return v == null ? BigDecimal.ZERO : new BigDecimal(v);
        }
    }

    private interface LineHandler {
        void accept(Fields line);
    }

    private static void eachLine(Path file, Set<String> wanted, LineHandler handler) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        Fields fields = new Fields(wanted);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = reader.readLine()) != null) {
                try (JsonParser p = JSON.createParser(text)) {
                    if (!fields.read(p)) {
                        continue;
                    }
                } catch (IOException | NumberFormatException cutOff) {
                    continue; // the last line of a killed run
                }
                handler.accept(fields);
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
