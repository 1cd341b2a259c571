package io.soaklab.internal.servermetrics;

import static io.soaklab.internal.servermetrics.CanonicalMetric.GENERATION_TOKENS;
import static io.soaklab.internal.servermetrics.CanonicalMetric.KV_CACHE_USAGE;
import static io.soaklab.internal.servermetrics.CanonicalMetric.PREEMPTIONS;
import static io.soaklab.internal.servermetrics.CanonicalMetric.PROMPT_TOKENS;
import static io.soaklab.internal.servermetrics.CanonicalMetric.REQUESTS_FINISHED;
import static io.soaklab.internal.servermetrics.CanonicalMetric.REQUESTS_RUNNING;
import static io.soaklab.internal.servermetrics.CanonicalMetric.REQUESTS_WAITING;
import static io.soaklab.internal.servermetrics.CanonicalMetric.SERVER_E2E;
import static io.soaklab.internal.servermetrics.CanonicalMetric.SERVER_ITL;
import static io.soaklab.internal.servermetrics.CanonicalMetric.SERVER_QUEUE_TIME;
import static io.soaklab.internal.servermetrics.CanonicalMetric.SERVER_TTFT;
import static io.soaklab.internal.servermetrics.MetricType.COUNTER;
import static io.soaklab.internal.servermetrics.MetricType.GAUGE;
import static io.soaklab.internal.servermetrics.MetricType.HISTOGRAM;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which server family stands for which {@link CanonicalMetric}, per server, written from each server's
 * source (the file is named on each row; docs/server-metrics.md has the same table with notes). Where a
 * canonical metric has two rows for one server, the first present in a scrape wins: the newer name is
 * listed first, the name it replaced after it. Family names are as in OpenMetrics (a counter without its
 * {@code _total}); a Prometheus-text family {@code x_total} is found as {@code x}.
 */
final class ServerNames {

    /** How a canonical value is read from the family. */
    enum Read {
        /** The samples' values: a gauge's (summed over label sets, a ratio averaged) or a counter's {@code _total}s, summed. */
        VALUE,
        /** The histogram's buckets. */
        HISTOGRAM,
        /** A histogram's {@code _sum}, read as a counter: TGI counts tokens only as histograms of tokens per request. */
        HISTOGRAM_SUM
    }

    /**
     * One row: {@code server}'s family {@code family} of type {@code type} stands for {@code metric},
     * read as {@code read}, multiplied by {@code scale} (1 everywhere so far: the KV-cache gauges are
     * ratios even where the name says "perc"; a server reporting a percentage would get 0.01).
     */
    record Name(ServerKind server, String family, MetricType type, CanonicalMetric metric, Read read, double scale,
            String source, String note) {
    }

    private static final String VLLM_V1 = "vllm-project/vllm vllm/v1/metrics/loggers.py";
    private static final String SGLANG = "sgl-project/sglang python/sglang/srt/metrics/collector.py";
    private static final String TGI = "huggingface/text-generation-inference router/src/server.rs, router/src/infer/, docs/source/reference/metrics.md";
    private static final String LLAMA = "ggml-org/llama.cpp tools/server/server.cpp (examples/server/server.cpp before 2025)";

