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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each server's recorded page: it parses whole, and the canonical series it has are found, with their values. */
class CanonicalTest {

    @Test
    void vllmHasEveryCanonicalSeries() {
        Scrape page = Pages.scrape("vllm.prom");
        assertEquals(0, page.badLines(), page.problem());
        assertEquals(32, page.families().size());
        assertEquals(ServerKind.VLLM, ServerKind.detect(page));
        Map<CanonicalMetric, Canonical.Series> c = Canonical.of(page);
        assertEquals(EnumSet.allOf(CanonicalMetric.class), c.keySet());
        assertEquals(7.0, c.get(REQUESTS_RUNNING).value());
        assertEquals(3.0, c.get(REQUESTS_WAITING).value());
        assertEquals(0.4375, c.get(KV_CACHE_USAGE).value());
        assertEquals("vllm:kv_cache_usage_perc", c.get(KV_CACHE_USAGE).source().family(), "the newer name, beside the deprecated one");
        assertEquals(2.0, c.get(PREEMPTIONS).value());
        assertEquals(183422.0, c.get(PROMPT_TOKENS).value());
        assertEquals(51234.0, c.get(GENERATION_TOKENS).value());
        assertEquals(300.0, c.get(REQUESTS_FINISHED).value(), "240 stop + 60 length + 0 abort; _created not counted");
        assertEquals("vllm:time_per_output_token_seconds", c.get(SERVER_ITL).family().name(), "this version's name");
        assertEquals(50934.0, c.get(SERVER_ITL).histogram().count());
        assertEquals(0.06, HistogramQuantile.quantile(0.5, null, c.get(SERVER_TTFT).histogram()), 1e-12);
        assertEquals(300.0, c.get(SERVER_E2E).histogram().count());
        assertEquals(0.3 * 150 / 270, HistogramQuantile.quantile(0.5, null, c.get(SERVER_QUEUE_TIME).histogram()), 1e-12);
    }

    @Test
    void vllmsNewerInterTokenNameWinsOverTheOlderOne() {
        String both = "# TYPE vllm:time_per_output_token_seconds histogram\n"
                + "vllm:time_per_output_token_seconds_bucket{le=\"+Inf\"} 5\nvllm:time_per_output_token_seconds_count 5\n"
                + "# TYPE vllm:inter_token_latency_seconds histogram\n"
                + "vllm:inter_token_latency_seconds_bucket{le=\"+Inf\"} 5\nvllm:inter_token_latency_seconds_count 5\n";
        assertEquals("vllm:inter_token_latency_seconds", Canonical.of(Exposition.parse(both)).get(SERVER_ITL).family().name());
    }

    @Test
    void sglangHasEveryCanonicalSeries() {
        Scrape page = Pages.scrape("sglang.prom");
        assertEquals(0, page.badLines(), page.problem());
        assertEquals(ServerKind.SGLANG, ServerKind.detect(page));
        Map<CanonicalMetric, Canonical.Series> c = Canonical.of(page);
        assertEquals(EnumSet.allOf(CanonicalMetric.class), c.keySet());
        assertEquals(12.0, c.get(REQUESTS_RUNNING).value());
        assertEquals(4.0, c.get(REQUESTS_WAITING).value());
        assertEquals(0.62, c.get(KV_CACHE_USAGE).value());
        assertEquals(5.0, c.get(PREEMPTIONS).value(), "the retraction counter, not the pid-labelled gauge");
        assertEquals(250000.0, c.get(PROMPT_TOKENS).value());
        assertEquals(64000.0, c.get(GENERATION_TOKENS).value());
        assertEquals(500.0, c.get(REQUESTS_FINISHED).value());
        assertEquals(0.175, HistogramQuantile.quantile(0.5, null, c.get(SERVER_TTFT).histogram()), 1e-12);
        assertEquals(0.0, HistogramQuantile.quantile(0.5, null, c.get(SERVER_QUEUE_TIME).histogram()),
                "half of the requests waited in the bucket bounded at 0");
        assertEquals(63500.0, c.get(SERVER_ITL).histogram().count());
        assertEquals(500.0, c.get(SERVER_E2E).histogram().count());
    }

    @Test
    void sglangsUnderscorePrefixIsReadAsItsColon() {
        Scrape page = Exposition.parse("# TYPE sglang_token_usage gauge\nsglang_token_usage{model_name=\"m\"} 0.5\n"
                + "# TYPE sglang_num_queue_reqs gauge\nsglang_num_queue_reqs{model_name=\"m\"} 3\n");
        assertEquals(ServerKind.SGLANG, ServerKind.detect(page));
        assertEquals(0.5, Canonical.of(page).get(KV_CACHE_USAGE).value());
        assertEquals(Optional.of(REQUESTS_WAITING), CanonicalMetric.of(ServerKind.SGLANG, "sglang_num_queue_reqs"));
    }

