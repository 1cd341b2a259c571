package io.soaklab.internal.servermetrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One series of a histogram at one scrape: its labels less {@code le}, its cumulative buckets (upper
 * bounds ascending, the last {@code +Inf} when the server wrote one, and the count at or below each),
 * its sum and its count. A gauge histogram's {@code _gsum} and {@code _gcount} stand for sum and count.
 * The arrays are the record's own: do not change them.
 */
record HistogramSeries(Map<String, String> labels, double[] upperBounds, double[] cumulativeCounts, double sum, double count) {

    /** The series of {@code family}, in the order their first sample came; none if it is not a histogram. */
    static List<HistogramSeries> of(Family family) {
        if (family.type() != MetricType.HISTOGRAM && family.type() != MetricType.GAUGEHISTOGRAM) {
            return List.of();
        }
        Map<Map<String, String>, Parts> byLabels = new LinkedHashMap<>();
        for (Sample s : family.samples()) {
            String suffix = s.suffix();
            boolean bucket = suffix.equals("_bucket");
            Map<String, String> labels = bucket ? without(s.labels(), "le") : s.labels();
            Parts parts = byLabels.computeIfAbsent(labels, l -> new Parts());
            switch (suffix) {
                case "_bucket" -> {
                    double le = bound(s.label("le"));
                    if (!Double.isNaN(le)) {
                        parts.bounds.add(le);
                        parts.counts.add(s.value());
                    }
                }
                case "_sum", "_gsum" -> parts.sum = s.value();
                case "_count", "_gcount" -> parts.count = s.value();
                default -> {
                    // _created: not a part of the distribution
                }
            }
        }
        List<HistogramSeries> out = new ArrayList<>(byLabels.size());
        byLabels.forEach((labels, parts) -> {
            if (!parts.bounds.isEmpty()) {
                out.add(parts.series(labels));
            }
        });
        return out;
    }

    /** The number of buckets, {@code +Inf} included. */
    int buckets() {
        return upperBounds.length;
    }

    /** The count of observations in the {@code +Inf} bucket, else {@link #count()}. */
    double total() {
        int n = upperBounds.length;
        return n > 0 && upperBounds[n - 1] == Double.POSITIVE_INFINITY ? cumulativeCounts[n - 1] : count;
    }

    static Map<String, String> without(Map<String, String> labels, String name) {
        if (!labels.containsKey(name)) {
            return labels;
        }
        if (labels.size() == 1) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.remove(name);
        return Collections.unmodifiableMap(copy);
    }

    /** An {@code le} or {@code quantile} label's value as a number; NaN if absent or not a number. */
    static double bound(String text) {
        if (text == null) {
            return Double.NaN;
        }
        switch (text) {
            case "+Inf", "Inf", "inf", "+inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Inf", "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException notANumber) {
                    return Double.NaN;
                }
            }
        }
    }

    private static final class Parts {
        final List<Double> bounds = new ArrayList<>();
        final List<Double> counts = new ArrayList<>();
        double sum = Double.NaN;
        double count = Double.NaN;

        HistogramSeries series(Map<String, String> labels) {
            int n = bounds.size();
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(bounds.get(a), bounds.get(b)));
            double[] ub = new double[n];
            double[] cc = new double[n];
            for (int i = 0; i < n; i++) {
                ub[i] = bounds.get(order[i]);
                cc[i] = counts.get(order[i]);
            }
            double c = Double.isNaN(count) && ub[n - 1] == Double.POSITIVE_INFINITY ? cc[n - 1] : count;
            return new HistogramSeries(labels, ub, cc, sum, c);
        }
    }
}
