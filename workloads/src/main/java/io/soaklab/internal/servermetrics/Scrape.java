package io.soaklab.internal.servermetrics;

import java.util.List;
import java.util.Optional;

/**
 * What one read of a {@code /metrics} page gave: its families in the order they first appeared, how
 * many lines were skipped as bad, the first bad line's number (1-based, 0 if none) and why, and whether
 * it was OpenMetrics (it ended in {@code # EOF}).
 */
record Scrape(List<Family> families, int badLines, int firstBadLine, String firstProblem, boolean openMetrics) {

    /** The family named {@code name}, exactly as exposed. */
    Optional<Family> family(String name) {
        for (Family f : families) {
            if (f.name().equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** One sentence on the bad lines, for a log or a report; empty when there were none. */
    String problem() {
        if (badLines == 0) {
            return "";
        }
        return badLines + (badLines == 1 ? " bad line skipped: line " : " bad lines skipped; the first, line ")
                + firstBadLine + ": " + firstProblem;
    }
}
