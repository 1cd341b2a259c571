package io.soaklab.internal.servermetrics;

import java.util.Optional;

/**
 * The series soaklab keeps per window from an inference server, whatever the server calls them: each
 * with its kind (a gauge read at the window's end, a counter or a histogram taken as the window's
 * increase) and its unit. {@link ServerNames} says which server series stands for which.
 */
enum CanonicalMetric {
    /** Requests in the running batch. */
    REQUESTS_RUNNING(MetricType.GAUGE, "requests"),
    /** Requests queued, not yet scheduled. */
    REQUESTS_WAITING(MetricType.GAUGE, "requests"),
    /** The KV cache's occupancy, a fraction 0..1 (every server mapped so far reports a ratio; see {@link ServerNames.Name#scale()}). */
    KV_CACHE_USAGE(MetricType.GAUGE, "ratio"),
    /** Requests preempted (vLLM) or retracted (SGLang) to free KV cache. */
    PREEMPTIONS(MetricType.COUNTER, "requests"),
    /** Prompt (prefill) tokens processed. */
    PROMPT_TOKENS(MetricType.COUNTER, "tokens"),
    /** Tokens generated. */
    GENERATION_TOKENS(MetricType.COUNTER, "tokens"),
    /** Requests finished (successfully, by the server's own count). */
    REQUESTS_FINISHED(MetricType.COUNTER, "requests"),
    /** Time to first token, as the server measured it. */
    SERVER_TTFT(MetricType.HISTOGRAM, "seconds"),
    /** Inter-token latency (vLLM's time per output token), as the server measured it. */
    SERVER_ITL(MetricType.HISTOGRAM, "seconds"),
    /** A request's end-to-end latency inside the server. */
    SERVER_E2E(MetricType.HISTOGRAM, "seconds"),
    /** A request's time queued inside the server. */
    SERVER_QUEUE_TIME(MetricType.HISTOGRAM, "seconds");

    private final MetricType kind;
    private final String unit;

    CanonicalMetric(MetricType kind, String unit) {
        this.kind = kind;
        this.unit = unit;
    }

    /** {@link MetricType#GAUGE}, {@link MetricType#COUNTER} or {@link MetricType#HISTOGRAM}. */
    MetricType kind() {
        return kind;
    }

    String unit() {
        return unit;
    }

    /**
     * The canonical metric {@code server}'s family {@code family} stands for, if any. The family may be
     * spelled as exposed: a Prometheus-text counter's {@code _total} and SGLang's {@code sglang_} prefix are understood.
     */
    static Optional<CanonicalMetric> of(ServerKind server, String family) {
        return ServerNames.find(server, family).map(ServerNames.Name::metric);
    }
}
