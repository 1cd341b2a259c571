package io.soaklab.run;

import io.soaklab.internal.run.ApiKey;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.live.LiveMetrics;
import io.soaklab.internal.servermetrics.Scraper;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.SpendLimit;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.load.Arrivals;
import io.soaklab.load.ClosedLoad;
import io.soaklab.load.EpisodeRunner;
import io.soaklab.load.Load;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.load.OpenLoad;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.internal.record.WindowSummary;
import io.soaklab.internal.trace.OtlpTarget;
import io.soaklab.internal.trace.Tracing;
import io.soaklab.internal.text.Latency;
import io.soaklab.scenario.Scenario;
import io.soaklab.scenario.ScenarioSpec;
import io.soaklab.scenario.Scenarios;
import io.soaklab.sim.EmbeddedEndpoint;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A soak run in progress: the one object a harness needs. It reads the run folder's
 * {@code run.json} and {@code scenario.yaml}, connects to the endpoint (starting the embedded one
 * if the run has none), runs the load ({@link ClosedLoad} or {@link OpenLoad}, on threads of its
 * own, never paused by the harness) and closes windows when the harness says.
 *
 * <pre>{@code
 * try (Soak soak = Soak.open(runDir, false)) {
 *     soak.start();
 *     for (int w = 0; w < soak.config().windows(); w++) {
 *         soak.beginWindow(false);
 *         Thread.sleep(soak.config().window().toMillis());
 *         System.err.println(soak.progress(soak.endWindow()));
 *     }
 * }
 * }</pre>
 *
 * <p>If the JVM is stopped by a signal, a shutdown hook writes the open window and marks the run
 * {@code aborted}; nothing recorded is lost.
 */
public final class Soak implements AutoCloseable {

    /** The copy of the scenario in a run folder. */
    public static final String SCENARIO_FILE = io.soaklab.internal.layout.RunFile.SCENARIO.fileName();

    private final Path dir;
    private final RunConfig config;
    private final ScenarioSpec spec;
    private final EmbeddedEndpoint ownEndpoint;
    private final RunRecorder recorder;
    private final ModelClient client;
    private final Thread shutdownHook;
    private final EpisodeRunner runner;
    private final Load load;
    private final Tariff tariff;
    /** soaklab's own metrics, served while the run runs; null when not asked for. */
    private final LiveMetrics live;
    /** Every request sent, kept ({@code --record-requests}); null when not asked for. */
    private final io.soaklab.internal.record.RequestLine.Writer requests;
    private final java.util.concurrent.ScheduledExecutorService requestsFlusher;
    /** The server's own metrics, scraped through the run; null when not asked for. */
    private final Scraper scraper;
    /** The episodes as OpenTelemetry traces; null when not asked for. */
    private final Tracing tracing;
    private final RunManifest.Endpoint where;
    /** When a run started at a given instant began: windows keep to a grid counted from it; {@link Long#MIN_VALUE} otherwise. */
    private volatile long gridNanos = Long.MIN_VALUE;
    private RunManifest manifest;
    private long measureStart = -1;
    private boolean closed;
    /** Windows in a row, up to the last, in which calls ended and every one failed. */
    private int failedStreak;
    /** Calls recorded as still open when the run ended. */
    private List<CallResult> openAtEnd = List.of();
    private boolean runEnded;

