package io.soaklab.bench;

import io.soaklab.protocol.Api;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * How much the embedded endpoint serves on this machine with soaklab's client beside it, in one
 * JVM: {@code streams} replies kept in flight (each ended reply is replaced at once), 100 tokens
 * each at {@code decodeTps} per stream. JMH's {@code calls} and {@code tokens} counters are the
 * rates achieved; each iteration also prints how the observed inter-token gaps and first tokens
 * compare with the plan, which is what "not the bottleneck" means.
 *
 * <pre>
 * java -jar benchmarks/target/soaklab.jar jmh EndpointCapacity -p streams=100,1000,3000
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Threads(1)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
public class EndpointCapacity {

    /** Replies kept in flight. */
    @Param({"100", "1000", "3000"})
    public int streams;

    /** Output tokens per second of each stream (the planned gap is its inverse). */
    @Param("50")
    public double decodeTps;

    /** Protocol. */
    @Param("openai")
    public String api;

    private static final int TOKENS = 100;

    private EmbeddedEndpoint endpoint;
    private ModelClient client;
    private ExecutorService sender;
    private final Recorder itl = new Recorder(3);
    private final Recorder ttft = new Recorder(3);
    private final Semaphore completed = new Semaphore(0);
    private final LongAdder tokens = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile boolean running;
    private ChatRequest request;

    @Setup(Level.Trial)
    public void start() {
        SimConfig sim = SimConfig.builder().baseLatency(Duration.ZERO).prefillTokensPerSecond(10_000_000)
                .decodeTokensPerSecond(decodeTps).outputTokensMedian(TOKENS).outputTokensSigma(0).outputTokensMax(TOKENS).jitter(0)
                .maxBatch(streams).slowdown(0, 0).caching(new SimConfig.Caching(false, Duration.ZERO, 0, 1, 0)).build();
        endpoint = EmbeddedEndpoint.start(sim);
        client = ModelClient.of(Api.of(api), ClientConfig.builder(endpoint.baseUrl()).totalTimeout(Duration.ofMinutes(1)).build(), itl);
        sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "capacity-sender");
            t.setDaemon(true);
            return t;
        });
        request = new ChatRequest(List.of(Message.user(" run the test")), TOKENS);
        running = true;
        for (int i = 0; i < streams; i++) {
            send();
        }
    }

    private void send() {
        client.send(request, System.nanoTime()).whenComplete((r, t) -> {
            if (r != null && r.ok()) {
                tokens.add(r.contentChunks());
                ttft.recordValue(r.ttftSentNanos() / 1000);
            } else {
                failures.increment();
            }
            completed.release();
            if (running) {
                sender.execute(this::send); // off the I/O thread: encoding a request is not its job
            }
        });
    }

    /** Tokens received, counted by JMH as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public long calls;
        public long tokens;

        @Setup(Level.Iteration)
        public void reset() {
            calls = 0;
            tokens = 0;
        }
    }

    private long tokensSeen;

    @Setup(Level.Iteration)
    public void beginIteration() {
        itl.reset();
        ttft.reset();
        tokensSeen = tokens.sum();
        failures.reset();
    }

    @Benchmark
    public void serve(Rates rates, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            if (completed.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                rates.calls++;
                long now = tokens.sum();
                rates.tokens += now - tokensSeen;
                tokensSeen = now;
                return;
            }
        }
    }

    @TearDown(Level.Iteration)
    public void report() {
        Histogram gaps = itl.getIntervalHistogram();
        Histogram first = ttft.getIntervalHistogram();
        System.err.printf(Locale.ROOT, "[%d streams at %.0f tokens/s, planned gap %.1f ms] gap p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms"
                        + " | TTFT p50 %.2f p99 %.2f ms | failures %d%n",
                streams, decodeTps, 1000 / decodeTps, gaps.getValueAtPercentile(50) / 1000.0, gaps.getValueAtPercentile(99) / 1000.0,
                gaps.getValueAtPercentile(99.9) / 1000.0, gaps.getMaxValue() / 1000.0,
                first.getValueAtPercentile(50) / 1000.0, first.getValueAtPercentile(99) / 1000.0, failures.sum());
    }

    @TearDown(Level.Trial)
    public void stop() {
        running = false;
        client.close();
        sender.shutdownNow();
        endpoint.close();
    }
}
