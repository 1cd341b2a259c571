package io.soaklab.sim;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Duration;
import java.util.Objects;

/**
 * The embedded endpoint's latency model and identity. Every parameter has a documented default;
 * with the same {@code seed}, the same request gets the same reply and the same timing plan.
 *
 * <p>For a request of {@code P} prompt tokens the endpoint sends response headers after
 * {@code baseLatency}, the first token after {@code baseLatency + P / prefillTokensPerSecond}, and
 * each later token {@code 1 / decodeTokensPerSecond} after the previous one. The reply has a
 * log-normal number of tokens (median {@code outputTokensMedian}, log-space standard deviation
 * {@code outputTokensSigma}), capped by {@code outputTokensMax} and the request's own cap. Each delay
 * is multiplied by a factor drawn uniformly from {@code [1 - jitter, 1 + jitter]}.
 *
 * <pre>{@code
 * SimConfig sim = SimConfig.builder().prefillTokensPerSecond(50_000).decodeTokensPerSecond(80).build();
 * try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(sim)) { ... endpoint.baseUrl() ... }
 * }</pre>
 *
 * @param host                   address to bind; loopback unless you mean otherwise
 * @param port                   port to bind, 0 for a free one
 * @param seed                   seeds every random draw
 * @param model                  model name reported when a request names none
 * @param apiKey                 when set, requests must carry it as a bearer token (never written to files)
 * @param baseLatency            queueing and network overhead before anything happens
 * @param prefillTokensPerSecond prompt processing rate
 * @param decodeTokensPerSecond  output rate of one stream
 * @param outputTokensMedian     median reply length
 * @param outputTokensSigma      spread of reply lengths (log-normal sigma; 0 = always the median)
 * @param outputTokensMax        longest reply ever produced
 * @param jitter                 relative spread of every delay (0 = exact)
 * @param ioThreads              event-loop threads, 0 for one per core
 */
public record SimConfig(
        String host,
        int port,
        long seed,
        String model,
        @JsonIgnore String apiKey,
        Duration baseLatency,
        double prefillTokensPerSecond,
        double decodeTokensPerSecond,
        int outputTokensMedian,
        double outputTokensSigma,
        int outputTokensMax,
        double jitter,
        int ioThreads) {

    public SimConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(baseLatency, "baseLatency");
        check(port >= 0 && port <= 65535, "port must be 0..65535, was " + port);
        check(!baseLatency.isNegative(), "base latency must not be negative");
        check(prefillTokensPerSecond > 0, "prefill rate must be positive, was " + prefillTokensPerSecond);
        check(decodeTokensPerSecond > 0, "decode rate must be positive, was " + decodeTokensPerSecond);
        check(outputTokensMedian >= 1, "median output tokens must be at least 1, was " + outputTokensMedian);
        check(outputTokensSigma >= 0 && outputTokensSigma <= 3, "output-token sigma must be within 0..3, was " + outputTokensSigma);
        check(outputTokensMax >= 1, "max output tokens must be at least 1, was " + outputTokensMax);
        check(jitter >= 0 && jitter < 1, "jitter must be within [0, 1), was " + jitter);
        check(ioThreads >= 0, "io threads must not be negative");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A builder holding the defaults: a hosted API with moderate speed. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static SimConfig defaults() {
        return builder().build();
    }

    /** The same configuration on another port. */
    public SimConfig withPort(int newPort) {
        return new SimConfig(host, newPort, seed, model, apiKey, baseLatency, prefillTokensPerSecond,
                decodeTokensPerSecond, outputTokensMedian, outputTokensSigma, outputTokensMax, jitter, ioThreads);
    }

    /** The same configuration with another seed. */
    public SimConfig withSeed(long newSeed) {
        return new SimConfig(host, port, newSeed, model, apiKey, baseLatency, prefillTokensPerSecond,
                decodeTokensPerSecond, outputTokensMedian, outputTokensSigma, outputTokensMax, jitter, ioThreads);
    }

    /** Time to first token the model plans for a prompt, before jitter. */
    public Duration plannedTtft(long promptTokens) {
        return baseLatency.plusNanos((long) (promptTokens * 1e9 / prefillTokensPerSecond));
    }

    /** Planned gap between tokens, before jitter. */
    public Duration plannedItl() {
        return Duration.ofNanos((long) (1e9 / decodeTokensPerSecond));
    }

    @Override
    public String toString() {
        return "SimConfig[host=" + host + ", port=" + port + ", seed=" + seed + ", model=" + model
                + ", apiKey=" + (apiKey == null ? "none" : "(set)") + ", baseLatency=" + baseLatency
                + ", prefillTokensPerSecond=" + prefillTokensPerSecond + ", decodeTokensPerSecond=" + decodeTokensPerSecond
                + ", outputTokensMedian=" + outputTokensMedian + ", outputTokensSigma=" + outputTokensSigma
                + ", outputTokensMax=" + outputTokensMax + ", jitter=" + jitter + ", ioThreads=" + ioThreads + "]";
    }

    /** Builder for {@link SimConfig}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private long seed = 1;
        private String model = "soaklab-sim";
        private String apiKey;
        private Duration baseLatency = Duration.ofMillis(150);
        private double prefillTokensPerSecond = 20_000;
        private double decodeTokensPerSecond = 60;
        private int outputTokensMedian = 150;
        private double outputTokensSigma = 0.5;
        private int outputTokensMax = 4096;
        private double jitter = 0.1;
        private int ioThreads;

        private Builder() {
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

        public Builder baseLatency(Duration baseLatency) {
            this.baseLatency = baseLatency;
            return this;
        }

        public Builder prefillTokensPerSecond(double rate) {
            this.prefillTokensPerSecond = rate;
            return this;
        }

        public Builder decodeTokensPerSecond(double rate) {
            this.decodeTokensPerSecond = rate;
            return this;
        }

        public Builder outputTokensMedian(int tokens) {
            this.outputTokensMedian = tokens;
            return this;
        }

        public Builder outputTokensSigma(double sigma) {
            this.outputTokensSigma = sigma;
            return this;
        }

        public Builder outputTokensMax(int tokens) {
            this.outputTokensMax = tokens;
            return this;
        }

        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        public SimConfig build() {
            return new SimConfig(host, port, seed, model, apiKey, baseLatency, prefillTokensPerSecond,
                    decodeTokensPerSecond, outputTokensMedian, outputTokensSigma, outputTokensMax, jitter, ioThreads);
        }
    }
}
