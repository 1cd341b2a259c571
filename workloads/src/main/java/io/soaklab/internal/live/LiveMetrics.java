package io.soaklab.internal.live;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.record.CallInfo;
import io.soaklab.internal.record.EpisodeRecord;
import io.soaklab.internal.record.Metric;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.DoubleSupplier;
import org.HdrHistogram.ValueRecorder;

/**
 * A run as it happens, in the Prometheus exposition formats (text 0.0.4 and OpenMetrics, as the
 * scraper asks), served on {@code --metrics-port} by the Prometheus Java client's HTTP server. Every
 * series is named {@code soaklab_*}; labels are bounded (an outcome class, a token kind, a phase),
 * never a call's or a user's id. What a call counts into follows the one outcome rule the run's
 * windows follow ({@link Metric#ofAttempt}), so a live histogram and the run's own agree.
 *
 * <pre>{@code
 * try (LiveMetrics live = LiveMetrics.start("127.0.0.1", 9464, runner::inFlight)) {
 *     recorder.observe(live);   // calls, episodes and inter-token gaps, as they are recorded
 * }
 * }</pre>
 *
 * <p>Cheap on the hot path: one data point per label value is bound when the class is built, and
 * an update is a lock-free add; nothing here allocates per call or per token.
 */
public final class LiveMetrics implements RunRecorder.Observer, AutoCloseable {

