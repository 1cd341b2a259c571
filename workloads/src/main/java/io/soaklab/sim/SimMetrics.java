package io.soaklab.sim;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * The endpoint's Prometheus metrics, named, typed, described and bucketed as vLLM's v1 engine publishes
 * them ({@code vllm/v1/metrics/loggers.py}), so that a soak's scraper can be tested against this endpoint as
 * against a vLLM server. One registry per endpoint (several run in one JVM in tests), every series labelled
 * {@code model_name} with the configured model. vLLM's {@code engine} label is left out: the endpoint has
 * one engine.
 *
 * <p>Updates come from the event loops, once per reply step or per flushed chunk: the data points are bound
 * to their labels once, here, and their counters and classic histograms are lock-free adders, so an update
 * allocates nothing.
 *
 * <p><b>KV-cache usage</b> ({@code vllm:kv_cache_usage_perc}, 0..1): the tokens that replies holding a batch
 * slot keep in their context (the prompt from the slot's grant, then each generated token as it is
 * generated, hidden reasoning included) over a capacity of {@code max batch × context window} tokens, the
 * most the configured batch can ever hold. A reply's tokens leave the cache with its slot. Background load
 * (load waves) takes slots but holds no tokens here. No prefix sharing between replies is modelled: two
 * replies with the same prefix count it twice.
 */
final class SimMetrics {

    /** vLLM's {@code vllm:time_to_first_token_seconds} bounds. */
    private static final double[] TTFT_BOUNDS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
        10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    /** vLLM's {@code vllm:inter_token_latency_seconds} bounds. */
    private static final double[] ITL_BOUNDS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
        20.0, 40.0, 80.0};
    /** vLLM's {@code request_latency_buckets}: end-to-end and queue time. */
    private static final double[] REQUEST_BOUNDS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0,
        120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    private static final String MODEL = "model_name";
    private static final ExpositionFormats FORMATS = ExpositionFormats.init();

    /** Why a request left the engine, as vLLM's {@code FinishReason} names it. */
    enum Finish {
        /** An end of sequence or a stop string (a tool call ends so in vLLM too). */
        STOP,
        /** The output cap: {@code max_tokens} or what the context window left. */
        LENGTH,
        /** It ended before its reply did: the client left, a fault cut it, the endpoint closed. */
        ABORT
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final LongAdder kvTokens = new LongAdder();
    private final double kvCapacity;

    /** Prompt tokens of requests whose first token was generated. */
    final CounterDataPoint promptTokens;
    /** Generated tokens, hidden reasoning included (what {@code completion_tokens} reports). */
    final CounterDataPoint generationTokens;
    /** Prompt tokens looked up in the prefix cache, when caching is on. */
    final CounterDataPoint cacheQueries;
    /** Of those, tokens found there. */
    final CounterDataPoint cacheHits;
    /** From arrival to the first generated token. */
    final DistributionDataPoint ttft;
    /** Each gap between two generated tokens of a reply. */
    final DistributionDataPoint itl;
    /** From arrival to the reply's end. */
    final DistributionDataPoint e2e;
    /** From asking for a batch slot to getting one (vLLM's WAITING phase). */
    final DistributionDataPoint queue;
    private final CounterDataPoint[] finished = new CounterDataPoint[Finish.values().length];

    SimMetrics(SimConfig config, Slots slots) {
        String model = config.model();
        kvCapacity = (double) config.serving().maxBatch() * config.serving().contextWindow();
        GaugeWithCallback.builder().name("vllm:num_requests_running").help("Number of requests in model execution batches.")
                .labelNames(MODEL).callback(g -> g.call(slots.used(), model)).register(registry);
        GaugeWithCallback.builder().name("vllm:num_requests_waiting").help("Number of requests waiting to be processed.")
                .labelNames(MODEL).callback(g -> g.call(slots.waiting(), model)).register(registry);
        GaugeWithCallback.builder().name("vllm:kv_cache_usage_perc").help("KV-cache usage. 1 means 100 percent usage.")
                .labelNames(MODEL).callback(g -> g.call(kvUsage(), model)).register(registry);
        // The endpoint never preempts: a running reply keeps its slot to its end (a load wave only shrinks the
        // slots handed out next), and a reset drops a reply rather than requeueing it. Published at 0, as vLLM does.
        counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.", model);
        promptTokens = counter("vllm:prompt_tokens", "Number of prefill tokens processed.", model);
        generationTokens = counter("vllm:generation_tokens", "Number of generation tokens processed.", model);
        cacheQueries = counter("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.", model);
        cacheHits = counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.", model);
        Counter success = Counter.builder().name("vllm:request_success").help("Count of successfully processed requests.")
                .labelNames(MODEL, "finished_reason").withoutExemplars().register(registry);
        for (Finish f : Finish.values()) {
            finished[f.ordinal()] = success.labelValues(model, f.name().toLowerCase(java.util.Locale.ROOT)); // every reason, from 0
        }
        ttft = histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TTFT_BOUNDS, model);
        itl = histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ITL_BOUNDS, model);
        e2e = histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", REQUEST_BOUNDS, model);
        queue = histogram("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", REQUEST_BOUNDS,
                model);
    }

    private CounterDataPoint counter(String name, String help, String model) {
        return Counter.builder().name(name).help(help).labelNames(MODEL).withoutExemplars().register(registry).labelValues(model);
    }

    private DistributionDataPoint histogram(String name, String help, double[] bounds, String model) {
        return Histogram.builder().name(name).help(help).labelNames(MODEL).classicOnly().classicUpperBounds(bounds)
                .withoutExemplars().register(registry).labelValues(model);
    }

    /** A request that reached the engine (it asked for a batch slot) ended. */
    void finished(Finish why) {
        finished[why.ordinal()].inc();
    }

    /** Tokens entering (positive) or leaving (negative) the KV cache of the running batch. */
    void kv(long tokens) {
        kvTokens.add(tokens);
    }

    double kvUsage() {
        return Math.max(0, Math.min(1, kvTokens.sum() / kvCapacity));
    }

    /**
     * The exposition format an {@code Accept} header asks for: OpenMetrics text when it names
     * {@code application/openmetrics-text}, else Prometheus text 0.0.4.
     */
    static ExpositionFormatWriter writerFor(String accept) {
        ExpositionFormatWriter openMetrics = FORMATS.getOpenMetricsTextFormatWriter();
        return accept != null && openMetrics.accepts(accept) ? openMetrics : FORMATS.getPrometheusTextFormatWriter();
    }

    /** Writes the current values: a few KB, read from adders and the slots' counts. */
    void write(ExpositionFormatWriter writer, OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