    @Test
    void tgiHasNoTimeToFirstTokenNoKvCacheAndNoPreemptions() {
        Scrape page = Pages.scrape("tgi.prom");
        assertEquals(0, page.badLines(), page.problem());
        assertEquals(ServerKind.TGI, ServerKind.detect(page));
        Map<CanonicalMetric, Canonical.Series> c = Canonical.of(page);
        assertEquals(EnumSet.complementOf(EnumSet.of(SERVER_TTFT, KV_CACHE_USAGE, PREEMPTIONS)), c.keySet());
        assertEquals(16.0, c.get(REQUESTS_RUNNING).value());
        assertEquals(6.0, c.get(REQUESTS_WAITING).value());
        assertEquals(163840.0, c.get(PROMPT_TOKENS).value(), "the input-length histogram's _sum");
        assertEquals(98000.0, c.get(GENERATION_TOKENS).value(), "the generated-tokens histogram's _sum");
        assertEquals(500.0, c.get(REQUESTS_FINISHED).value());
        HistogramSeries e2e = c.get(SERVER_E2E).histogram();
        assertEquals(36, e2e.buckets(), "35 bounds 0.0001 x 1.5^k, and +Inf");
        assertEquals(0.0001 * 1.5, e2e.upperBounds()[0]);
        double lower = e2e.upperBounds()[22];
        double upper = e2e.upperBounds()[23];
        assertEquals(0.0001 * Math.pow(1.5, 23), lower, 1e-9);
        assertEquals(lower + (upper - lower) * 0.75, HistogramQuantile.quantile(0.5, null, e2e), 1e-12, "rank 250: 150 of 200 into (1.12, 1.68]");
        assertEquals(2, Pages.family(page, "tgi_batch_forward_duration").histograms().size(), "prefill and decode");
    }

    @Test
    void llamaCppHasRequestsAndTokensButNoHistogramsAndNoLongerItsKvCacheRatio() {
        Scrape page = Pages.scrape("llamacpp.prom");
        assertEquals(0, page.badLines(), page.problem());
        assertEquals(ServerKind.LLAMA_CPP, ServerKind.detect(page));
        Map<CanonicalMetric, Canonical.Series> c = Canonical.of(page);
        assertEquals(EnumSet.of(REQUESTS_RUNNING, REQUESTS_WAITING, PROMPT_TOKENS, GENERATION_TOKENS), c.keySet());
        assertEquals(4.0, c.get(REQUESTS_RUNNING).value());
        assertEquals(46.0, c.get(REQUESTS_WAITING).value());
        assertEquals(33065.0, c.get(PROMPT_TOKENS).value());
        assertEquals("llamacpp:prompt_tokens_total", c.get(PROMPT_TOKENS).family().name());
        assertEquals(7801.0, c.get(GENERATION_TOKENS).value());
    }

    @Test
    void anOlderLlamaCppReportsItsKvCacheAsARatio() {
        Scrape page = Pages.scrape("llamacpp-2024.prom");
        assertEquals(0, page.badLines(), page.problem());
        Map<CanonicalMetric, Canonical.Series> c = Canonical.of(page);
        assertEquals(0.25, c.get(KV_CACHE_USAGE).value());
        assertEquals(1200.0, c.get(PROMPT_TOKENS).value());
    }

    @Test
    void aFamilyIsNamedCanonicalByItsServerOnly() {
        assertEquals(Optional.of(PROMPT_TOKENS), CanonicalMetric.of(ServerKind.VLLM, "vllm:prompt_tokens_total"));
        assertEquals(Optional.of(PROMPT_TOKENS), CanonicalMetric.of(ServerKind.VLLM, "vllm:prompt_tokens"));
        assertEquals(Optional.of(KV_CACHE_USAGE), CanonicalMetric.of(ServerKind.VLLM, "vllm:gpu_cache_usage_perc"));
        assertEquals(Optional.empty(), CanonicalMetric.of(ServerKind.VLLM, "vllm:prefix_cache_hits_total"));
        assertEquals(Optional.empty(), CanonicalMetric.of(ServerKind.TGI, "vllm:prompt_tokens_total"));
        assertEquals(Optional.of(REQUESTS_WAITING), CanonicalMetric.of(ServerKind.LLAMA_CPP, "llamacpp:requests_deferred"));
    }

    @Test
    void aPageOfNoKnownServerHasNoCanonicalSeries() {
        Scrape page = Exposition.parse("# TYPE up gauge\nup 1\n");
        assertEquals(ServerKind.UNKNOWN, ServerKind.detect(page));
        assertTrue(Canonical.of(page).isEmpty());
    }

    @Test
    void aFamilyOfTheWrongTypeIsNotCanonical() {
        Scrape page = Exposition.parse("# TYPE vllm:num_requests_running histogram\nvllm:num_requests_running_count 3\n");
        assertTrue(Canonical.of(ServerKind.VLLM, page).isEmpty());
    }
}
