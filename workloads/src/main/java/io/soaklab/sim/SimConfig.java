package io.soaklab.sim;

import static io.soaklab.internal.text.InvalidSetting.check;
import static io.soaklab.internal.text.InvalidSetting.checkValue;
import static io.soaklab.internal.text.InvalidSetting.required;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Duration;
import java.util.Objects;

/**
 * The embedded endpoint's model of a production LLM API, all seeded: the same seed and the same
 * request stream give the same replies, timings and faults. The parameters are grouped as the
 * README's table documents them; {@link SimProfiles} names useful sets.
 *
 * <pre>{@code
 * SimConfig sim = SimProfiles.get("self-hosted").decodeTokensPerSecond(80).build();
 * try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim)) { ... endpoint.baseUrl() ... }
 * }</pre>
 *
 * @param profile   the profile it started from, for the record
 * @param host      address to bind; loopback unless you mean otherwise
 * @param port      port to bind, 0 for a free one
 * @param seed      seeds every random draw
 * @param model     model name reported when a request names none
 * @param apiKey    when set, requests must carry it (never written to files)
 * @param ioThreads event-loop threads, 0 for one per core
 * @param latency   how long things take
 * @param replies   what replies look like
 * @param serving   batch slots, queue, slow-down curves, context window
 * @param caching   prefix caching
 * @param limits    rate limits
 * @param faults    injected faults
 * @param drift     change over time
 * @param probes    how well the model finds a fact planted in a long context
 */
