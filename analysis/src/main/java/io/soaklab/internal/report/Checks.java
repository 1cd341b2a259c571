package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.protocol.CallFlag;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's verdicts in words, from the run's numbers: how the run ended (the banner) and what
 * soaklab checked about every call: calls still open at the end, replies held to their cap,
 * prompts the server truncated, refusals for context length, cache hits read from a non-standard
 * field. Every sentence quotes the figures it rests on.
 */
final class Checks {

    /** How a sentence reads: fine, worth a look, or wrong. */
    enum Level { OK, WARN, BAD }

    /** One verdict. */
    record Verdict(Level level, String text) {
    }

    private Checks() {
    }

    /** The banner: complete and healthy, complete with failures, stopped, failed or crashed. */
    static Verdict banner(RunData run) {
        RunManifest manifest = run.manifest();
        RunData.CallTotals c = run.calls();
        String windows = " " + run.windows().size() + " of " + manifest.windowsPlanned() + " measurement windows recorded.";
        String open = c.open() == 0 ? "" : " " + Format.count(c.open()) + (c.open() == 1 ? " call was" : " calls were")
                + " still open when it ended.";
        String message = manifest.message() == null ? "" : " (" + manifest.message() + ")";
        if (run.status() == io.soaklab.run.RunStatus.COMPLETE && manifest.config().sweep() != null) {
            // a sweep plans no windows: its budget bounds them, and calls failing past the knee are what it looks for
            String why = manifest.message() == null ? "" : " (" + manifest.message().replaceFirst("^" + java.util.regex.Pattern.quote(
                    io.soaklab.internal.analysis.Capacity.ENDED), "") + ")";
            return new Verdict(c.calls() == 0 ? Level.WARN : Level.OK, "Complete: the sweep ended by itself" + why + ". " + run.windows().size()
                    + " windows recorded, within a budget of " + manifest.windowsPlanned() + "; " + Format.count(c.errorCount()) + " of "
                    + Format.count(c.calls()) + " calls failed, in the stages they belong to." + open);
        }
        return switch (run.status()) {
            case COMPLETE -> complete(c, open, windows);
            case RUNNING -> new Verdict(Level.WARN, "Still running: this report shows the windows closed so far." + windows);
            case ABORTED -> new Verdict(Level.BAD, "Incomplete: the run was stopped early" + message + ". What it recorded is shown." + open + windows);
            case FAILED -> new Verdict(Level.BAD, "Failed: the endpoint failed" + message + ". What it recorded is shown." + open + windows);
            case CRASHED -> new Verdict(Level.BAD, "Incomplete: the run crashed" + message + ". What it recorded up to then is shown." + open + windows);
        };
    }

    private static Verdict complete(RunData.CallTotals c, String open, String windows) {
        if (c.calls() == 0) {
            return new Verdict(Level.WARN, "Complete, but no call ended: every planned window ran and the endpoint finished nothing." + open + windows);
        }
        if (c.errorCount() > 0) {
            return new Verdict(Level.WARN, "Complete, with failures: " + Format.count(c.errorCount()) + " of " + Format.count(c.calls())
                    + " calls failed (" + Format.percent((double) c.errorCount() / c.calls()) + ": " + classes(c.errors()) + ")." + open + windows);
        }
        long flagged = c.flagged(CallFlag.PROMPT_TRUNCATED) + c.flagged(CallFlag.OVER_CAP);
        if (flagged > 0) {
            return new Verdict(Level.WARN, "Complete: every call succeeded, but " + Format.count(flagged) + " of " + Format.count(c.calls())
                    + " answered something other than was asked (a prompt the server truncated, a reply past its cap: see below)." + open + windows);
        }
        return new Verdict(Level.OK, "Complete and healthy: every planned window ran and every call succeeded." + open + windows);
    }