    private Soak(Path dir, RunManifest prepared, boolean watchParent) throws IOException {
        this.dir = dir;
        this.config = prepared.config();
        String apiKey = ApiKey.fromEnvironment(config.target().apiKeyEnv());
        this.spec = readScenario(dir, config);
        Scenario scenario = Scenarios.of(spec);
        RunManifest.Endpoint where = prepared.endpoint();
        EmbeddedEndpoint own = null;
        if (where == null) {
            if (config.target().embedded()) {
                own = EmbeddedEndpoint.startIn(config.target().sim(), dir);
                where = new RunManifest.Endpoint(own.baseUrl(), true);
            } else {
                where = new RunManifest.Endpoint(config.target().endpoint(), false);
            }
        }
        this.ownEndpoint = own;
        try {
            PriceCatalog kept = PriceCatalog.readFrom(dir);
            this.tariff = config.tariff(kept != null ? kept : PriceCatalog.load(config.pricing().prices()));
            this.recorder = config.shard().sharded() ? RunRecorder.open(dir, TimeBase.now(), tariff, config.shard().index())
                    : RunRecorder.open(dir, TimeBase.now(), tariff);
        } catch (IOException | RuntimeException e) {
            if (own != null) {
                own.close();
            }
            throw e;
        }
        try {
            this.tracing = startTracing(dir, config, spec.name(), where.url(), recorder.timeBase());
        } catch (IOException | RuntimeException e) {
            recorder.close();
            if (own != null) {
                own.close();
            }
            throw e;
        }
        RunConfig.Target target = config.target();
        RunConfig.Workload workload = config.workload();
        RunConfig.Observe observe = config.observe();
        try {
            this.live = observe.publishes() ? LiveMetrics.start(observe.metricsHost(), observe.metricsPort(), () -> {
                EpisodeRunner r = Soak.this.runner;
                return r == null ? 0 : r.inFlight();
            }) : null;
        } catch (RuntimeException e) {
            if (tracing != null) {
                tracing.close(Duration.ZERO);
            }
            recorder.close();
            if (own != null) {
                own.close();
            }
            throw e;
        }
        if (live != null) {
            recorder.observe(live); // before the client asks where its inter-token gaps go
            live.describe(dir.getFileName().toString(), spec.name(), target.model() == null ? "" : target.model(),
                    workload.open() ? "open " + workload.arrival() : "closed " + workload.concurrency() + " users");
            notice("live metrics at http://" + observe.metricsHost() + ":" + live.port() + "/metrics");
        }
        Scraper scraping = null;
        if (observe.scrapes()) {
            try {
                // the endpoint's own /metrics only when no source is named: a named one may be the same server by another address
                scraping = Scraper.start(dir, observe.serverMetrics(), observe.serverMetricsAuto() && observe.serverMetrics().isEmpty()
                        ? Scraper.metricsOf(where.url()) : null,
                        observe.scrapeInterval(), Soak::notice, recorder.timeBase());
            } catch (IOException e) {
                notice("cannot keep the server's metrics: " + e.getMessage());
            }
        }
        this.scraper = scraping;
        this.client = ModelClient.of(target.api(), target.clientConfig(where.url(), apiKey), recorder.itl());
        recorder.watch(client); // the endpoint's silences, window by window
        Duration watchdog = target.timeouts().call().isZero() ? Duration.ZERO : target.timeouts().call().plusSeconds(30);
        BigDecimal maxSpend = config.pricing().maxSpend();
        if (maxSpend != null && config.shard().sharded()) {
            // the whole soak's limit, shared out: each shard stops at its share, so that together they never pass it
            maxSpend = maxSpend.divide(BigDecimal.valueOf(config.shard().count()), 6, java.math.RoundingMode.DOWN).stripTrailingZeros();
        }
        SpendLimit limit = maxSpend == null || tariff == null ? null : new SpendLimit(maxSpend, tariff);
        this.runner = new EpisodeRunner(scenario, client, recorder, spec.resilience(), workload.seed(), watchdog, limit);
        if (observe.recordsRequests()) {
            this.requests = new io.soaklab.internal.record.RequestLine.Writer(dir, recorder.timeBase(), observe.recordRequestsMb() << 20,
                    config.shard().sharded() ? config.shard().index() : -1);
            runner.recordRequests(requests);
            this.requestsFlusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "soaklab-requests-flush");
                t.setDaemon(true);
                return t;
            });
            requestsFlusher.scheduleAtFixedRate(requests::flush, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        } else {
            this.requests = null;
            this.requestsFlusher = null;
        }
        long[] replayed = Scenarios.schedule(scenario); // a timed replay's own arrivals, unless --arrival says otherwise
        runner.traceWith(tracing);
        RunConfig.Shard shard = config.shard();
        int inFlight = Math.max(1, shard.share(workload.maxInFlight())); // the whole soak's bound, shared out
        this.load = workload.open()
                ? new OpenLoad(runner, (config.sweep() == null ? Arrivals.parse(workload.arrival()) : Arrivals.parse(workload.arrival()).movable())
                        .withRampUp(workload.rampUp()), inFlight, workload.seed(), shard.index(), shard.count())
                : replayed != null ? new OpenLoad(runner, Arrivals.replay("replay of " + spec.name(), replayed), inFlight, workload.seed(), shard.index(),
                        shard.count())
                : new ClosedLoad(runner, workload.concurrency(), workload.thinkTime(), workload.rampUp(), workload.errorBackoff(), shard.index(),
                        shard.count());
        this.where = where;
        this.manifest = prepared.started(where, ProcessHandle.current().pid());
        manifest.write(dir);
        this.shutdownHook = new Thread(() -> close(RunStatus.ABORTED, "stopped by a signal before the end"), "soaklab-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        if (watchParent) {
            watchParent();
        }
        if (limit != null) {
            guardSpend(limit);
        }
    }

    /**
     * Opens the run prepared in {@code dir} (by {@code soaklab run}, or {@link #prepare}).
     *
     * @param watchParent end the run if the launching process dies (set in a forked load generator)
     */
    public static Soak open(Path dir, boolean watchParent) throws IOException {
        RunManifest prepared = RunManifest.read(dir);
        if (prepared.status().ended()) {
            throw new IllegalStateException("run " + dir + " has already ended (" + prepared.status().wireName() + ")");
        }
        return new Soak(dir, prepared, watchParent);
    }

    /**
     * Creates the run folder {@code dir} and its {@code run.json}.
     *
     * @param endpoint where the load goes, or {@code null} to let {@link #open} start the embedded
     *                 endpoint in the load generator's own JVM
     */
    public static RunManifest prepare(Path dir, RunConfig config, RunManifest.Endpoint endpoint) throws IOException {
        RunFolder.create(dir);
        // The scenario as it was when the run began: the load generator and later readers use this copy.
        String yaml = Scenarios.isFile(config.workload().scenario())
                ? Files.readString(Path.of(config.workload().scenario()))
                : Scenarios.yaml(config.workload().scenario());
        Scenarios.keep(dir, yaml);
        PriceCatalog.load(config.pricing().prices()).writeTo(dir); // the prices as they were: costs stay reproducible
        RunManifest manifest = RunManifest.create(dir, config, endpoint);
        manifest.write(dir);
        return manifest;
    }

    /**
     * Fails now, with a message for the user, if {@code envName} names an unset variable; a launcher
     * calls it before starting a load generator that would fail later.
     */
    public static void requireApiKey(String envName) {
        ApiKey.fromEnvironment(envName);
    }

    public RunConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    /** How late a shard may start after {@code --start-at} and still share the others' windows. */
    static final Duration LATEST_START = Duration.ofSeconds(1);

    /**
     * Starts the load: closed ({@code concurrency} users, each on its own thread) or open (arrivals).
     * A shard of a soak on several machines first measures its clock against the endpoint's, and
     * with a start time ({@code --start-at}) waits for it, its schedule counted from that instant;
     * one that comes later than {@link #LATEST_START} is stopped (aborted) rather than run windows out of
     * step with the others.
     *
     * @throws InterruptedException when stopped while waiting for the start
     */
    public void start() throws InterruptedException {
        RunConfig.Shard shard = config.shard();
        if (shard.sharded() || shard.startAt() != null) {
            Duration budget = Duration.ofSeconds(8);
            if (shard.startAt() != null) {
                Duration left = Duration.between(java.time.Instant.now(), shard.startAt()).minusMillis(500);
                budget = left.isNegative() ? Duration.ZERO : left.compareTo(budget) < 0 ? left : budget;
            }
            RunManifest.Clock clock = budget.isZero() ? null : io.soaklab.internal.run.ClockCheck.against(where.url(), budget);
            synchronized (this) {
                manifest = manifest.withClock(clock);
                manifest.write(dir);
            }
            notice(clock == null ? "shard " + shard + ": the endpoint's clock is unknown (no Date header, or no answer)"
                    : "shard " + shard + ": the endpoint's clock is " + clock.offsetMs() + " ms from this machine's (± " + clock.uncertaintyMs() + " ms)");
        }
        if (shard.startAt() == null) {
            load.start();
            return;
        }
        long startNanos = recorder.timeBase().nanoTime() + (java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, shard.startAt())
                - recorder.timeBase().epochMicros()) * 1000;
        long late = System.nanoTime() - startNanos;
        if (late > LATEST_START.toNanos()) {
            String why = "started " + io.soaklab.internal.text.Durations.format(Duration.ofMillis(late / 1_000_000)) + " after --start-at "
                    + shard.startAt() + ": its windows would not be the other shards'; give a later start";
            close(RunStatus.ABORTED, why);
            throw new IllegalStateException(why);
        }
        if (late < 0) {
            notice("waiting until " + shard.startAt() + " to start");
        }
        parkUntil(startNanos);
        this.gridNanos = startNanos;
        load.start(startNanos);
    }

    /**
     * Moves the load to another level, a capacity sweep's next stage ({@link RunConfig#sweep()}):
     * {@code level} users of a closed load, or arrivals a second of an open one, reached over
     * {@code ramp}. The windows go on as before; which of them belong to which stage is the
     * sweep's to record.
     *
     * @throws IllegalStateException when the run is not a sweep
     */
    public void level(double level, Duration ramp) {
        if (config.sweep() == null) {
            throw new IllegalStateException("only a sweep's load changes its level; this run is a soak at one level");
        }
        if (load instanceof ClosedLoad closed) {
            closed.level((int) Math.round(level), ramp);
        } else {
            ((OpenLoad) load).level(level, ramp);
        }
    }

    /**
     * Whether the load runs at the level last set alone: no user above a lowered level is still in
     * the episode it was in, and no arrival of an open load waits for a worker.
     */
    public boolean atLevel() {
        if (load instanceof ClosedLoad closed) {
            return closed.leaving() == 0;
        }
        return !(load instanceof OpenLoad open) || open.backlog() == 0;
    }

    /**
     * Waits up to {@code timeout} for the next call to complete (any user's); true if one did.
     * A JMH benchmark counts these, so its score is calls completed per second.
     */
    public boolean awaitCall(long timeout, TimeUnit unit) throws InterruptedException {
        return runner.awaitCall(timeout, unit);
    }

    /** Runs episodes, for harnesses that drive them themselves instead of {@link #start()}ing the load. */
    public EpisodeRunner runner() {
        return runner;
    }

    /** Why the run ended early (a signal, the spend limit), or null while it runs or when it ended normally. */
    public synchronized String endedEarly() {
        return closed && manifest.status() != RunStatus.COMPLETE ? manifest.message() : null;
    }

    /** The scenario this run runs. */
    public ScenarioSpec scenario() {
        return spec;
    }

    /** The run folder's copy of the scenario, or (for a folder without one) the configured scenario. */
    private static ScenarioSpec readScenario(Path dir, RunConfig config) {
        ScenarioSpec kept = Scenarios.kept(dir);
        return kept != null ? kept : Scenarios.resolve(config.workload().scenario());
    }

    private static void parkUntil(long deadline) throws InterruptedException {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /**
     * Opens a window (a JMH iteration); warmup windows are not in the histograms log. In a run that
     * started at a given instant, a measured window first waits for its place on the grid counted
     * from it ({@link RunConfig#alignSlack()}).
     */
    public void beginWindow(boolean warmup) {
        if (!warmup && gridNanos != Long.MIN_VALUE) {
            long due = gridNanos + config.settling().toNanos() + config.schedule().window().toNanos() * recorder.measuredWindows();
            try {
                parkUntil(due);
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt(); // a stop: the window opens at once, and the run ends as it would
            }
        }
        openWindow(warmup);
    }

    private synchronized void openWindow(boolean warmup) {
        if (closed) {
            return; // ended by a signal while the harness goes on: nothing more is recorded
        }
        if (!warmup && measureStart < 0) {
            measureStart = System.nanoTime();
        }
        recorder.beginWindow(warmup);
    }

    /**
     * Closes the window: its histograms go to disk and {@code run.json} counts it.
     *
     * @return what the window held, or {@code null} once the run has ended
     */
    public synchronized WindowSummary endWindow() {
        if (closed) {
            return null;
        }
        boolean last = measureStart >= 0 && recorder.measuredWindows() + 1 >= config.schedule().windows();
        boolean stop = !last && failsTheRun(recorder.peek());
        if (last || stop) {
            endRun(); // in the window that ends the run: every call sent is on record in it
        }
        if (last) {
            // sealed before the window closes: an episode ending after endRun is after the run, and is told so (not traced).
            // Sealed after, an episode ending between the two was accepted, held for a next window, and dropped by the seal:
            // traced, yet not in episodes.jsonl
            recorder.seal();
        }
        WindowSummary window = recorder.endWindow();
        if (!window.warmup()) {
            int done = recorder.measuredWindows();
            if (config.sweep() != null) {
                recorder.flushLines(); // the sweep reads its stage's calls from the run folder next
            }
            manifest = manifest.withWindowsCompleted(done);
            manifest.write(dir);
        }
        failedStreak = streak(window);
        if (stop) {
            ErrorClass mostly = window.mostFrequentError();
            close(RunStatus.FAILED, "every call failed in " + Math.max(failedStreak, config.schedule().maxFailedWindows()) + " windows in a row (the last: " + window.calls() + " calls, "
                    + (mostly == null ? "" : "mostly " + mostly.wireName() + ", ") + "see report.html); stopped by --max-failed-windows "
                    + config.schedule().maxFailedWindows());
        }
        return window;
    }

    /**
     * The streak of measured windows, up to {@code w}, in which calls soaklab sent ended and every one
     * failed. A warmup window, or one in which no sent call ended, neither extends nor breaks it.
     */
    private int streak(WindowSummary w) {
        if (w == null || w.warmup() || w.nothingSent()) {
            return failedStreak;
        }
        return w.everyCallFailed() ? failedStreak + 1 : 0;
    }

    /** True when the window open now, as it stands, makes {@code --max-failed-windows} windows in a row in which every call failed. */
    private boolean failsTheRun(WindowSummary sofar) {
        return config.schedule().maxFailedWindows() > 0 && streak(sofar) >= config.schedule().maxFailedWindows();
    }

    /** Sends nothing more and records the calls still open; once. */
    private void endRun() {
        if (!runEnded) {
            runEnded = true;
            openAtEnd = runner.endRun(System.nanoTime());
        }
    }

    /** Calls recorded as still open when the run ended (empty until it has). */
    public synchronized List<CallResult> openAtEnd() {
        return openAtEnd;
    }

    /** The one-line progress report of a closed window. */
    public String progress(WindowSummary w) {
        double seconds = w.seconds();
        String where;
        if (w.warmup()) {
            where = String.format(Locale.ROOT, "warmup %d", w.index() + 1);
        } else {
            long elapsed = measureStart < 0 ? 0 : (System.nanoTime() - measureStart) / 1_000_000_000L;
            long left = config.schedule().window().toSeconds() * Math.max(0, config.schedule().windows() - (w.index() + 1));
            where = String.format(Locale.ROOT, "window %d/%d %s elapsed, %s left", w.index() + 1, config.schedule().windows(), clock(elapsed), clock(left));
        }
        ErrorClass mostly = w.mostFrequentError();
        return String.format(Locale.ROOT,
                "[%s] %.1f calls/s | TTFT p50 %s p99 %s | E2E p99 %s | errors %d (%.1f%%%s)%s%s | tokens in %s out %s (%.0f/s)%s | max lag %s",
                where, w.calls() / seconds, Latency.CONSOLE.micros(w.ttftP50Micros()), Latency.CONSOLE.micros(w.ttftP99Micros()),
                Latency.CONSOLE.micros(w.e2eP99Micros()),
                w.errors(), w.calls() == 0 ? 0.0 : 100.0 * w.errors() / w.calls(), mostly == null ? "" : ", mostly " + mostly.wireName(),
                w.open() > 0 ? " | " + w.open() + " still open at the end" : "",
                w.attempts() > w.calls() ? " | retries " + (w.attempts() - w.calls()) : "",
                count(w.promptTokens()), count(w.completionTokens()), w.completionTokens() / seconds,
                tariff == null ? "" : " | spend " + Cost.format(w.spend()) + " (run so far " + Cost.format(w.runSpend()) + ", warmup included)",
                Latency.CONSOLE.micros(w.lagMaxMicros()));
    }

    /** Ends the run: complete if every planned window ran, else aborted. */
    public void finish() {
        int done = recorder.measuredWindows();
        if (done >= config.schedule().windows()) {
            close(RunStatus.COMPLETE, null);
        } else {
            close(RunStatus.ABORTED, "ended after " + done + " of " + config.schedule().windows() + " windows");
        }
    }

    @Override
    public void close() {
        finish();
    }

    /** Ends the run with {@code status}; the first call wins. */
    public synchronized void close(RunStatus status, String message) {
        if (closed) {
            return;
        }
        closed = true;
        String why = message;
        try {
            endRun(); // before the load stops: its users would drop their calls unrecorded
        } catch (RuntimeException e) {
            why = (why == null ? "" : why + "; ") + "could not record the calls still open: " + e;
        } finally {
            load.stop();
        }
        try {
            recorder.close(); // first: calls that the closing client aborts are not part of the run
        } catch (IOException | RuntimeException e) {
            why = (why == null ? "" : why + "; ") + "could not finish writing the record: " + e.getMessage();
        } finally {
            client.close();
        }
        try {
            load.awaitStopped(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            runner.close();
            if (live != null) {
                live.close();
            }
            if (scraper != null) {
                scraper.close();
            }
            if (requests != null) {
                requestsFlusher.shutdown(); // not shutdownNow: an interrupted write closes the file's channel under it
                try {
                    requestsFlusher.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    requests.close();
                } catch (IOException e) {
                    why = (why == null ? "" : why + "; ") + "could not finish writing the recorded requests: " + e.getMessage();
                }
                if (requests.skipped() > 0) {
                    notice(requests.skipped() + " requests were not recorded (" + io.soaklab.internal.layout.RunFile.REQUESTS + " reached its limit of "
                            + config.observe().recordRequestsMb() + " MiB, or the client could not say a body); " + requests.written() + " were");
                }
            }
            if (tracing != null) {
                notice(tracing.close(TRACE_FLUSH)); // the SDK's thread sends what is queued; a dead collector costs this much, at most
            }
            if (ownEndpoint != null) {
                ownEndpoint.close();
            }
        }
        manifest = manifest.withWindowsCompleted(recorder.measuredWindows()).ended(status, why);
        manifest.write(dir);
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    /** The port soaklab's live metrics are served on, or -1 when they are not. */
    public int metricsPort() {
        return live == null ? -1 : live.port();
    }

    /** Longest the run's end waits for its last traces to be sent. */
    private static final Duration TRACE_FLUSH = Duration.ofSeconds(5);

    /**
     * Traces the run's episodes when asked ({@code --otlp-endpoint} or {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code --trace-file}),
     * or returns null.
     */
    private static Tracing startTracing(Path dir, RunConfig config, String scenario, java.net.URI endpoint, TimeBase time) throws IOException {
        RunConfig.Observe observe = config.observe();
        OtlpTarget otlp = OtlpTarget.resolve(observe.otlpEndpoint(), System.getenv());
        if (otlp == null && !observe.traceFile()) {
            return null;
        }
        String service = System.getenv("OTEL_SERVICE_NAME");
        Tracing tracing = Tracing.start(dir, new Tracing.Setup(dir.toAbsolutePath().normalize().getFileName().toString(), scenario,
                config.target().api(), config.target().model(), endpoint, config.workload().seed(), time, otlp, observe.traceFile(),
                observe.sample(), observe.traceContent(), service == null || service.isBlank() ? "soaklab" : service.strip()), Soak::notice);
        notice(tracing.describe());
        return tracing;
    }

    /** One line for the user, beside the windows' progress lines. */
    private static void notice(String line) {
        System.err.println("soaklab: " + line);
    }

    /** A forked load generator must not outlive the process that launched it. */
    private void watchParent() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        if (parent == null) {
            return;
        }
        Thread watcher = new Thread(() -> {
            while (parent.isAlive()) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            close(RunStatus.ABORTED, "the soaklab process that launched the load generator ended");
            Runtime.getRuntime().halt(3);
        }, "soaklab-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static String clock(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    /**
     * Ends the run once the spend limit refused a call: no new call is sent, the calls in flight
     * (each within its reservation) are let finish, up to the call timeout, so that what they cost
     * is on record; then the run closes, aborted.
     */
    private void guardSpend(SpendLimit limit) {
        Thread guard = new Thread(() -> {
            try {
                while (!isClosed() && !limit.reached()) {
                    Thread.sleep(50);
                }
                long deadline = System.nanoTime() + (config.target().timeouts().call().isZero() ? Duration.ofMinutes(10) : config.target().timeouts().call()).toNanos();
                while (!isClosed() && runner.inFlight() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                return;
            }
            close(RunStatus.ABORTED, "stopped by --max-spend " + limit.limit().toPlainString() + ": " + Cost.format(limit.spent())
                    + " spent; when a call was refused, the calls in flight could still have cost " + Cost.format(limit.heldWhenRefused())
                    + " and it up to " + Cost.format(limit.refused()) + " more");
        }, "soaklab-spend-guard");
        guard.setDaemon(true);
        guard.start();
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private static String count(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6)
                : n >= 1000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : Long.toString(n);
    }
}
