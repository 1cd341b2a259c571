package io.soaklab.internal.servermetrics;

import java.util.List;

/**
 * A metric family as one scrape showed it: its name without sample suffixes, its type, its
 * {@code # HELP} and {@code # UNIT} (empty if absent) and its samples in the order they came.
 */
record Family(String name, MetricType type, String help, String unit, List<Sample> samples) {

    /** A histogram's (or gauge histogram's) series, one per label set without {@code le}; empty for other types. */
    List<HistogramSeries> histograms() {
        return HistogramSeries.of(this);
    }

    /** A summary's series, one per label set without {@code quantile}; empty for other types. */
    List<SummarySeries> summaries() {
        return SummarySeries.of(this);
    }

    /** The sum of the values of the samples named exactly {@code name} (a counter's {@code _total}s, a gauge's). */
    double sum(String sampleName) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(sampleName)) {
                total += s.value();
            }
        }
        return total;
    }
}
