package io.soaklab.internal.report;

import io.soaklab.internal.layout.RunFile;
import io.soaklab.run.RunConfig;
import io.soaklab.sim.SimConfig;
import io.soaklab.internal.text.Durations;
import java.nio.file.Files;
import java.util.Locale;

/** About the run: its configuration, its files, and what the words mean. */
final class AboutSections {

    private AboutSections() {
    }

    static void configuration(Page page) {
        page.out.append("<h2>Configuration</h2>\n<table><tbody>\n");
        RunConfig.Workload load = page.config.workload();
        RunConfig.Schedule schedule = page.config.schedule();
        RunConfig.Target target = page.config.target();
        RunConfig.Pricing pricing = page.config.pricing();
        page.row("scenario", page.scenario + (page.scenario.equals(load.scenario()) ? "" : " (" + load.scenario() + ")"));
        page.row("load", load.open() ? "open: episodes arriving " + load.arrival() + ", at most " + load.maxInFlight() + " in flight"
                : page.replayTimes != null ? "open: the trace's sessions arriving " + page.replayTimes + ", at most " + load.maxInFlight() + " in flight"
                : "closed: " + load.concurrency() + " users" + (load.thinkTime().isZero() ? "" : ", think time " + Durations.format(load.thinkTime())));
        if (!load.rampUp().isZero()) {
            page.row("ramp-up", Durations.format(load.rampUp()) + " (not measured)");
        }
        page.row("duration", Durations.format(schedule.duration()) + " in " + Format.count(schedule.windows(), "window") + " of "
                + Durations.format(schedule.window()));
        page.row("warmup", Durations.format(schedule.warmup()));
        page.row("endpoint", target.embedded() ? "embedded: " + page.endpointUrl() : page.endpointUrl());
        page.row("model", target.model());
        page.row("seed", Long.toString(load.seed()));
        page.row("prices", RunConfig.UNPRICED.equals(page.config.pricedAs()) ? "not priced (--price-as none)"
                : page.config.pricedAs() + ", " + pricing.billing() + " billing" + (pricing.prices() == null ? "" : ", own prices " + pricing.prices())
                + (pricing.maxSpend() == null ? "" : ", stop before " + pricing.maxSpend().toPlainString() + " spent"));
        page.row("timeouts", "connect " + Durations.format(target.timeouts().connect()) + ", first token "
                + Durations.format(target.timeouts().firstToken()) + ", idle " + Durations.format(target.timeouts().idle()) + ", call "
                + Durations.format(target.timeouts().call()));
        if (target.apiKeyEnv() != null) {
            page.row("API key from", "$" + target.apiKeyEnv());
        }
        if (target.embedded()) {
            page.row("embedded endpoint", describe(target.sim()));
        }
        page.row("protocol", target.api().wireName());
        page.row("created", page.manifest.created());
        page.row("started", String.valueOf(page.manifest.started()));
        page.row("ended", String.valueOf(page.manifest.ended()));
        page.row("host", page.manifest.host());
        page.manifest.versions().forEach(page::row);
        page.out.append("</tbody></table>\n");
    }

    static void files(Page page) {
        page.out.append("<h2>Files</h2>\n<ul>\n");
        for (RunFile f : RunFile.values()) {
            if (f == RunFile.REPORT || f == RunFile.CHARTS || f == RunFile.SIM_TRUTH) {
                continue;
            }
            String[] file = {f.fileName(), f.description()};
            if (Files.exists(page.run.dir().resolve(file[0]))) {
                page.out.append("<li><a href=\"").append(Page.e(file[0])).append("\"><code>").append(Page.e(file[0])).append("</code></a>: ")
                        .append(Page.e(file[1])).append("</li>\n");
            }
        }
        page.out.append("</ul>\n");
    }

    static void definitions(Page page) {
        page.out.append("<h2>What the numbers mean</h2>\n<dl>\n")
                .append("<dt>Episode</dt><dd>One agent task, from its first call's intended start to its last call's end: its calls, tool time, sub-agents and retries.</dd>\n")
                .append("<dt>Intended start</dt><dd>When the workload wanted a call to start: the end of the agent's previous call plus its tool and think time, or an episode's arrival. ")
                .append("Every latency counts from here, so a late load generator cannot hide (coordinated omission), and in an open load neither can ")
                .append("a stalled endpoint: every call that arrives during a stall carries it. In a closed load a stall delays only the calls in flight ")
                .append("(the next ones are intended when those end); it shows as lost throughput, so soaklab also measures it directly: the longest ")
                .append("time in each window with replies streaming and no byte arriving (silence).</dd>\n")
                .append("<dt>Time to first token (TTFT)</dt><dd>Intended start to the first chunk carrying text, reasoning or a tool call.</dd>\n")
                .append("<dt>Inter-token gap (ITL)</dt><dd>Every gap between consecutive content chunks after the first.</dd>\n")
                .append("<dt>Time per output token (TPOT)</dt><dd>(end - first token) / (output tokens - 1), per call.</dd>\n")
                .append("<dt>Call latency (E2E)</dt><dd>Intended start to the end of the stream. A retried call counts from its first attempt's intended start: what the agent waited. Each attempt on its own is in <code>attempt</code>.</dd>\n")
                .append("<dt>Schedule lag</dt><dd>How late soaklab sent a call after its intended start. Large values mean the load generator, not the endpoint, was the bottleneck.</dd>\n")
                .append("<dt>Spend</dt><dd>Each call's tokens, by kind (fresh input, cache reads, cache writes, output, reasoning), times the catalog's price for that kind, from the usage the server reported; retried attempts are paid for too. docs/costs.md has every rule.</dd>\n")
                .append("</dl>\n");
    }

    /** The embedded endpoint's model in one line a reader can follow. */
    static String describe(SimConfig sim) {
        SimConfig.Latency l = sim.latency();
        SimConfig.Serving v = sim.serving();
        SimConfig.Limits limits = sim.limits();
        SimConfig.Faults f = sim.faults();
        double faultOdds = f.http500() + f.http502() + f.http503() + f.overloaded() + f.overloadedMidStream() + f.reset() + f.stall()
                + f.malformed() + f.slowFirstByte() + f.neverEnds();
        return String.format(Locale.ROOT,
                "profile %s: base latency %s, prefill %,.0f tokens/s, decode %,.1f tokens/s per stream (jitter ±%.0f%%), %d decode slots, "
                        + "replies of %d tokens (median), context %,d tokens, prefix caching %s, %s, %s, %s",
                sim.profile(), Durations.format(l.base()), l.prefillTokensPerSecond(), l.decodeTokensPerSecond(), l.jitter() * 100,
                v.maxBatch(), sim.replies().outputTokensMedian(), v.contextWindow(),
                sim.caching().enabled() ? "on (" + Durations.format(sim.caching().ttl()) + ")" : "off",
                limits.any() ? "rate limits " + limits.requestsPerMinute() + " requests and " + limits.tokensPerMinute() + " tokens a minute" : "no rate limits",
                faultOdds > 0 ? String.format(Locale.ROOT, "faults in %.2f%% of requests", faultOdds * 100) : "no faults",
                sim.drift().latencyPerHour() != 0 || !sim.drift().waveEvery().isZero() || !sim.drift().burstEvery().isZero()
                        ? String.format(Locale.ROOT, "drift %+.0f%%/hour", sim.drift().latencyPerHour() * 100) : "no drift");
    }
}
