package io.soaklab.internal.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.internal.run.Versions;
import io.soaklab.protocol.Api;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A run's episodes as OpenTelemetry traces, per the GenAI semantic conventions: the SDK's tracer,
 * and the run's destinations (an OTLP/HTTP collector, {@code traces.jsonl}), each behind a bounded
 * batch processor on the SDK's thread, so that exporting never holds an episode up. Which episodes
 * are traced is a deterministic draw per (seed, user, episode): the same seed traces the same ones.
 *
 * <pre>{@code
 * Tracing tracing = Tracing.start(dir, new Tracing.Setup(runId, "team", Api.OPENAI, "gpt-5.4-mini", endpoint, seed,
 *         time, target, true, 1.0, false, "soaklab"), System.err::println);
 * runner.traceWith(tracing);
 * System.err.println("soaklab: " + tracing.close(Duration.ofSeconds(5)));   // flushed within 5 s, trace-export.json written
 * }</pre>
 */
public final class Tracing implements EpisodeSpans {

    /** Most spans waiting per destination; an episode that would pass it is dropped whole, and counted. */
    public static final int QUEUE = 8192;
    /** Longest one export may take: a dead collector costs the SDK's thread this, never an episode. */
    static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration BATCH_DELAY = Duration.ofSeconds(1);
    /** The SDK's own warnings (a failed export) are said once, by {@link Destination}, not logged per batch. */
    private static final Logger SDK_LOG = Logger.getLogger("io.opentelemetry");

    /**
     * What a run's traces are made of and where they go.
     *
     * @param runId    the run folder's name ({@code soaklab.run})
     * @param scenario the scenario's name
     * @param api      the protocol: {@code gen_ai.provider.name} ({@code openai}, {@code anthropic})
     * @param model    the model asked for
     * @param endpoint the model endpoint's API root ({@code server.address}, {@code server.port}), or null
     * @param seed     the run's seed: which episodes the sample takes
     * @param time     the run's clock anchor
     * @param otlp     the collector, or null for none
     * @param file     whether to write {@code traces.jsonl}
     * @param sample   the fraction of episodes traced, 0 to 1
     * @param content  whether chat spans carry the prompt and the reply
     * @param service  {@code service.name}
     */
    public record Setup(String runId, String scenario, Api api, String model, URI endpoint, long seed, TimeBase time, OtlpTarget otlp,
                        boolean file, double sample, boolean content, String service) {
    }

    private final Setup setup;
    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final List<Destination> destinations;
    private final Path dir;
    /** The destinations that let in the episode this thread is building, or null. */
    private final ThreadLocal<boolean[]> building = new ThreadLocal<>();
    private final LongAdder begun = new LongAdder();
    private final LongAdder traced = new LongAdder();
    private final LongAdder sampledOut = new LongAdder();
    private final String serverAddress;
    private final int serverPort;
    private boolean closed;