    private static final List<Name> NAMES = List.of(
            row(ServerKind.VLLM, "vllm:num_requests_running", GAUGE, REQUESTS_RUNNING, VLLM_V1, ""),
            row(ServerKind.VLLM, "vllm:num_requests_waiting", GAUGE, REQUESTS_WAITING, VLLM_V1, ""),
            row(ServerKind.VLLM, "vllm:kv_cache_usage_perc", GAUGE, KV_CACHE_USAGE, VLLM_V1, "a ratio: 1 means 100 percent; since 0.9"),
            row(ServerKind.VLLM, "vllm:gpu_cache_usage_perc", GAUGE, KV_CACHE_USAGE, VLLM_V1, "the name before 0.9 (deprecated in 0.9); a ratio"),
            row(ServerKind.VLLM, "vllm:num_preemptions", COUNTER, PREEMPTIONS, VLLM_V1, "vllm:num_preemptions_total in Prometheus text"),
            row(ServerKind.VLLM, "vllm:prompt_tokens", COUNTER, PROMPT_TOKENS, VLLM_V1, ""),
            row(ServerKind.VLLM, "vllm:generation_tokens", COUNTER, GENERATION_TOKENS, VLLM_V1, ""),
            row(ServerKind.VLLM, "vllm:request_success", COUNTER, REQUESTS_FINISHED, VLLM_V1, "summed over finished_reason (stop, length, abort)"),
            row(ServerKind.VLLM, "vllm:time_to_first_token_seconds", HISTOGRAM, SERVER_TTFT, VLLM_V1, ""),
            row(ServerKind.VLLM, "vllm:inter_token_latency_seconds", HISTOGRAM, SERVER_ITL, VLLM_V1, "the newer name"),
            row(ServerKind.VLLM, "vllm:time_per_output_token_seconds", HISTOGRAM, SERVER_ITL, VLLM_V1, "the older name, later marked DEPRECATED"),
            row(ServerKind.VLLM, "vllm:e2e_request_latency_seconds", HISTOGRAM, SERVER_E2E, VLLM_V1, ""),
            row(ServerKind.VLLM, "vllm:request_queue_time_seconds", HISTOGRAM, SERVER_QUEUE_TIME, VLLM_V1, "time in the WAITING phase"),

            row(ServerKind.SGLANG, "sglang:num_running_reqs", GAUGE, REQUESTS_RUNNING, SGLANG, ""),
            row(ServerKind.SGLANG, "sglang:num_queue_reqs", GAUGE, REQUESTS_WAITING, SGLANG, ""),
            row(ServerKind.SGLANG, "sglang:token_usage", GAUGE, KV_CACHE_USAGE, SGLANG, "used KV tokens over the pool's, a ratio"),
            row(ServerKind.SGLANG, "sglang:num_retracted_requests", COUNTER, PREEMPTIONS, SGLANG,
                    "retractions; newer releases (older ones have only the gauge sglang:num_retracted_reqs)"),
            row(ServerKind.SGLANG, "sglang:prompt_tokens", COUNTER, PROMPT_TOKENS, SGLANG, "counted when a request finishes"),
            row(ServerKind.SGLANG, "sglang:generation_tokens", COUNTER, GENERATION_TOKENS, SGLANG, "counted when a request finishes"),
            row(ServerKind.SGLANG, "sglang:num_requests", COUNTER, REQUESTS_FINISHED, SGLANG, "counted when a request finishes"),
            row(ServerKind.SGLANG, "sglang:time_to_first_token_seconds", HISTOGRAM, SERVER_TTFT, SGLANG, ""),
            row(ServerKind.SGLANG, "sglang:inter_token_latency_seconds", HISTOGRAM, SERVER_ITL, SGLANG, "the newer name"),
            row(ServerKind.SGLANG, "sglang:time_per_output_token_seconds", HISTOGRAM, SERVER_ITL, SGLANG, "the older name"),
            row(ServerKind.SGLANG, "sglang:e2e_request_latency_seconds", HISTOGRAM, SERVER_E2E, SGLANG, ""),
            row(ServerKind.SGLANG, "sglang:queue_time_seconds", HISTOGRAM, SERVER_QUEUE_TIME, SGLANG, ""),

            row(ServerKind.TGI, "tgi_batch_current_size", GAUGE, REQUESTS_RUNNING, TGI, "requests in the running batch"),
            row(ServerKind.TGI, "tgi_queue_size", GAUGE, REQUESTS_WAITING, TGI, ""),
            new Name(ServerKind.TGI, "tgi_request_input_length", HISTOGRAM, PROMPT_TOKENS, Read.HISTOGRAM_SUM, 1, TGI,
                    "the histogram's _sum: input tokens of validated requests"),
            new Name(ServerKind.TGI, "tgi_request_generated_tokens", HISTOGRAM, GENERATION_TOKENS, Read.HISTOGRAM_SUM, 1, TGI,
                    "the histogram's _sum: tokens of successful requests, counted when they finish"),
            row(ServerKind.TGI, "tgi_request_success", COUNTER, REQUESTS_FINISHED, TGI, "written without _total"),
            row(ServerKind.TGI, "tgi_request_mean_time_per_token_duration", HISTOGRAM, SERVER_ITL, TGI,
                    "one observation per request: its mean time per token, not one per token"),
            row(ServerKind.TGI, "tgi_request_duration", HISTOGRAM, SERVER_E2E, TGI, ""),
            row(ServerKind.TGI, "tgi_request_queue_duration", HISTOGRAM, SERVER_QUEUE_TIME, TGI, ""),

            row(ServerKind.LLAMA_CPP, "llamacpp:requests_processing", GAUGE, REQUESTS_RUNNING, LLAMA, ""),
            row(ServerKind.LLAMA_CPP, "llamacpp:requests_deferred", GAUGE, REQUESTS_WAITING, LLAMA, ""),
            row(ServerKind.LLAMA_CPP, "llamacpp:kv_cache_usage_ratio", GAUGE, KV_CACHE_USAGE, LLAMA,
                    "a ratio; only builds before ggml-org/llama.cpp#13660 (May 2025), which removed it"),
            row(ServerKind.LLAMA_CPP, "llamacpp:prompt_tokens", COUNTER, PROMPT_TOKENS, LLAMA, "llamacpp:prompt_tokens_total"),
            row(ServerKind.LLAMA_CPP, "llamacpp:tokens_predicted", COUNTER, GENERATION_TOKENS, LLAMA, "llamacpp:tokens_predicted_total"));

    private ServerNames() {
    }

    private static Name row(ServerKind server, String family, MetricType type, CanonicalMetric metric, String source, String note) {
        return new Name(server, family, type, metric, type == HISTOGRAM ? Read.HISTOGRAM : Read.VALUE, 1, source, note);
    }

    /** Every row, servers in turn. */
    static List<Name> all() {
        return NAMES;
    }

    /** {@code server}'s families for {@code metric}, the preferred first; empty where the server has none. */
    static List<Name> candidates(ServerKind server, CanonicalMetric metric) {
        List<Name> out = new ArrayList<>(2);
        for (Name n : NAMES) {
            if (n.server() == server && n.metric() == metric) {
                out.add(n);
            }
        }
        return out;
    }

    /** The row for {@code server}'s family {@code family}, spelled as exposed. */
    static Optional<Name> find(ServerKind server, String family) {
        String name = server.usualSpelling(family);
        for (Name n : NAMES) {
            if (n.server() == server && (n.family().equals(name)
                    || (n.type() == COUNTER && name.length() == n.family().length() + 6
                            && name.startsWith(n.family()) && name.endsWith("_total")))) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }
}
