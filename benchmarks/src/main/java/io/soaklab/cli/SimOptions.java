package io.soaklab.cli;

import io.soaklab.sim.SimConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The embedded endpoint's latency model, as options (shared by run, demo and sim). */
final class SimOptions {

    @Option(names = "--sim-base-latency", paramLabel = "DURATION",
            description = "Embedded endpoint: queueing and network time before a reply starts (default: ${DEFAULT-VALUE}).")
    Duration baseLatency;

    @Option(names = "--sim-prefill-tps", paramLabel = "N",
            description = "Embedded endpoint: prompt tokens processed per second; adds prompt/N to TTFT (default: ${DEFAULT-VALUE}).")
    double prefill;

    @Option(names = "--sim-decode-tps", paramLabel = "N",
            description = "Embedded endpoint: output tokens per second of one stream; the gap between tokens is 1/N (default: ${DEFAULT-VALUE}).")
    double decode;

    @Option(names = "--sim-output-tokens", paramLabel = "N",
            description = "Embedded endpoint: median reply length in tokens (default: ${DEFAULT-VALUE}).")
    int outputTokens;

    @Option(names = "--sim-output-sigma", paramLabel = "S",
            description = "Embedded endpoint: log-normal spread of reply lengths, 0 for fixed (default: ${DEFAULT-VALUE}).")
    double outputSigma;

    @Option(names = "--sim-jitter", paramLabel = "F",
            description = "Embedded endpoint: relative random spread of every delay, 0 for exact (default: ${DEFAULT-VALUE}).")
    double jitter;

    @Option(names = "--sim-model", paramLabel = "NAME",
            description = "Embedded endpoint: the model name it reports (default: ${DEFAULT-VALUE}).")
    String model;

    SimConfig.Builder builder() {
        return SimConfig.builder()
                .baseLatency(baseLatency)
                .prefillTokensPerSecond(prefill)
                .decodeTokensPerSecond(decode)
                .outputTokensMedian(outputTokens)
                .outputTokensSigma(outputSigma)
                .jitter(jitter)
                .model(model);
    }
}