    private Tracing(Path dir, Setup setup, List<Destination> destinations) {
        this.dir = dir;
        this.setup = setup;
        this.destinations = List.copyOf(destinations);
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), setup.service(),
                AttributeKey.stringKey("service.version"), Versions.soaklab(),
                Keys.RUN, setup.runId(),
                Keys.SCENARIO, setup.scenario())));
        this.provider = SdkTracerProvider.builder().setResource(resource).addSpanProcessor(new Router()).build();
        this.tracer = provider.tracerBuilder("io.soaklab").setInstrumentationVersion(Versions.soaklab()).build();
        URI e = setup.endpoint();
        this.serverAddress = e == null ? null : e.getHost();
        this.serverPort = e == null ? -1 : e.getPort() > 0 ? e.getPort() : "https".equals(e.getScheme()) ? 443 : 80;
    }

    /**
     * Starts tracing into {@code dir}'s {@code traces.jsonl} and/or a collector, as {@code setup} says.
     *
     * @param notice told, in one line each, of what goes wrong on the way (a failed export), never per span
     */
    public static Tracing start(Path dir, Setup setup, Consumer<String> notice) throws IOException {
        SDK_LOG.setLevel(Level.SEVERE);
        List<Destination> destinations = new ArrayList<>();
        if (setup.otlp() != null) {
            OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                    .setEndpoint(setup.otlp().url().toString())
                    .setTimeout(EXPORT_TIMEOUT)
                    .setConnectTimeout(Duration.ofSeconds(2))
                    .setCompression("gzip")
                    .setRetryPolicy(null) // a collector that fails is counted, not waited for
                    .setMeterProvider(MeterProvider::noop);
            setup.otlp().headers().forEach(b::addHeader);
            destinations.add(new Destination(setup.otlp().url().toString(), b.build(), QUEUE, BATCH_DELAY, EXPORT_TIMEOUT, notice));
        }
        if (setup.file()) {
            destinations.add(new Destination(io.soaklab.internal.layout.RunFile.TRACES.fileName(), TraceFile.open(dir), QUEUE, BATCH_DELAY,
                    EXPORT_TIMEOUT, notice));
        }
        return new Tracing(dir, setup, destinations);
    }

    @Override
    public Episode begin(int user, long episode, String scenario, long intendedStart) {
        if (setup.sample() < 1 && draw(setup.seed(), user, episode) >= setup.sample()) {
            sampledOut.increment();
            return null;
        }
        begun.increment();
        return new EpisodeTrace(this, user, episode, scenario, intendedStart);
    }

    /** A uniform draw in [0, 1) from (seed, user, episode): SplitMix64's finaliser over the three, apart from the episode's own seed. */
    static double draw(long seed, int user, long episode) {
        long z = (seed ^ 0x7A3C_5E1D_9B24_F601L) + 0x9E3779B97F4A7C15L * (user + 1L) + 0xC2B2AE3D27D4EB4FL * (episode + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    /** An episode of {@code spans} spans ended: it goes into every destination with room for it; false when none has. */
    boolean admit(int spans) {
        traced.increment();
        boolean[] in = new boolean[destinations.size()];
        boolean any = false;
        for (int i = 0; i < in.length; i++) {
            in[i] = destinations.get(i).admit(spans);
            any |= in[i];
        }
        if (any) {
            building.set(in);
        }
        return any;
    }

    /** The episode this thread built is handed on. */
    void admitted() {
        building.remove();
    }

    Tracer tracer() {
        return tracer;
    }

    long epochNanos(long nanoTime) {
        return setup.time().epochNanos(nanoTime);
    }

    String provider() {
        return setup.api().wireName();
    }

    String model() {
        return setup.model();
    }

    String runId() {
        return setup.runId();
    }

    boolean content() {
        return setup.content();
    }

    String serverAddress() {
        return serverAddress;
    }

    int serverPort() {
        return serverPort;
    }

    /** Where the traces go, for the run's first lines. */
    public String describe() {
        List<String> to = new ArrayList<>();
        if (setup.otlp() != null) {
            to.add(setup.otlp().toString()); // the URL, never the headers
        }
        if (setup.file()) {
            to.add(io.soaklab.internal.layout.RunFile.TRACES.fileName());
        }
        return "traces of " + (setup.sample() >= 1 ? "every episode" : Math.round(setup.sample() * 100) + "% of episodes") + " to "
                + String.join(" and ", to) + (setup.content() ? ", with prompts and replies" : "");
    }

    /**
     * Flushes what is queued, within {@code within}, and stops; writes {@code trace-export.json}.
     * Spans not handed to an exporter by then are counted as dropped.
     *
     * @return one line for the user: episodes traced, spans sent, failed and dropped
     */
    public synchronized String close(Duration within) {
        if (closed) {
            return "";
        }
        closed = true;
        provider.shutdown().join(within.toMillis(), TimeUnit.MILLISECONDS);
        List<Destination.Counts> counts = new ArrayList<>();
        destinations.forEach(d -> counts.add(d.counts(true)));
        long ended = traced.sum();
        ExportSummary summary = new ExportSummary(setup.sample(), ended, sampledOut.sum(), Math.max(0, begun.sum() - ended), counts);
        String line = summary.line();
        try {
            summary.write(dir);
        } catch (IOException e) {
            line += " (trace-export.json not written: " + e.getMessage() + ")";
        }
        return line;
    }

    /** Hands each ended span to the destinations that let its episode in. */
    private final class Router implements SpanProcessor {
        @Override
        public void onStart(Context parent, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            boolean[] in = building.get();
            if (in == null) {
                return;
            }
            for (int i = 0; i < in.length; i++) {
                if (in[i]) {
                    destinations.get(i).batch().onEnd(span);
                }
            }
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }

        @Override
        public CompletableResultCode shutdown() {
            List<CompletableResultCode> all = new ArrayList<>();
            destinations.forEach(d -> all.add(d.batch().shutdown()));
            return CompletableResultCode.ofAll(all);
        }

        @Override
        public CompletableResultCode forceFlush() {
            List<CompletableResultCode> all = new ArrayList<>();
            destinations.forEach(d -> all.add(d.batch().forceFlush()));
            return CompletableResultCode.ofAll(all);
        }
    }
}