public record SimConfig(
        String profile,
        String host,
        int port,
        long seed,
        String model,
        @JsonIgnore String apiKey,
        int ioThreads,
        Latency latency,
        Replies replies,
        Serving serving,
        Caching caching,
        Limits limits,
        Faults faults,
        Drift drift,
        Probes probes) {

    /**
     * Long-context retrieval: asked for a fact planted at depth d (0 = start of the prompt, 1 = its
     * end) of a prompt of L tokens, the model answers correctly with probability
     * {@code accuracyAtZero × 2^(−L / halfLifeTokens) × (1 − middlePenalty × 4·d·(1 − d))}: worse with
     * length, worst in the middle ("lost in the middle"); otherwise it gives another planted value.
     */
    public record Probes(double accuracyAtZero, long halfLifeTokens, double middlePenalty) {
        public Probes {
            checkValue(accuracyAtZero >= 0 && accuracyAtZero <= 1, "%s must be within 0..1", ", was " + accuracyAtZero, "probes.accuracy_at_zero");
            checkValue(halfLifeTokens >= 1, "%s must be at least 1 token", ", was " + halfLifeTokens, "probes.half_life_tokens");
            checkValue(middlePenalty >= 0 && middlePenalty <= 1, "%s must be within 0..1", ", was " + middlePenalty, "probes.middle_penalty");
        }

        /** The probability of a correct answer for a fact at {@code depth} of a {@code tokens}-token prompt. */
        public double accuracy(long tokens, double depth) {
            return accuracyAtZero * Math.pow(2, -(double) tokens / halfLifeTokens) * (1 - middlePenalty * 4 * depth * (1 - depth));
        }

        public static Probes standard() {
            return new Probes(0.98, 100_000, 0.3);
        }
    }

    /**
     * Latency: response headers after {@code base}; the first token after base + queue wait +
     * prefill (uncached prompt tokens / {@code prefillTokensPerSecond}, cached ones at
     * {@code cachedPrefillFraction} of that cost) + hidden reasoning; then tokens
     * 1 / {@code decodeTokensPerSecond} apart, slowed by {@link Serving}'s curves. Every delay is
     * multiplied by a factor drawn uniformly from [1 − jitter, 1 + jitter].
     */
    public record Latency(Duration base, double prefillTokensPerSecond, double decodeTokensPerSecond, double jitter,
                          double cachedPrefillFraction) {
        public Latency {
            check(!required(base, "latency.base").isNegative(), "%s must not be negative", "latency.base");
            checkValue(prefillTokensPerSecond > 0, "%s must be positive", ", was " + prefillTokensPerSecond, "latency.prefill_tokens_per_second");
            checkValue(decodeTokensPerSecond > 0, "%s must be positive", ", was " + decodeTokensPerSecond, "latency.decode_tokens_per_second");
            checkValue(jitter >= 0 && jitter < 1, "%s must be within [0, 1)", ", was " + jitter, "latency.jitter");
            checkValue(cachedPrefillFraction >= 0 && cachedPrefillFraction <= 1, "%s must be within 0..1", ", was " + cachedPrefillFraction, "latency.cached_prefill_fraction");
        }
    }

    /**
     * Replies: a log-normal number of output tokens (median, sigma; capped by {@code outputTokensMax}
     * and the request's own cap, then {@code length} is the finish reason); hidden reasoning tokens
     * (log-normal around {@code reasoningTokensMedian}, 0 for none; streamed as reasoning when
     * {@code reasoningVisible}; OpenAI's {@code reasoning_effort} does not change them); for an
     * Anthropic request that enables thinking, thinking tokens streamed as thinking, around
     * {@code reasoningTokensMedian} or, when it is 0, a quarter of the request's
     * {@code budget_tokens}, never more than the budget; a tool call instead of text with
     * {@code toolCallProbability} when the request offers tools.
     */
    public record Replies(int outputTokensMedian, double outputTokensSigma, int outputTokensMax, int reasoningTokensMedian,
                          boolean reasoningVisible, double toolCallProbability) {
        public Replies {
            checkValue(outputTokensMedian >= 1, "%s must be at least 1", ", was " + outputTokensMedian, "replies.output_tokens_median");
            checkValue(outputTokensSigma >= 0 && outputTokensSigma <= 3, "%s must be within 0..3", ", was " + outputTokensSigma, "replies.output_tokens_sigma");
            checkValue(outputTokensMax >= 1, "%s must be at least 1", ", was " + outputTokensMax, "replies.output_tokens_max");
            checkValue(reasoningTokensMedian >= 0, "%s must not be negative", ", was " + reasoningTokensMedian, "replies.reasoning_tokens_median");
            checkValue(toolCallProbability >= 0 && toolCallProbability <= 1, "%s must be within 0..1", ", was " + toolCallProbability, "replies.tool_call_probability");
        }
    }

    /**
     * Serving: {@code maxBatch} replies decode at once; more wait in a queue of at most
     * {@code maxQueue} (0: unbounded; beyond it, "overloaded"). One stream's inter-token gap is
     * multiplied by (1 + batchSlowdown × (streams decoding − 1)) × (1 + contextSlowdown × context
     * tokens / 10,000). A request whose prompt plus output cap exceeds {@code contextWindow} gets
     * the API's context-length error.
     */
    public record Serving(int maxBatch, int maxQueue, double batchSlowdown, double contextSlowdown, int contextWindow) {
        public Serving {
            checkValue(maxBatch >= 1, "%s must be at least 1", ", was " + maxBatch, "serving.max_batch");
            checkValue(maxQueue >= 0, "%s must not be negative", ", was " + maxQueue, "serving.max_queue");
            check(batchSlowdown >= 0 && contextSlowdown >= 0, "%s and %s must not be negative", "serving.batch_slowdown", "serving.context_slowdown");
            checkValue(contextWindow >= 1, "%s must be at least 1 token", ", was " + contextWindow, "serving.context_window");
        }
    }

    /**
     * Prefix caching: a request whose message prefix was seen within {@code ttl} (refreshed on each
     * hit) is served from cache for that part, with probability {@code hitProbability}. OpenAI-style
     * requests are cached automatically from {@code minTokens} on, in steps of {@code granularity};
     * Anthropic requests at their {@code cache_control} breakpoints, with writes reported.
     */
    public record Caching(boolean enabled, Duration ttl, int minTokens, int granularity, double hitProbability) {
        public Caching {
            check(!required(ttl, "caching.ttl").isNegative(), "%s must not be negative", "caching.ttl");
            check(minTokens >= 0 && granularity >= 1, "%s must be at least 0 and %s at least 1", "caching.min_tokens", "caching.granularity");
            checkValue(hitProbability >= 0 && hitProbability <= 1, "%s must be within 0..1", ", was " + hitProbability, "caching.hit_probability");
        }
    }

    /**
     * Rate limits per minute, as token buckets refilled continuously; 0 disables a bucket. A request
     * takes one request, prompt + output cap tokens, its prompt from the input bucket and its output
     * cap from the output bucket. Beyond them: 429 with {@code retry-after}.
     */
    public record Limits(long requestsPerMinute, long tokensPerMinute, long inputTokensPerMinute, long outputTokensPerMinute) {
        public Limits {
            check(requestsPerMinute >= 0 && tokensPerMinute >= 0 && inputTokensPerMinute >= 0 && outputTokensPerMinute >= 0,
                    "%s must not be negative", "limits");
        }

        public boolean any() {
            return requestsPerMinute > 0 || tokensPerMinute > 0 || inputTokensPerMinute > 0 || outputTokensPerMinute > 0;
        }
    }

    /**
     * Faults, each drawn per request with its probability (at most one per request): HTTP 500, 502,
     * 503; overloaded (529 for Anthropic, 503 for OpenAI) as a status or as an error inside the
     * stream; a connection reset, a stall of {@code stallFor} or a malformed chunk mid-stream; a
     * first byte {@code slowFirstByteFor} late; a reply that never ends. And the whole server stalls
     * for {@code serverStallFor} every {@code serverStallEvery} (0: never), in real time.
     */
    public record Faults(double http500, double http502, double http503, double overloaded, double overloadedMidStream,
                         double reset, double stall, Duration stallFor, double malformed, double slowFirstByte,
                         Duration slowFirstByteFor, double neverEnds, Duration serverStallEvery, Duration serverStallFor) {
        public Faults {
            required(stallFor, "faults.stall_for");
            required(slowFirstByteFor, "faults.slow_first_byte_for");
            required(serverStallEvery, "faults.server_stall_every");
            required(serverStallFor, "faults.server_stall_for");
            double sum = 0;
            for (double p : new double[] {http500, http502, http503, overloaded, overloadedMidStream, reset, stall, malformed,
                slowFirstByte, neverEnds}) {
                checkValue(p >= 0 && p <= 1, "%s must be within 0..1", ", was " + p, "faults");
                sum += p;
            }
            checkValue(sum <= 1 + 1e-9, "%s must add up to at most 1", ", was " + sum, "faults");
            check(serverStallEvery.isZero() || serverStallFor.compareTo(serverStallEvery) < 0,
                    "%s must be shorter than %s", "faults.server_stall_for", "faults.server_stall_every");
        }

        public static Faults none() {
            return new Faults(0, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(5), 0, 0, Duration.ofSeconds(3), 0, Duration.ZERO, Duration.ZERO);
        }
    }

    /**
     * Drift: every latency is multiplied by (1 + latencyPerHour × hours elapsed); load waves take up
     * to {@code waveDepth} of the batch slots over a period of {@code waveEvery}; error bursts of
     * {@code burstFor} every {@code burstEvery} fail {@code burstErrorRate} of requests. Drift runs
     * on a clock {@code timeCompression} times faster than real time, so that a test can rehearse
     * hours in seconds.
     */
    public record Drift(double latencyPerHour, Duration waveEvery, double waveDepth, Duration burstEvery, Duration burstFor,
                        double burstErrorRate, double timeCompression) {
        public Drift {
            required(waveEvery, "drift.wave_every");
            required(burstEvery, "drift.burst_every");
            required(burstFor, "drift.burst_for");
            checkValue(latencyPerHour >= -0.99, "%s must be above -0.99 (-99%% per hour)", ", was " + latencyPerHour, "drift.latency_per_hour");
            checkValue(waveDepth >= 0 && waveDepth <= 1, "%s must be within 0..1", ", was " + waveDepth, "drift.wave_depth");
            checkValue(burstErrorRate >= 0 && burstErrorRate <= 1, "%s must be within 0..1", ", was " + burstErrorRate, "drift.burst_error_rate");
            check(burstEvery.isZero() || burstFor.compareTo(burstEvery) < 0, "%s must be shorter than %s", "drift.burst_for", "drift.burst_every");
            checkValue(timeCompression > 0, "%s must be positive", ", was " + timeCompression, "drift.time_compression");
        }

        public static Drift none() {
            return new Drift(0, Duration.ZERO, 0, Duration.ZERO, Duration.ZERO, 0, 1);
        }
    }

    /** The settings every embedded endpoint has, as {@code run.json} names them. */
    private static final String[] REQUIRED = {"host", "model", "latency", "replies", "serving", "caching", "limits", "faults", "drift", "probes"};

    public SimConfig {
        Object[] given = {host, model, latency, replies, serving, caching, limits, faults, drift, probes};
        for (int i = 0; i < given.length; i++) {
            required(given[i], REQUIRED[i]);
        }
        checkValue(port >= 0 && port <= 65535, "%s must be between 0 and 65535", ", was " + port, "port");
        checkValue(ioThreads >= 0, "%s must not be negative", ", was " + ioThreads, "io_threads");
    }

    /** A builder holding the {@code default} profile. */
    public static Builder builder() {
        return SimProfiles.get(SimProfiles.DEFAULT);
    }

    /** The {@code default} profile. */
    public static SimConfig defaults() {
        return builder().build();
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The same configuration on another port. */
    public SimConfig withPort(int newPort) {
        return toBuilder().port(newPort).build();
    }

    /** The same configuration with another seed. */
    public SimConfig withSeed(long newSeed) {
        return toBuilder().seed(newSeed).build();
    }

    /** Time to first token planned for an idle endpoint and an uncached prompt, before jitter and drift. */
    public Duration plannedTtft(long promptTokens) {
        return latency.base().plusNanos((long) (promptTokens * 1e9 / latency.prefillTokensPerSecond()));
    }

    /** Planned gap between tokens of a lone stream at small context, before jitter and drift. */
    public Duration plannedItl() {
        return Duration.ofNanos((long) (1e9 / latency.decodeTokensPerSecond()));
    }

    @Override
    public String toString() {
        return "SimConfig[profile=" + profile + ", host=" + host + ", port=" + port + ", seed=" + seed + ", model=" + model
                + ", apiKey=" + (apiKey == null ? "none" : "(set)") + ", ioThreads=" + ioThreads + ", " + latency + ", " + replies
                + ", " + serving + ", " + caching + ", " + limits + ", " + faults + ", " + drift + ", " + probes + "]";
    }

    /** Builder for {@link SimConfig}: starts from a profile; every setter overrides one parameter. */
    public static final class Builder {
        private String profile;
        private String host = "127.0.0.1";
        private int port;
        private long seed = 1;
        private String model = "soaklab-sim";
        private String apiKey;
        private int ioThreads;
        private Latency latency;
        private Replies replies;
        private Serving serving;
        private Caching caching;
        private Limits limits = new Limits(0, 0, 0, 0);
        private Faults faults = Faults.none();
        private Drift drift = Drift.none();
        private Probes probes = Probes.standard();

        Builder(String profile, Latency latency, Replies replies, Serving serving, Caching caching) {
            this.profile = profile;
            this.latency = latency;
            this.replies = replies;
            this.serving = serving;
            this.caching = caching;
        }

        private Builder(SimConfig c) {
            this(c.profile, c.latency, c.replies, c.serving, c.caching);
            host = c.host;
            port = c.port;
            seed = c.seed;
            model = c.model;
            apiKey = c.apiKey;
            ioThreads = c.ioThreads;
            limits = c.limits;
            faults = c.faults;
            drift = c.drift;
            probes = c.probes;
        }

        Builder profile(String name) {
            this.profile = name;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        public Builder latency(Latency latency) {
            this.latency = latency;
            return this;
        }

        public Builder replies(Replies replies) {
            this.replies = replies;
            return this;
        }

        public Builder serving(Serving serving) {
            this.serving = serving;
            return this;
        }

        public Builder caching(Caching caching) {
            this.caching = caching;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder faults(Faults faults) {
            this.faults = faults;
            return this;
        }

        public Builder drift(Drift drift) {
            this.drift = drift;
            return this;
        }

        public Builder probes(Probes probes) {
            this.probes = probes;
            return this;
        }

        public Builder baseLatency(Duration base) {
            latency = new Latency(base, latency.prefillTokensPerSecond(), latency.decodeTokensPerSecond(), latency.jitter(),
                    latency.cachedPrefillFraction());
            return this;
        }

        public Builder prefillTokensPerSecond(double rate) {
            latency = new Latency(latency.base(), rate, latency.decodeTokensPerSecond(), latency.jitter(), latency.cachedPrefillFraction());
            return this;
        }

        public Builder decodeTokensPerSecond(double rate) {
            latency = new Latency(latency.base(), latency.prefillTokensPerSecond(), rate, latency.jitter(), latency.cachedPrefillFraction());
            return this;
        }

        public Builder jitter(double jitter) {
            latency = new Latency(latency.base(), latency.prefillTokensPerSecond(), latency.decodeTokensPerSecond(), jitter,
                    latency.cachedPrefillFraction());
            return this;
        }

        public Builder outputTokensMedian(int tokens) {
            replies = new Replies(tokens, replies.outputTokensSigma(), replies.outputTokensMax(), replies.reasoningTokensMedian(),
                    replies.reasoningVisible(), replies.toolCallProbability());
            return this;
        }

        public Builder outputTokensSigma(double sigma) {
            replies = new Replies(replies.outputTokensMedian(), sigma, replies.outputTokensMax(), replies.reasoningTokensMedian(),
                    replies.reasoningVisible(), replies.toolCallProbability());
            return this;
        }

        public Builder outputTokensMax(int tokens) {
            replies = new Replies(replies.outputTokensMedian(), replies.outputTokensSigma(), tokens, replies.reasoningTokensMedian(),
                    replies.reasoningVisible(), replies.toolCallProbability());
            return this;
        }

        public Builder reasoningTokensMedian(int tokens, boolean visible) {
            replies = new Replies(replies.outputTokensMedian(), replies.outputTokensSigma(), replies.outputTokensMax(), tokens,
                    visible, replies.toolCallProbability());
            return this;
        }

        public Builder toolCallProbability(double p) {
            replies = new Replies(replies.outputTokensMedian(), replies.outputTokensSigma(), replies.outputTokensMax(),
                    replies.reasoningTokensMedian(), replies.reasoningVisible(), p);
            return this;
        }

        public Builder maxBatch(int slots) {
            serving = new Serving(slots, serving.maxQueue(), serving.batchSlowdown(), serving.contextSlowdown(), serving.contextWindow());
            return this;
        }

        public Builder maxQueue(int requests) {
            serving = new Serving(serving.maxBatch(), requests, serving.batchSlowdown(), serving.contextSlowdown(), serving.contextWindow());
            return this;
        }

        public Builder slowdown(double perExtraStream, double per10kContext) {
            serving = new Serving(serving.maxBatch(), serving.maxQueue(), perExtraStream, per10kContext, serving.contextWindow());
            return this;
        }

        /** How much slower every stream decodes per other stream decoding beside it; the context's slowdown kept. */
        public Builder batchSlowdown(double perExtraStream) {
            return slowdown(perExtraStream, serving.contextSlowdown());
        }

        public Builder contextWindow(int tokens) {
            serving = new Serving(serving.maxBatch(), serving.maxQueue(), serving.batchSlowdown(), serving.contextSlowdown(), tokens);
            return this;
        }

        public Builder timeCompression(double factor) {
            drift = new Drift(drift.latencyPerHour(), drift.waveEvery(), drift.waveDepth(), drift.burstEvery(), drift.burstFor(),
                    drift.burstErrorRate(), factor);
            return this;
        }

        public SimConfig build() {
            return new SimConfig(profile, host, port, seed, model, apiKey, ioThreads, latency, replies, serving, caching, limits,
                    faults, drift, probes);
        }
    }
}
