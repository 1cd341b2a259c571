package io.soaklab.internal.servermetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** OpenMetrics 1.0 text: families without suffixes, units, _created, exemplars, seconds, # EOF. */
class OpenMetricsTest {

    private final Scrape page = Pages.scrape("openmetrics.txt");

    @Test
    void theSampleParsesWhole() {
        assertEquals(0, page.badLines(), page.problem());
        assertTrue(page.openMetrics(), "it ends in # EOF");
        assertEquals(List.of("soaklab_calls", "soaklab_ttft_seconds", "soaklab_open_calls", "soaklab_request_bytes",
                "soaklab_build", "soaklab_phase", "soaklab_drift", "soaklab_mystery"),
                page.families().stream().map(Family::name).toList());
        assertEquals(List.of(MetricType.COUNTER, MetricType.HISTOGRAM, MetricType.GAUGEHISTOGRAM, MetricType.SUMMARY,
                MetricType.INFO, MetricType.STATESET, MetricType.GAUGE, MetricType.UNKNOWN),
                page.families().stream().map(Family::type).toList());
    }

    @Test
    void aCountersTotalAndCreatedBelongToTheFamilyDeclaredWithoutThem() {
        Family calls = Pages.family(page, "soaklab_calls");
        assertEquals("requests", calls.unit());
        assertEquals("Calls sent, by outcome.", calls.help());
        assertEquals(4, calls.samples().size());
        assertEquals(1030.0, calls.sum("soaklab_calls_total"), "the exemplar's value 1 is not a sample");
        assertEquals("_created", calls.samples().get(1).suffix());
    }

    @Test
    void anOpenMetricsTimestampIsSecondsAndComesOutInMilliseconds() {
        Sample ok = Pages.family(page, "soaklab_calls").samples().get(0);
        assertEquals(1730123456250L, ok.timestampMillis());
    }

    @Test
    void exemplarsAreDroppedAndTheirSamplesKept() {
        HistogramSeries h = Pages.family(page, "soaklab_ttft_seconds").histograms().get(0);
        assertEquals(4, h.buckets());
        assertEquals(6.0, h.cumulativeCounts()[1]);
        assertEquals(10.0, h.count());
        assertEquals(7.25, h.sum());
    }

    @Test
    void aGaugeHistogramsGsumAndGcountAreItsSumAndCount() {
        HistogramSeries h = Pages.family(page, "soaklab_open_calls").histograms().get(0);
        assertEquals(5.0, h.count());
        assertEquals(41.0, h.sum());
    }

    @Test
    void infoAndStatesetSamplesKeepTheirEscapedLabels() {
        Sample build = Pages.family(page, "soaklab_build").samples().get(0);
        assertEquals("soaklab_build_info", build.name());
        assertEquals("C:\\soak\\lab", build.label("path"));
        assertEquals("say \"hi\"\nbye", build.label("note"));
        assertEquals("a},b=c d", build.label("odd"));
        assertEquals(1.0, Pages.family(page, "soaklab_phase").samples().get(1).value());
    }

    @Test
    void oddValuesAndSpacesInsideALabelSet() {
        Family drift = Pages.family(page, "soaklab_drift");
        assertEquals("up", drift.samples().get(0).label("dir"));
        assertEquals(Double.NEGATIVE_INFINITY, drift.samples().get(0).value());
        assertEquals(Double.POSITIVE_INFINITY, drift.samples().get(1).value());
        assertTrue(Double.isNaN(drift.samples().get(2).value()));
        assertEquals(-0.0015, Pages.family(page, "soaklab_mystery").samples().get(0).value());
        SummarySeries bytes = Pages.family(page, "soaklab_request_bytes").summaries().get(0);
        assertEquals(9500.0, bytes.values()[1]);
        assertEquals(1.5e6, bytes.sum());
    }

    @Test
    void aLineAfterEofIsBad() {
        Scrape s = Exposition.parse("a 1\n# EOF\nb 2\n");
        assertEquals(1, s.badLines());
        assertEquals(3, s.firstBadLine());
        assertEquals("a line after # EOF", s.firstProblem());
    }

    @Test
    void theSoaklabPrefixIsSoaklabsOwn() {
        assertEquals(ServerKind.SOAKLAB, ServerKind.detect(page));
    }
}
