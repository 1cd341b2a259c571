package io.soaklab.internal.servermetrics;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds in one scrape the family that stands for each {@link CanonicalMetric}, by
 * {@link ServerNames}: the first of a server's candidates present with a fitting type. A canonical
 * metric the server lacks is simply absent from the answer.
 */
final class Canonical {

    private Canonical() {
    }

    /** One canonical metric's family in one scrape, and the row that chose it. */
    record Series(CanonicalMetric metric, ServerNames.Name source, Family family) {

        /**
         * A gauge's or counter's value: summed over label sets (engines, finish reasons), but a ratio
         * (KV-cache usage) averaged over them; a {@link ServerNames.Read#HISTOGRAM_SUM}'s summed
         * {@code _sum}s; times the row's scale. NaN for a histogram, or a family with no value samples.
         */
        double value() {
            double total = 0;
            int n = 0;
            switch (source.read()) {
                case HISTOGRAM -> {
                    return Double.NaN;
                }
                case HISTOGRAM_SUM -> {
                    for (HistogramSeries h : family.histograms()) {
                        total += h.sum();
                        n++;
                    }
                }
                case VALUE -> {
                    for (Sample s : family.samples()) {
                        String suffix = s.suffix();
                        if (suffix.isEmpty() || suffix.equals("_total")) {
                            total += s.value();
                            n++;
                        }
                    }
                }
            }
            if (n == 0) {
                return Double.NaN;
            }
            return (metric == CanonicalMetric.KV_CACHE_USAGE ? total / n : total) * source.scale();
        }

        /** A histogram's series, one per label set. */
        List<HistogramSeries> histograms() {
            return family.histograms();
        }

        /** A histogram's series added together (those whose bounds are the first's); null if there are none. */
        HistogramSeries histogram() {
            List<HistogramSeries> all = family.histograms();
            if (all.isEmpty()) {
                return null;
            }
            HistogramSeries first = all.get(0);
            double[] counts = first.cumulativeCounts().clone();
            double sum = first.sum();
            double count = first.count();
            for (int i = 1; i < all.size(); i++) {
                HistogramSeries h = all.get(i);
                if (!java.util.Arrays.equals(h.upperBounds(), first.upperBounds())) {
                    continue;
                }
                for (int b = 0; b < counts.length; b++) {
                    counts[b] += h.cumulativeCounts()[b];
                }
                sum += h.sum();
                count += h.count();
            }
            return new HistogramSeries(Map.of(), first.upperBounds(), counts, sum, count);
        }
    }

    /** The canonical series of {@code scrape}, its server detected from its family names. */
    static Map<CanonicalMetric, Series> of(Scrape scrape) {
        return of(ServerKind.detect(scrape), scrape);
    }

    /** The canonical series of {@code scrape}, read as {@code server}'s. */
    static Map<CanonicalMetric, Series> of(ServerKind server, Scrape scrape) {
        Map<String, Family> byName = new HashMap<>();
        for (Family f : scrape.families()) {
            byName.putIfAbsent(server.usualSpelling(f.name()), f);
        }
        Map<CanonicalMetric, Series> out = new EnumMap<>(CanonicalMetric.class);
        for (CanonicalMetric metric : CanonicalMetric.values()) {
            for (ServerNames.Name name : ServerNames.candidates(server, metric)) {
                Family f = byName.get(name.family());
                if (f == null && name.type() == MetricType.COUNTER) {
                    f = byName.get(name.family() + "_total");
                }
                if (f != null && fits(name.type(), f.type())) {
                    out.put(metric, new Series(metric, name, f));
                    break;
                }
            }
        }
        return out;
    }

    /** Whether a family of type {@code found} can be read as {@code wanted}: the same, or an untyped gauge or counter. */
    private static boolean fits(MetricType wanted, MetricType found) {
        return wanted == found || (found == MetricType.UNKNOWN && wanted != MetricType.HISTOGRAM);
    }
}
