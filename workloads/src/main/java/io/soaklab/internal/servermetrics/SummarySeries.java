package io.soaklab.internal.servermetrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One series of a summary at one scrape: its labels less {@code quantile}, the quantiles the server
 * computed (ascending) and their values, its sum and its count (NaN if the server wrote none). A
 * summary's quantiles are the server's own, over a window of its choosing: they cannot be combined or
 * taken over soaklab's windows; its sum and count can.
 */
record SummarySeries(Map<String, String> labels, double[] quantiles, double[] values, double sum, double count) {

    /** The series of {@code family}, in the order their first sample came; none if it is not a summary. */
    static List<SummarySeries> of(Family family) {
        if (family.type() != MetricType.SUMMARY) {
            return List.of();
        }
        Map<Map<String, String>, double[][]> parts = new LinkedHashMap<>();
        Map<Map<String, String>, List<double[]>> quantiles = new LinkedHashMap<>();
        for (Sample s : family.samples()) {
            String suffix = s.suffix();
            boolean quantile = suffix.isEmpty();
            Map<String, String> labels = quantile ? HistogramSeries.without(s.labels(), "quantile") : s.labels();
            double[][] sumCount = parts.computeIfAbsent(labels, l -> new double[][] {{Double.NaN, Double.NaN}});
            List<double[]> qs = quantiles.computeIfAbsent(labels, l -> new ArrayList<>());
            switch (suffix) {
                case "" -> {
                    double q = HistogramSeries.bound(s.label("quantile"));
                    if (!Double.isNaN(q)) {
                        qs.add(new double[] {q, s.value()});
                    }
                }
                case "_sum" -> sumCount[0][0] = s.value();
                case "_count" -> sumCount[0][1] = s.value();
                default -> {
                    // _created
                }
            }
        }
        List<SummarySeries> out = new ArrayList<>(parts.size());
        parts.forEach((labels, sumCount) -> {
            List<double[]> qs = quantiles.get(labels);
            qs.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] q = new double[qs.size()];
            double[] v = new double[qs.size()];
            for (int i = 0; i < q.length; i++) {
                q[i] = qs.get(i)[0];
                v[i] = qs.get(i)[1];
            }
            out.add(new SummarySeries(labels, q, v, sumCount[0][0], sumCount[0][1]));
        });
        return out;
    }
}