    /** Bucket bounds (seconds) of the latency histograms: from a 1 ms gap to a 10-minute episode. */
    static final double[] LATENCY_BOUNDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 600};
    /** Bucket bounds (seconds) of the schedule lag: how late a call left its intended start. */
    static final double[] LAG_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExecutorService threads;
    private final HTTPServer server;
    private final CounterDataPoint[] callsByOutcome = new CounterDataPoint[ErrorClass.values().length];
    private final CounterDataPoint attempts;
    private final CounterDataPoint retries;
    private final CounterDataPoint promptTokens;
    private final CounterDataPoint completionTokens;
    private final CounterDataPoint cachedTokens;
    private final CounterDataPoint reasoningTokens;
    private final CounterDataPoint cacheWriteTokens;
    private final CounterDataPoint spend;
    private final CounterDataPoint episodesOk;
    private final CounterDataPoint episodesFailed;
    private final Map<Metric, DistributionDataPoint> latency = new EnumMap<>(Metric.class);
    private final DistributionDataPoint itl;
    private final Gauge window;
    /** Where {@link Metric#ofAttempt} puts an attempt's values: held, not a new lambda a call. */
    private final Metric.Sink sink = this::value;
    /** When the last two scrapes came ({@link System#nanoTime()}), 0 before. */
    private volatile long lastScrape;
    private volatile long scrapeBefore;

    private LiveMetrics(String host, int port, DoubleSupplier inFlight) throws IOException {
        Counter calls = Counter.builder().name("soaklab_calls").help("Calls ended, by outcome class (a call's last attempt)")
                .labelNames("outcome").withoutExemplars().register(registry);
        for (ErrorClass e : ErrorClass.values()) {
            if (e != ErrorClass.OPEN) { // a call still open at the end is not an outcome: it never ended
                callsByOutcome[e.ordinal()] = calls.labelValues(e.wireName());
            }
        }
        attempts = Counter.builder().name("soaklab_attempts").help("Call attempts ended, retries included").withoutExemplars().register(registry)
                .labelValues();
        retries = Counter.builder().name("soaklab_retries").help("Attempts after a call's first").withoutExemplars().register(registry)
                .labelValues();
        Counter tokens = Counter.builder().name("soaklab_tokens").help("Tokens of ended attempts, by kind, as the endpoint reported them (or soaklab's estimate)")
                .labelNames("kind").withoutExemplars().register(registry);
        promptTokens = tokens.labelValues("prompt");
        completionTokens = tokens.labelValues("completion");
        cachedTokens = tokens.labelValues("cached");
        reasoningTokens = tokens.labelValues("reasoning");
        cacheWriteTokens = tokens.labelValues("cache_write");
        spend = Counter.builder().name("soaklab_spend_usd").help("What ended attempts cost, priced from the run's catalog (0 when unpriced)")
                .withoutExemplars().register(registry).labelValues();
        Counter episodes = Counter.builder().name("soaklab_episodes").help("Episodes ended, by outcome").labelNames("outcome")
                .withoutExemplars().register(registry);
        episodesOk = episodes.labelValues("ok");
        episodesFailed = episodes.labelValues("failed");
        GaugeWithCallback.builder().name("soaklab_calls_in_flight").help("Calls sent and not yet ended")
                .callback(cb -> {
                    scraped(); // read once per scrape: when the scrapes come is known
                    cb.call(inFlight.getAsDouble());
                }).register(registry);
        window = Gauge.builder().name("soaklab_window").help("The window open now, from 0; -1 in the warmup").register(registry);
        window.set(-1);
        latency.put(Metric.SCHEDULE_LAG, histogram("soaklab_schedule_lag", "How late each attempt was sent after its intended start", LAG_BOUNDS));
        latency.put(Metric.TTFT, histogram("soaklab_ttft", "Time to first token of calls that succeeded, from the call's intended start", LATENCY_BOUNDS));
        latency.put(Metric.E2E, histogram("soaklab_e2e", "End to end time of calls that succeeded, from the call's intended start", LATENCY_BOUNDS));
        latency.put(Metric.E2E_FAILED, histogram("soaklab_e2e_failed", "End to end time of calls that failed, from the call's intended start",
                LATENCY_BOUNDS));
        latency.put(Metric.EPISODE, histogram("soaklab_episode", "Duration of episodes that succeeded, from the intended start", LATENCY_BOUNDS));
        itl = histogram("soaklab_itl", "Gaps between a reply's chunks, as they arrive", LATENCY_BOUNDS);
        threads = Executors.newFixedThreadPool(1, r -> {
            Thread t = new Thread(r, "soaklab-metrics");
            t.setDaemon(true);
            return t;
        });
        try {
            server = HTTPServer.builder().inetAddress(java.net.InetAddress.getByName(host)).port(port).registry(registry)
                    .executorService(threads).buildAndStart();
        } catch (IOException e) {
            threads.shutdownNow();
            throw e;
        }
    }

    private DistributionDataPoint histogram(String name, String help, double[] bounds) {
        return Histogram.builder().name(name).unit(Unit.SECONDS).help(help).classicOnly().classicUpperBounds(bounds).withoutExemplars()
                .register(registry).labelValues();
    }

    /**
     * Serves the run's metrics at {@code http://host:port/metrics} (port 0: any free port, see {@link #port()}).
     *
     * @param inFlight the calls in flight now, read at each scrape
     * @throws UncheckedIOException with a message for the user when the port cannot be bound
     */
    public static LiveMetrics start(String host, int port, DoubleSupplier inFlight) {
        try {
            return new LiveMetrics(host, port, inFlight);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve live metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The port the metrics are served on. */
    public int port() {
        return server.getPort();
    }

    /** Names the run on every scrape: {@code soaklab_run_info{run, scenario, model, load}} 1, for a dashboard's title and filters. */
    public void describe(String run, String scenario, String model, String load) {
        Info.builder().name("soaklab_run").help("The run being measured").labelNames("run", "scenario", "model", "load").register(registry)
                .setLabelValues(run, scenario, model, load);
    }

    @Override
    public void call(CallResult r, CallInfo info, Cost cost) {
        ErrorClass error = r.error();
        if (error == ErrorClass.OPEN) {
            return;
        }
        if (error.sent()) {
            attempts.inc();
            if (info.attempt() > 1) {
                retries.inc();
            }
        }
        if (info.last()) {
            callsByOutcome[error.ordinal()].inc();
        }
        Usage u = r.usage();
        if (u.known()) {
            // a server's odd negative count must not throw inside the recording of the call
            promptTokens.inc(Math.max(0, u.promptTokens()));
            completionTokens.inc(Math.max(0, u.completionTokens()));
            cachedTokens.inc(Math.max(0, u.cachedTokens()));
            reasoningTokens.inc(Math.max(0, u.reasoningTokens()));
            cacheWriteTokens.inc(Math.max(0, u.cacheWriteTokens()) + Math.max(0, u.cacheWrite1hTokens()));
        }
        double usd = cost.total().doubleValue();
        if (usd > 0) {
            spend.inc(usd);
        }
        long retryWait = r.intendedNanos() - info.firstIntended();
        Metric.ofAttempt(error, info.last(), r.lagNanos(), r.e2eNanos(), r.ttftSentNanos(), r.tpotNanos(),
                plus(r.firstTokenNanos(), retryWait), r.e2eNanos() + retryWait, plus(r.firstToolNanos(), retryWait), sink);
    }

    private static long plus(long nanos, long more) {
        return nanos < 0 ? nanos : nanos + more;
    }

    private void value(Metric m, long nanos) {
        DistributionDataPoint h = latency.get(m);
        if (h != null && nanos >= 0) {
            h.observe(nanos / 1e9);
        }
    }

    @Override
    public void episode(EpisodeRecord e) {
        if (e.ok()) {
            episodesOk.inc();
            latency.get(Metric.EPISODE).observe(e.durationNanos() / 1e9);
        } else {
            episodesFailed.inc();
        }
    }

    @Override
    public void window(int index, boolean warmup) {
        window.set(warmup ? -1 : index);
    }

    @Override
    public ValueRecorder itl(ValueRecorder recorder) {
        return new Tee(recorder, itl);
    }

    private synchronized void scraped() {
        scrapeBefore = lastScrape;
        lastScrape = System.nanoTime();
    }

    /** The longest a run's end waits for its last scrape. */
    static final long LINGER_MAX_NANOS = 15_000_000_000L;

    /**
     * Stops serving, once the run's last figures have been scraped: a scraper seen at work (two
     * scrapes, the last within three of its intervals) is waited for, up to two of its intervals (at
     * most 15 s), so that its last scrape holds the calls that ended last. Nobody scraping, nothing
     * waited for.
     */
    @Override
    public void close() {
        long seen = lastScrape;
        long interval = seen - scrapeBefore;
        long end = System.nanoTime();
        if (seen != 0 && scrapeBefore != 0 && end - seen < 3 * interval) { // a scraper at work, not one look by hand
            long deadline = end + Math.min(LINGER_MAX_NANOS, 2 * interval);
            try {
                while (lastScrape - end < 0 && System.nanoTime() - deadline < 0) {
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server.close();
        threads.shutdownNow();
    }

    /** Gaps between chunks into the window's histogram and the live one (microseconds in, seconds out). */
    private static final class Tee implements ValueRecorder {
        private final ValueRecorder window;
        private final DistributionDataPoint live;

        Tee(ValueRecorder window, DistributionDataPoint live) {
            this.window = window;
            this.live = live;
        }

        @Override
        public void recordValue(long value) {
            window.recordValue(value);
            live.observe(value / 1e6);
        }

        @Override
        public void recordValueWithCount(long value, long count) {
            window.recordValueWithCount(value, count);
            for (long i = 0; i < count; i++) {
                live.observe(value / 1e6);
            }
        }

        @Override
        public void recordValueWithExpectedInterval(long value, long expectedInterval) {
            window.recordValueWithExpectedInterval(value, expectedInterval);
            live.observe(value / 1e6);
        }

        @Override
        public void reset() {
            window.reset();
        }
    }
}
