package io.soaklab.internal.sweep;

import io.soaklab.internal.analysis.Capacity;
import io.soaklab.internal.record.StageLine;
import io.soaklab.run.RunConfig;
import java.util.List;

/**
 * Where a capacity sweep goes next, from the stages it has measured: up a geometric ladder from the
 * lowest level until a stage misses an objective, then bisection (geometric) between the highest
 * stage that met every objective and the lowest that missed one, until the bracket is tight. It
 * stops early when searching on would not find a capacity: the lowest level missed, the provider's
 * rate limit refused calls, errors dominate, or the load generator itself was the limit.
 */
final class Search {

    /**
     * The next stage, or why there is none.
     *
     * @param level the next stage's level; NaN when the sweep stops
     * @param how   how it was chosen
     * @param stop  why the sweep stops, in words; null when it goes on
     */
    record Step(double level, StageLine.Search how, String stop) {
        static Step stop(String why) {
            return new Step(Double.NaN, null, why);
        }

        boolean stops() {
            return stop != null;
        }
    }

    private final RunConfig.Sweep sweep;

    Search(RunConfig.Sweep sweep) {
        this.sweep = sweep;
    }

    /** The step after {@code stages} (in the order run; those that did not measure are passed over). */
    Step next(List<Capacity.Stage> stages) {
        List<Capacity.Stage> measured = stages.stream().filter(Capacity.Stage::measured).toList();
        if (measured.isEmpty()) {
            return new Step(sweep.round(sweep.from()), StageLine.Search.LADDER, null);
        }
        Capacity.Stage last = measured.get(measured.size() - 1);
        if (!last.met()) {
            switch (last.limit()) {
                case RATE_LIMITS -> {
                    return Step.stop("the provider's rate limit refused " + percent(last.rateLimitedShare()) + " of the calls at " + sweep.level(last.level())
                            + ": what was found is its limit, not the endpoint's capacity");
                }
                case GENERATOR -> {
                    return Step.stop("the load generator itself was the limit at " + sweep.level(last.level())
                            + " (it fell behind its schedule, or its CPU or GC ran out): give it more cores, or shard the load");
                }
                default -> {
                    if (last.calls() > 0 && last.otherErrorShare() >= Capacity.ERRORS_DOMINATE_SHARE) {
                        return Step.stop("errors dominate at " + sweep.level(last.level()) + ": " + percent(last.otherErrorShare()) + " of the calls failed"
                                + (last.mostly() == null ? "" : ", mostly " + last.mostly().wireName()));
                    }
                }
            }
        }
        Capacity.Stage lo = null;
        for (Capacity.Stage s : measured) {
            if (s.met() && (lo == null || s.level() > lo.level())) {
                lo = s;
            }
        }
        Capacity.Stage hi = null;
        for (Capacity.Stage s : measured) {
            if (!s.met() && (lo == null || s.level() > lo.level()) && (hi == null || s.level() < hi.level())) {
                hi = s;
            }
        }
        if (lo == null) {
            return Step.stop("the lowest level, " + sweep.level(hi.level()) + ", already missed " + (hi.missedWidely() ? "by a wide margin" : "the objectives")
                    + ": lower --concurrency or --arrival-rate's start");
        }
        if (hi == null) {
            double top = sweep.round(sweep.to());
            double up = sweep.round(Math.min(sweep.to(), lo.level() * sweep.factor()));
            if (up <= lo.level()) { // a small factor on a small level rounds back to it: the next level up instead
                up = sweep.round(Math.min(sweep.to(), nextAbove(lo.level())));
            }
            if (lo.level() >= top || up <= lo.level()) { // levels are rounded (rates to three digits): the top may be as high as they go
                return Step.stop("every stage met every objective, up to the highest level asked for, " + sweep.level(top));
            }
            return new Step(up, StageLine.Search.LADDER, null);
        }
        if (tight(lo.level(), hi.level())) {
            return Step.stop("the bracket is tight: " + sweep.level(lo.level()) + " met every objective, " + sweep.level(hi.level()) + " missed");
        }
        double mid = sweep.round(Math.sqrt(lo.level() * hi.level()));
        if (sweep.kind() == RunConfig.Sweep.Kind.USERS) {
            mid = Math.max(lo.level() + 1, Math.min(hi.level() - 1, mid));
        }
        if (mid <= lo.level() || mid >= hi.level()) {
            return Step.stop("the bracket is as tight as levels are fine: " + sweep.level(lo.level()) + " met every objective, "
                    + sweep.level(hi.level()) + " missed");
        }
        return new Step(mid, StageLine.Search.BISECT, null);
    }

    /** The next level above {@code level}: one user more, or a rate one in its third significant digit higher. */
    private double nextAbove(double level) {
        if (sweep.kind() == RunConfig.Sweep.Kind.USERS) {
            return level + 1;
        }
        return level + Math.pow(10, Math.floor(Math.log10(level)) - 2);
    }

    /** Whether {@code hi} is within the sweep's precision above {@code lo} (users: or one apart). */
    boolean tight(double lo, double hi) {
        if (sweep.kind() == RunConfig.Sweep.Kind.USERS && hi - lo <= 1) {
            return true;
        }
        return hi <= lo * (1 + sweep.precision());
    }

    private static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.0f%%", 100 * share);
    }
}
