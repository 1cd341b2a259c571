package io.soaklab.internal.servermetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus text format 0.0.4, line by line: what a sample, a label set and a value may look like. */
class ExpositionTest {

    @Test
    void aLabelValueMayHoldEscapesBracesCommasEqualsAndSpaces() {
        Scrape s = Exposition.parse("m{a=\"x \\\"q\\\" \\\\ y\\nz\",b=\"}{,= \"} 1\n");
        assertEquals(0, s.badLines(), s.problem());
        Sample m = s.families().get(0).samples().get(0);
        assertEquals("x \"q\" \\ y\nz", m.label("a"));
        assertEquals("}{,= ", m.label("b"));
        assertEquals(List.of("a", "b"), List.copyOf(m.labels().keySet()), "labels keep the server's order");
    }

    @Test
    void infinitiesNotANumberAndExponentsAreValues() {
        Scrape s = Exposition.parse("a +Inf\nb -Inf\nc NaN\nd 1.5e-3\ne -2E+2\nf 12\n");
        assertEquals(0, s.badLines(), s.problem());
        assertEquals(Double.POSITIVE_INFINITY, value(s, "a"));
        assertEquals(Double.NEGATIVE_INFINITY, value(s, "b"));
        assertTrue(Double.isNaN(value(s, "c")));
        assertEquals(0.0015, value(s, "d"));
        assertEquals(-200.0, value(s, "e"));
        assertEquals(12.0, value(s, "f"));
    }

    @Test
    void aPrometheusTimestampIsIntegerMillisecondsAndAbsentIsMarked() {
        Scrape s = Exposition.parse("a 1 1730123456789\nb 2\n");
        assertEquals(1730123456789L, s.families().get(0).samples().get(0).timestampMillis());
        assertFalse(s.families().get(1).samples().get(0).hasTimestamp());
        assertEquals(Sample.NO_TIMESTAMP, s.families().get(1).samples().get(0).timestampMillis());
    }

    @Test
    void windowsLineEndingsBlankLinesAndCommentsAreNotSamples() {
        Scrape s = Exposition.parse("# a comment\r\n\r\n# HELP x An x.\r\n# TYPE x gauge\r\n\r\nx{a=\"b\"} 3\r\n   \r\n");
        assertEquals(0, s.badLines(), s.problem());
        assertEquals(1, s.families().size());
        Family x = s.families().get(0);
        assertEquals("An x.", x.help());
        assertEquals(MetricType.GAUGE, x.type());
        assertEquals("b", x.samples().get(0).label("a"), "no \\r left in the last token");
        assertEquals(3.0, x.samples().get(0).value());
    }

    @Test
    void aHelpTextIsUnescaped() {
        Scrape s = Exposition.parse("# HELP x One \\\\ two\\nthree.\nx 1\n");
        assertEquals("One \\ two\nthree.", s.families().get(0).help());
    }

    @Test
    void metricNamesMayHoldColons() {
        Scrape s = Exposition.parse("# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{engine=\"0\"} 7\n");
        assertEquals("vllm:num_requests_running", s.families().get(0).name());
        assertEquals(7.0, s.families().get(0).samples().get(0).value());
    }

    @Test
    void aHistogramsSuffixedSamplesBelongToItsFamily() {
        Scrape s = Exposition.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3.5\nh_count 2\n");
        assertEquals(1, s.families().size());
        Family h = s.families().get(0);
        assertEquals(4, h.samples().size());
        assertEquals("h", h.samples().get(2).family());
        assertEquals("_sum", h.samples().get(2).suffix());
        HistogramSeries series = h.histograms().get(0);
        assertEquals(Map.of(), series.labels(), "le is not a label of the series");
        assertEquals(2.0, series.count());
        assertEquals(3.5, series.sum());
    }

    @Test
    void aPrometheusCounterIsDeclaredWithItsTotalAndPythonsCreatedIsAGaugeOfItsOwn() {
        Scrape s = Pages.scrape("vllm.prom");
        Family total = Pages.family(s, "vllm:num_preemptions_total");
        assertEquals(MetricType.COUNTER, total.type());
        assertEquals("vllm:num_preemptions_total", total.samples().get(0).family());
        assertEquals(MetricType.GAUGE, Pages.family(s, "vllm:num_preemptions_created").type());
    }

    @Test
    void anUndeclaredSampleIsAnUntypedFamilyOfItsOwnName() {
        Scrape s = Exposition.parse("foo_bucket{le=\"1\"} 1\nfoo_sum 2\n");
        assertEquals(List.of("foo_bucket", "foo_sum"), s.families().stream().map(Family::name).toList());
        assertEquals(MetricType.UNKNOWN, s.families().get(0).type());
    }

    @Test
    void aSummaryKeepsItsQuantilesSumAndCount() {
        Scrape s = Exposition.parse("# TYPE rpc summary\nrpc{svc=\"a\",quantile=\"0.99\"} 9\nrpc{svc=\"a\",quantile=\"0.5\"} 2\n"
                + "rpc_sum{svc=\"a\"} 120\nrpc_count{svc=\"a\"} 40\n");
        SummarySeries a = s.families().get(0).summaries().get(0);
        assertEquals(Map.of("svc", "a"), a.labels());
        assertEquals(0.5, a.quantiles()[0]);
        assertEquals(2.0, a.values()[0]);
        assertEquals(9.0, a.values()[1]);
        assertEquals(120.0, a.sum());
        assertEquals(40.0, a.count());
    }

    @Test
    void aBadLineIsSkippedCountedAndNamedAndTheRestIsKept() {
        Scrape s = Exposition.parse("a 1\nb{x=\"1\" 2\nc two\nd 4\n");
        assertEquals(2, s.badLines());
        assertEquals(2, s.firstBadLine());
        assertEquals("no , or } after label x", s.firstProblem());
        assertEquals(List.of("a", "d"), s.families().stream().map(Family::name).toList());
        assertEquals("2 bad lines skipped; the first, line 2: no , or } after label x", s.problem());
    }

    @Test
    void theBadLinesOfEveryKindAreBadNotThrown() {
        String[] bad = {"x", "x{", "x{a=1} 1", "x{a=\"1\",a=\"2\"} 1", "x{a=\"\\t\"} 1", "x 1 2 3", "x 1 1.5",
            "x 1 # nonsense", "# TYPE x sideways", "x{9=\"1\"} 1", "x- 1", "x 0x1F", "x 1f"};
        for (String line : bad) {
            Scrape s = Exposition.parse(line + "\n");
            assertEquals(1, s.badLines(), line);
            assertEquals(1, s.firstBadLine(), line);
        }
    }

    @Test
    void anEmptyPageIsEmpty() {
        Scrape s = Exposition.parse("");
        assertEquals(0, s.families().size());
        assertEquals("", s.problem());
    }

    private static double value(Scrape s, String family) {
        return Pages.family(s, family).samples().get(0).value();
    }
}
