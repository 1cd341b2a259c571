package io.soaklab.cli;

import io.soaklab.sim.SimConfig;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The embedded endpoint's most used parameters, as options (shared by run, demo and sim). Each
 * overrides the profile's value only when given; the rest comes from the profile.
 */
final class SimOptions {

    /** The options' settings, as {@code SimConfig} names them in its messages. */
    static final Map<String, String> FLAGS = Map.of("latency.base", "--sim-base-latency", "latency.prefill_tokens_per_second", "--sim-prefill-tps",
            "latency.decode_tokens_per_second", "--sim-decode-tps", "replies.output_tokens_median", "--sim-output-tokens",
            "replies.output_tokens_sigma", "--sim-output-sigma", "latency.jitter", "--sim-jitter", "serving.max_batch", "--sim-max-batch",
            "drift.time_compression", "--sim-time-compression", "serving.batch_slowdown", "--sim-batch-slowdown");

    @Option(names = "--sim-base-latency", paramLabel = "DURATION",
            description = "Embedded endpoint: queueing and network time before a reply starts.")
    Duration baseLatency;

    @Option(names = "--sim-prefill-tps", paramLabel = "N",
            description = "Embedded endpoint: prompt tokens processed per second; adds uncached prompt/N to TTFT.")
    Double prefill;

    @Option(names = "--sim-decode-tps", paramLabel = "N",
            description = "Embedded endpoint: output tokens per second of a lone stream.")
    Double decode;

    @Option(names = "--sim-output-tokens", paramLabel = "N", description = "Embedded endpoint: median reply length in tokens.")
    Integer outputTokens;

    @Option(names = "--sim-output-sigma", paramLabel = "S", description = "Embedded endpoint: log-normal spread of reply lengths, 0 for fixed.")
    Double outputSigma;

    @Option(names = "--sim-jitter", paramLabel = "F", description = "Embedded endpoint: relative random spread of every delay, 0 for exact.")
    Double jitter;

    @Option(names = "--sim-max-batch", paramLabel = "N", description = "Embedded endpoint: replies decoded at once; more wait in a queue.")
    Integer maxBatch;

    @Option(names = "--sim-max-queue", paramLabel = "N",
            description = "Embedded endpoint: replies that may wait for a slot; beyond them it answers overloaded (0: no limit).")
    Integer maxQueue;

    @Option(names = "--sim-batch-slowdown", paramLabel = "F",
            description = "Embedded endpoint: how much slower every stream decodes per other stream decoding beside it, 0 for none.")
    Double batchSlowdown;

    @Option(names = "--sim-time-compression", paramLabel = "F",
            description = "Embedded endpoint: drift, waves and bursts run F times faster than real time.")
    Double timeCompression;

    @Option(names = "--sim-model", paramLabel = "NAME", description = "Embedded endpoint: the model name it reports.")
    String model;

    /** Applies the options given to {@code profile}. */
    SimConfig.Builder apply(SimConfig.Builder profile) {
        if (baseLatency != null) {
            profile.baseLatency(baseLatency);
        }
        if (prefill != null) {
            profile.prefillTokensPerSecond(prefill);
        }
        if (decode != null) {
            profile.decodeTokensPerSecond(decode);
        }
        if (outputTokens != null) {
            profile.outputTokensMedian(outputTokens);
        }
        if (outputSigma != null) {
            profile.outputTokensSigma(outputSigma);
        }
        if (jitter != null) {
            profile.jitter(jitter);
        }
        if (maxBatch != null) {
            profile.maxBatch(maxBatch);
        }
        if (maxQueue != null) {
            profile.maxQueue(maxQueue);
        }
        if (timeCompression != null) {
            profile.timeCompression(timeCompression);
        }
        if (batchSlowdown != null) {
            profile.batchSlowdown(batchSlowdown);
        }
        if (model != null) {
            profile.model(model);
        }
        return profile;
    }
}
