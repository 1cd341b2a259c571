package io.soaklab.internal.servermetrics;

import io.soaklab.internal.record.ServerMetricsLine;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Scrapes the server's Prometheus endpoints through a run, on one thread of its own, and keeps
 * every answer in {@code server-metrics.jsonl} ({@link ServerMetricsLine}): the raw series, and the
 * canonical ones read by the server's own names ({@link Canonical}). Never in the load's way: it
 * shares no client, thread or lock with it, and a slow or dead source costs one timeout per scrape.
 *
 * <p>A source named by the user that fails is written down, each failure a line, and said once. The
 * endpoint's own {@code /metrics}, tried unasked, is dropped quietly after one failed try, in one
 * line. An answer larger than {@value #MAX_BYTES} bytes is refused, not read.
 *
 * <pre>{@code
 * try (Scraper s = Scraper.start(runDir, List.of(URI.create("http://gpu-box:8000/metrics")), null, Duration.ofSeconds(1), System.err::println)) {
 *     ... the run ...
 * }
 * }</pre>
 */
public final class Scraper implements AutoCloseable {

    /** The largest answer read. */
    static final int MAX_BYTES = 16 << 20;
    /** The least time an answer's body is given to arrive whole: a large page is slow, a stalled one is cut at the end of it. */
    static final Duration BODY_AT_LEAST = Duration.ofSeconds(10);
    private static final String ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1";

    private final ServerMetricsLine.Writer out;
    private final HttpClient http;
    private final ScheduledExecutorService thread;
    /** Closes an answer whose body stops coming: the timeout of the request covers its headers only. */
    private final ScheduledExecutorService watchdog;
    private final List<Source> sources = new ArrayList<>();
    private final Duration timeout;
    private final Consumer<String> notice;
    private final AtomicLong scrapes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /** One address scraped. */
    private static final class Source {
        final URI uri;
        final String shown;
        final boolean asked;
        boolean dropped;
        boolean told;
        boolean answered;

        Source(URI uri, boolean asked) {
            this.uri = uri;
            this.shown = shown(uri);
            this.asked = asked;
        }
    }

    /** The run's clock: epoch milliseconds of a {@link System#nanoTime()} reading, as the run's windows are placed. */
    private final java.util.function.LongUnaryOperator epochMillis;

    private Scraper(Path dir, List<URI> asked, URI own, Duration interval, Consumer<String> notice, io.soaklab.internal.record.TimeBase time)
            throws IOException {
        this.out = new ServerMetricsLine.Writer(dir);
        this.epochMillis = nanos -> time.epochMicros(nanos) / 1000;
        this.notice = notice;
        for (URI u : asked) {
            sources.add(new Source(u, true));
        }
        if (own != null && asked.stream().noneMatch(u -> u.equals(own))) {
            sources.add(new Source(own, false));
        }
        this.timeout = interval.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofMillis(Math.max(500, interval.toMillis())) : Duration.ofSeconds(10);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soaklab-server-metrics");
            t.setDaemon(true);
            return t;
        });
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soaklab-server-metrics-watchdog");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::scrapeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts scraping {@code asked} (and {@code own}, the endpoint's own {@code /metrics}, if not
     * null) every {@code interval}, into {@code dir}.
     *
     * @param notice where one-line messages for the user go
     */
    public static Scraper start(Path dir, List<URI> asked, URI own, Duration interval, Consumer<String> notice) throws IOException {
        return start(dir, asked, own, interval, notice, io.soaklab.internal.record.TimeBase.now());
    }

    /**
     * As {@link #start(Path, List, URI, Duration, Consumer)}, each scrape placed in time by the run's own clock {@code time} (so
     * that it falls in the window it was made in, whatever the machine's wall clock does over a night).
     */
    public static Scraper start(Path dir, List<URI> asked, URI own, Duration interval, Consumer<String> notice,
                                io.soaklab.internal.record.TimeBase time) throws IOException {
        return new Scraper(dir, asked, own, interval, notice, time);
    }

    /** The endpoint's own {@code /metrics}: its API root's scheme, host and port. */
    public static URI metricsOf(URI endpoint) {
        return URI.create(endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort()) + "/metrics");
    }

    /** Scrapes that answered, so far. */
    public long scrapes() {
        return scrapes.get();
    }

    /** Scrapes that failed, so far. */
    public long failures() {
        return failures.get();
    }

    private void scrapeAll() {
        for (Source s : sources) {
            if (!s.dropped) {
                scrape(s);
            }
        }
    }

    private void scrape(Source s) {
        String problem;
        long sent = System.nanoTime();
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(s.uri).timeout(timeout).header("Accept", ACCEPT).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.ScheduledFuture<?> cut = watchdog.schedule(() -> {
                    stalled.set(true);
                    try {
                        in.close();
                    } catch (IOException e) {
                        // closing is all it can do
                    }
                }, Math.max(timeout.toMillis(), BODY_AT_LEAST.toMillis()), TimeUnit.MILLISECONDS);
                try {
                    body = in.readNBytes(MAX_BYTES + 1);
                } catch (IOException e) {
                    if (stalled.get()) {
                        throw new HttpTimeoutException("its answer stopped coming");
                    }
                    throw e;
                } finally {
                    cut.cancel(false);
                }
                if (stalled.get()) {
                    throw new HttpTimeoutException("its answer stopped coming");
                }
            }
            long at = epochMillis.applyAsLong(sent + (System.nanoTime() - sent) / 2); // the server's state, halfway through its answer
            if (r.statusCode() != 200) {
                problem = "HTTP " + r.statusCode();
            } else if (body.length > MAX_BYTES) {
                problem = "an answer over " + (MAX_BYTES >> 20) + " MB";
            } else {
                String contentType = r.headers().firstValue("content-type").orElse("");
                String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
                Scrape page = Exposition.parse(text, contentType.startsWith("application/openmetrics-text") || Exposition.endsInEof(text));
                if (page.families().isEmpty()) {
                    problem = "no Prometheus metrics in its answer" + (page.badLines() > 0 ? " (line " + page.firstBadLine() + ": " + page.firstProblem() + ")" : "");
                } else {
                    keep(s, at, page);
                    return;
                }
            }
        } catch (HttpTimeoutException e) {
            problem = "its answer stopped coming".equals(e.getMessage())
                    ? "an answer not whole in " + Math.max(timeout.toMillis(), BODY_AT_LEAST.toMillis()) + " ms (it stopped mid-way)"
                    : "no answer in " + timeout.toMillis() + " ms";
        } catch (ConnectException e) {
            problem = "connection refused";
        } catch (IOException e) {
            problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            problem = "unreadable: " + e;
        }
        failed(s, problem);
    }

    private void keep(Source s, long at, Scrape page) {
        ServerKind server = ServerKind.detect(page);
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Double> values = new LinkedHashMap<>();
        StringBuilder key = new StringBuilder(128);
        for (Family f : page.families()) {
            types.put(f.name(), f.type().name().toLowerCase(Locale.ROOT));
            for (Sample sample : f.samples()) {
                values.put(key(key, sample), sample.value());
            }
        }
        Map<String, Double> canonical = new LinkedHashMap<>();
        Map<String, ServerMetricsLine.Buckets> histograms = new LinkedHashMap<>();
        for (Map.Entry<CanonicalMetric, Canonical.Series> c : Canonical.of(server, page).entrySet()) {
            String name = c.getKey().name().toLowerCase(Locale.ROOT);
            if (c.getKey().kind() == MetricType.HISTOGRAM) {
                HistogramSeries h = c.getValue().histogram();
                if (h != null) {
                    histograms.put(name, new ServerMetricsLine.Buckets(h.upperBounds(), h.cumulativeCounts(), h.sum(), h.count()));
                }
            } else {
                double v = c.getValue().value();
                if (!Double.isNaN(v)) {
                    canonical.put(name, v);
                }
            }
        }
        try {
            out.scrape(at, s.shown, server.name().toLowerCase(Locale.ROOT), types, values, canonical, histograms);
        } catch (IOException e) {
            say("cannot write the server's metrics: " + e.getMessage() + "; no more are kept");
            thread.shutdown();
            return;
        }
        scrapes.incrementAndGet();
        if (!s.answered) {
            s.answered = true;
            say("server metrics from " + s.shown + " (" + (server == ServerKind.UNKNOWN ? "a server soaklab has no names for: its series kept as they are"
                    : server.name().toLowerCase(Locale.ROOT) + ", " + (canonical.size() + histograms.size()) + " of " + CanonicalMetric.values().length
                    + " canonical series") + ")");
        }
    }

    private void failed(Source s, String problem) {
        if (!s.asked && !s.answered) {
            s.dropped = true;
            say("no server metrics at " + s.shown + " (" + problem + "); name them with --server-metrics URL");
            return;
        }
        failures.incrementAndGet();
        try {
            out.failed(epochMillis.applyAsLong(System.nanoTime()), s.shown, problem);
        } catch (IOException e) {
            // the next scrape says it if the file stays unwritable
        }
        if (!s.told) {
            s.told = true;
            say("server metrics from " + s.shown + " failed: " + problem + " (each failure is kept in server-metrics.jsonl; scraping goes on)");
        }
    }

    private void say(String line) {
        notice.accept(line);
    }

    /** A sample's series key: its name and labels as the text format writes them. */
    static String key(StringBuilder b, Sample sample) {
        b.setLength(0);
        b.append(sample.name());
        if (!sample.labels().isEmpty()) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, String> l : sample.labels().entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append(l.getKey()).append("=\"");
                String v = l.getValue();
                for (int i = 0; i < v.length(); i++) {
                    char c = v.charAt(i);
                    switch (c) {
                        case '\\' -> b.append("\\\\");
                        case '"' -> b.append("\\\"");
                        case '\n' -> b.append("\\n");
                        default -> b.append(c);
                    }
                }
                b.append('"');
            }
            b.append('}');
        }
        return b.toString();
    }

    /** An address as shown and kept: without credentials or a query, which may hold a key. */
    static String shown(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** Stops scraping and closes the file; a scrape under way ends first (within its timeout). */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
        watchdog.shutdownNow();
        try {
            out.close();
        } catch (IOException e) {
            // what was written was flushed line by line
        }
    }
}
