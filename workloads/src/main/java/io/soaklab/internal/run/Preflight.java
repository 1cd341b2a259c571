package io.soaklab.internal.run;

import io.soaklab.run.RunConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.load.Arrivals;
import io.soaklab.load.EpisodeRunner;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.record.EpisodeLine;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.scenario.ScenarioSpec;
import io.soaklab.scenario.Scenarios;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What a run against a paid endpoint will roughly cost, said before it starts: a few episodes of
 * its scenario on a fast embedded endpoint (same protocol, same request shapes, the endpoint's
 * own reply lengths and prefix cache), priced at the run's tariff, times the episodes the run
 * will hold. An open load's episodes follow from its arrival rate; a closed load's from its users
 * and an assumed call time, which the estimate states.
 *
 * @param sampled          episodes run to measure
 * @param callsPerEpisode  their mean attempts
 * @param tokensPerEpisode their mean prompt + completion tokens
 * @param perEpisode       their mean cost
 * @param episodes         episodes the run is expected to hold
 * @param spend            {@code perEpisode × episodes}
 * @param basis            how {@code episodes} was reckoned
 */
public record Preflight(int sampled, double callsPerEpisode, double tokensPerEpisode, BigDecimal perEpisode, double episodes,
                        BigDecimal spend, String basis) {

    /** Episodes sampled. */
    static final int SAMPLE = 4;
    /** A hosted model's call, assumed for a closed load: time to first token, then output at this rate. */
    static final double ASSUMED_TTFT_SECONDS = 1.0;
    static final double ASSUMED_OUTPUT_TOKENS_PER_SECOND = 50.0;

    /**
     * Samples {@code config}'s scenario and estimates its spend at {@code tariff}.
     *
     * @param limit longest the sampling may take; episodes unfinished by then are left out
     * @return the estimate, or null when no sampled episode finished in time
     */
    public static Preflight estimate(RunConfig config, Tariff tariff, Duration limit) throws InterruptedException {
        SimConfig fast = SimConfig.builder().model(config.target().model() == null ? "preflight" : config.target().model()).seed(config.workload().seed())
                .baseLatency(Duration.ZERO).prefillTokensPerSecond(10_000_000).decodeTokensPerSecond(100_000).jitter(0).build();
        ScenarioSpec scenario = Scenarios.resolve(config.workload().scenario());
        Path dir = null;
        try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(fast)) {
            dir = Files.createTempDirectory("soaklab-preflight");
            List<long[]> done = new ArrayList<>(); // {attempts, prompt tokens, completion tokens, nanos}
            List<BigDecimal> costs = new ArrayList<>();
            try (RunRecorder recorder = RunRecorder.open(dir, TimeBase.now(), tariff);
                 ModelClient client = ModelClient.of(config.target().api(), config.target().clientConfig(endpoint.baseUrl(), "preflight"), recorder.itl());
                 EpisodeRunner runner = new EpisodeRunner(Scenarios.of(scenario), client, recorder,
                         scenario.resilience(), config.workload().seed(), Duration.ZERO)) {
                recorder.beginWindow(false);
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < SAMPLE; i++) {
                    int user = i;
                    Thread t = new Thread(() -> {
                        try {
                            runner.run(user, 0, System.nanoTime());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // past the limit: left out
                        }
                    }, "soaklab-preflight-" + i);
                    t.setDaemon(true);
                    t.start();
                    threads.add(t);
                }
                long deadline = System.nanoTime() + limit.toNanos();
                for (Thread t : threads) {
                    t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
                threads.forEach(Thread::interrupt);
                recorder.endWindow();
            }
            EpisodeLine.read(dir, e -> {
                done.add(new long[] {e.attempts(), e.tokens().promptTokens(), e.tokens().completionTokens(), e.durationUs() * 1000});
                costs.add(e.cost() == null ? BigDecimal.ZERO : e.cost());
            });
            return done.isEmpty() ? null : of(config, done, costs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private static Preflight of(RunConfig config, List<long[]> episodes, List<BigDecimal> costs) {
        int n = episodes.size();
        double calls = episodes.stream().mapToLong(e -> e[0]).average().orElse(0);
        double tokens = episodes.stream().mapToLong(e -> e[1] + e[2]).average().orElse(0);
        double output = episodes.stream().mapToLong(e -> e[2]).average().orElse(0);
        double ownSeconds = episodes.stream().mapToLong(e -> e[3]).average().orElse(0) / 1e9; // tool time, pauses: the model took ~0
        BigDecimal perEpisode = costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add).divide(BigDecimal.valueOf(n), MathContext.DECIMAL64);
        Duration span = config.schedule().warmup().plus(config.workload().rampUp()).plus(config.schedule().duration());
        double count;
        String basis;
        if (config.workload().open()) {
            count = Arrivals.parse(config.workload().arrival()).withRampUp(config.workload().rampUp()).expected(span);
            basis = "arrivals " + config.workload().arrival();
        } else {
            double callSeconds = ASSUMED_TTFT_SECONDS + (calls == 0 ? 0 : output / calls) / ASSUMED_OUTPUT_TOKENS_PER_SECOND;
            double episodeSeconds = ownSeconds + calls * callSeconds + config.workload().thinkTime().toNanos() / 1e9;
            count = config.workload().concurrency() * (span.toNanos() / 1e9) / Math.max(episodeSeconds, 1e-3);
            basis = String.format(Locale.ROOT, "%d users, each episode ~%.0f s: %.1f calls at an assumed %.0f s to first token and %.0f tokens/s",
                    config.workload().concurrency(), episodeSeconds, calls, ASSUMED_TTFT_SECONDS, ASSUMED_OUTPUT_TOKENS_PER_SECOND);
        }
        BigDecimal spend = perEpisode.multiply(BigDecimal.valueOf(count), MathContext.DECIMAL64);
        return new Preflight(n, calls, tokens, perEpisode, count, spend, basis);
    }

    /** Two lines for the console. */
    public String describe(Tariff tariff) {
        return String.format(Locale.ROOT, "pre-flight estimate: %s per episode (%.1f calls, %,.0f tokens; %d episodes sampled on the embedded endpoint,"
                        + " priced as %s)%nthis run: ~%,.0f episodes (%s) = ~%s. Real replies' lengths and cache hits differ: set --max-spend to cap it.",
                Cost.format(perEpisode), callsPerEpisode, tokensPerEpisode, sampled, tariff.describe(), episodes,
                basis, Cost.format(spend));
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
