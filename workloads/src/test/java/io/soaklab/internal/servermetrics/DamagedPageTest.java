package io.soaklab.internal.servermetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A page with bad lines in its middle: they are counted, the first is named, the good families stay. */
class DamagedPageTest {

    private final Scrape page = Pages.scrape("damaged.prom");

    @Test
    void itCountsItsBadLinesAndNamesTheFirst() {
        assertEquals(7, page.badLines());
        assertEquals(6, page.firstBadLine());
        assertEquals("no value", page.firstProblem());
        assertEquals("7 bad lines skipped; the first, line 6: no value", page.problem());
    }

    @Test
    void itStillReturnsTheGoodFamiliesAndSamples() {
        assertEquals(List.of("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc",
                "vllm:prompt_tokens_total"), page.families().stream().map(Family::name).toList());
        Family waiting = Pages.family(page, "vllm:num_requests_waiting");
        assertEquals(1, waiting.samples().size(), "only engine 3's line was good");
        assertEquals("3", waiting.samples().get(0).label("engine"));
        assertEquals(MetricType.UNKNOWN, Pages.family(page, "vllm:kv_cache_usage_perc").type(), "its TYPE line was bad");
        assertEquals(1, Pages.family(page, "vllm:prompt_tokens_total").samples().size());
    }

    @Test
    void itsCanonicalSeriesAreReadFromWhatSurvived() {
        var canonical = Canonical.of(page);
        assertEquals(7.0, canonical.get(CanonicalMetric.REQUESTS_RUNNING).value());
        assertEquals(2.0, canonical.get(CanonicalMetric.REQUESTS_WAITING).value());
        assertEquals(0.5, canonical.get(CanonicalMetric.KV_CACHE_USAGE).value(), "an untyped gauge still reads");
        assertEquals(100.0, canonical.get(CanonicalMetric.PROMPT_TOKENS).value());
    }
}