    /** What soaklab noticed about the calls, worst first; empty when there is nothing to say. */
    static List<Verdict> calls(RunData run) {
        RunData.CallTotals c = run.calls();
        List<Verdict> out = new ArrayList<>();
        if (c.open() > 0) {
            Percentiles ages = c.openAges();
            Percentiles e2e = run.totals().get(Metric.E2E);
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                    "%s %s still open when the run ended, the longest for %s (median %s): their latency is at least that, and they are"
                            + " in no percentile above.", Format.count(c.open()), c.open() == 1 ? "call was" : "calls were",
                    Format.latency(ages.max()), Format.latency(ages.p50())));
            if (!c.e2eWithOpen().empty()) {
                text.append(" Counted at their ages, the calls' E2E p99 is at least ").append(Format.latency(c.e2eWithOpen().p99()))
                        .append(e2e.empty() ? "" : " (" + Format.latency(e2e.p99()) + " over the calls that ended)").append('.');
            }
            // calls in flight at the end are what a load is; one older than every ended call's p99 is a tail the percentiles miss
            boolean tail = e2e.empty() || ages.max() > e2e.p99();
            out.add(new Verdict(tail ? Level.WARN : Level.OK, text.toString()));
        }
        long runaway = c.errors().getOrDefault(ErrorClass.RUNAWAY, 0L);
        if (runaway > 0) {
            out.add(new Verdict(Level.BAD, Format.count(runaway) + (runaway == 1 ? " reply" : " replies")
                    + " ran past the bound soaklab derives from the request's max_tokens and " + (runaway == 1 ? "was" : "were")
                    + " cut (runaway): the server ignored the cap. They count as failures, are not billed, and were never fed back into a conversation."));
        }
        long overCap = c.flagged(CallFlag.OVER_CAP);
        if (overCap > 0) {
            out.add(new Verdict(Level.WARN, Format.count(overCap) + (overCap == 1 ? " reply was" : " replies were")
                    + " longer than the max_tokens asked for (over_cap): the server does not hold to the cap, and output tokens and spend are higher than requested."));
        }
        long truncated = c.flagged(CallFlag.PROMPT_TRUNCATED);
        if (truncated > 0) {
            out.add(new Verdict(Level.BAD, String.format(Locale.ROOT,
                    "The server truncated the prompt of %s %s without saying so (prompt_truncated): it counted %s prompt tokens where soaklab sent %s"
                            + " (%s of it, summed over those calls). Their replies answered a shorter prompt than was asked; probe accuracy below"
                            + " is binned by what the server processed.", Format.count(truncated), truncated == 1 ? "call" : "calls",
                    Format.count(c.truncatedServerTokens()), Format.count(c.truncatedSentTokens()),
                    Format.percent((double) c.truncatedServerTokens() / Math.max(1, c.truncatedSentTokens())))));
        }
        long context = c.errors().getOrDefault(ErrorClass.CONTEXT_LENGTH, 0L);
        if (context > 0) {
            out.add(new Verdict(Level.BAD, Format.count(context) + (context == 1 ? " call was" : " calls were")
                    + " refused as longer than the endpoint's context window (context_length), by an HTTP error or inside the stream."));
        }
        long fromTimings = c.flagged(CallFlag.CACHE_FROM_TIMINGS);
        if (fromTimings > 0) {
            out.add(new Verdict(Level.OK, "The cached input tokens of " + Format.count(fromTimings) + (fromTimings == 1 ? " call were" : " calls were")
                    + " read from llama.cpp's own timings (prompt tokens less those it evaluated): the server reports none in the standard field."));
        }
        if (c.estimatedCalls() > 0) {
            out.add(new Verdict(Level.WARN, Format.count(c.estimatedCalls()) + (c.estimatedCalls() == 1 ? " call" : " calls")
                    + " succeeded without usage from the server: their tokens were counted by soaklab (marked estimated), everything sent"
                    + " and received included. No failed call is billed on an estimate."));
        }
        return out;
    }

    private static String classes(Map<ErrorClass, Long> errors) {
        StringBuilder b = new StringBuilder();
        errors.entrySet().stream().sorted(Map.Entry.<ErrorClass, Long>comparingByValue().reversed()).limit(4)
                .forEach(e -> b.append(b.length() == 0 ? "" : ", ").append(Format.count(e.getValue())).append(' ').append(e.getKey().wireName()));
        if (errors.size() > 4) {
            b.append(", ...");
        }
        return b.toString();
    }

    /** The CSS class of a level. */
    static String css(Level level) {
        return switch (level) {
            case OK -> "ok";
            case WARN -> "warn";
            case BAD -> "bad";
        };
    }

    /** For a run still being written, the banner is informational. */
    static String css(Verdict banner, RunStatus status) {
        return status == RunStatus.RUNNING ? "info" : css(banner.level());
    }
}
