package io.soaklab.run;

import static io.soaklab.internal.text.InvalidSetting.check;
import static io.soaklab.internal.text.InvalidSetting.checkValue;
import static io.soaklab.internal.text.InvalidSetting.required;

import io.soaklab.internal.text.InvalidSetting;
import io.soaklab.internal.run.Slo;
import io.soaklab.internal.text.Durations;
import io.soaklab.internal.cost.Billing;
import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Tariff;
import java.math.BigDecimal;
import java.nio.file.Path;
import io.soaklab.load.Arrivals;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.Timeouts;
import io.soaklab.scenario.Scenarios;
import io.soaklab.sim.SimConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything that defines a soak run, as recorded in {@code run.json}, in five groups: the
 * {@linkplain Workload workload}, its {@linkplain Schedule schedule}, the {@linkplain Target endpoint} it
 * goes to, its {@linkplain Pricing pricing}, and the objectives the report holds it to. Each group
 * validates itself; a message names the setting as {@code run.json} does. It never holds a secret:
 * only the name of the environment variable that holds the API key.
 *
 * <pre>{@code
 * RunConfig config = RunConfig.builder()
 *         .concurrency(16).duration(Duration.ofSeconds(30)).window(Duration.ofSeconds(5))
 *         .build();
 * int users = config.workload().concurrency();
 * }</pre>
 *
 * @param workload what runs, and how many at once
 * @param schedule how long, in which windows, and when a run stops by itself
 * @param target   where the load goes and how a call is made
 * @param pricing  what the run's tokens cost, and the most it may spend
 * @param slo      service-level objectives the report holds the run to, e.g. {@code ttft.p99=2s,errors=1%}
 *                 ({@link Slo}); null for none
 * @param observe  what else is watched and published while the run runs: the server's own metrics, a live endpoint
 * @param shard    which share of the load this process runs, when several machines run one soak ({@link Shard#WHOLE}: all of it)
 * @param sweep    a capacity sweep's search ({@code soaklab sweep}); null for a soak at one level
 */
public record RunConfig(Workload workload, Schedule schedule, Target target, Pricing pricing, String slo, Observe observe, Shard shard,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Sweep sweep) {

    /** The model the embedded endpoint's tokens are priced as, unless {@code --price-as} says otherwise. */
    public static final String EMBEDDED_PRICE_AS = "gpt-5.4-mini";
    /**
     * The same for a run of the Anthropic protocol: an Anthropic model, so that its cache writes
     * are billed as Anthropic bills them (1.25x and 2x input), not at an OpenAI model's input price.
     */
    public static final String EMBEDDED_ANTHROPIC_PRICE_AS = "claude-haiku-4-5";
    /** {@code --price-as none}: the run is not priced. */
    public static final String UNPRICED = "none";

    /** Shortest window accepted. */
    public static final Duration MIN_WINDOW = Duration.ofMillis(100);

    public RunConfig {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(pricing, "pricing");
        if (observe == null) {
            observe = Observe.NONE; // a run folder written before the group existed
        }
        if (shard == null) {
            shard = Shard.WHOLE; // a run folder written before soaks were sharded
        }
        if (shard.count() > 1 && !workload.open()) {
            checkValue(workload.concurrency() >= shard.count(), "%s must be at least the number of shards (each shard runs users I, I+N, ...)",
                    ", was " + workload.concurrency() + " for " + shard.count() + " shards", "concurrency");
        }
        if (sweep != null) {
            check(!shard.sharded() && shard.startAt() == null, "%s cannot be sharded: its stages follow from what it measured", "sweep");
            checkValue(sweep.kind() == Sweep.Kind.USERS ? !workload.open() : workload.open(), "%s must match the load",
                    ": a sweep of " + sweep.kind().wireName() + " runs " + (sweep.kind() == Sweep.Kind.USERS ? "a closed" : "an open") + " load", "sweep");
            check(slo != null && !slo.isBlank(), "%s needs objectives (slo): the load sustained is the load that meets them", "sweep");
            check(!Scenarios.isReplay(workload.scenario()), "%s runs a scenario's episodes, not a replay: its load comes from the recording", "sweep");
        }
    }

    /** The same soak, started as one more shard or none ({@code soaklab merge} writes the whole soak's). */
    public RunConfig withShard(Shard newShard) {
        return new RunConfig(workload, schedule, target, pricing, slo, observe, newShard, sweep);
    }

    /** The same run as a capacity sweep's ({@link Sweep}), or as a soak at one level when {@code newSweep} is null. */
    public RunConfig withSweep(Sweep newSweep) {
        return new RunConfig(workload, schedule, target, pricing, slo, observe, shard, newSweep);
    }

    /**
     * A capacity sweep: stages of one load level each inside one run, the next level chosen from
     * what the last stages measured (a geometric ladder up from {@code from} until a stage misses
     * an objective, then bisection of the bracket), until the bracket is tight, the time (the
     * schedule's duration) or spend budget is spent, or a stage says searching on is pointless.
     * Each stage is a level change, {@code settle} left out (the ramp-up included), then
     * {@code stageWindows} measured windows; every window is a window of the run, and
     * {@code sweep.jsonl} says which stage each belongs to.
     *
     * @param kind         what is swept: concurrent users (closed load) or arrivals a second (open load)
     * @param from         the lowest level, where the search starts
     * @param to           the highest level it may try
     * @param factor       the ladder's step: each stage's level is the last one's times this until one misses
     * @param precision    the bracket is tight once its top is within this fraction above its bottom (users: or one apart)
     * @param settle       left out after each change of level, rounded up to whole windows
     * @param stageWindows measured windows per stage: the objectives' confidence intervals come from them
     */
    public record Sweep(Kind kind, double from, double to, double factor, double precision, Duration settle, int stageWindows) {

        /** What a sweep varies. */
        public enum Kind {
            /** Concurrent users of a closed load. */
            @com.fasterxml.jackson.annotation.JsonProperty("users") USERS,
            /** Arrivals a second of an open load. */
            @com.fasterxml.jackson.annotation.JsonProperty("rate") RATE;

            /** As run.json writes it. */
            public String wireName() {
                return this == USERS ? "users" : "rate";
            }
        }

        public Sweep {
            required(kind, "sweep.kind");
            checkValue(from > 0 && Double.isFinite(from), "%s must be positive", ", was " + from, "sweep.from");
            checkValue(to >= from && Double.isFinite(to), "%s must be at least sweep.from", ", was " + to + " < " + from, "sweep.to");
            if (kind == Kind.USERS) {
                checkValue(from == Math.rint(from) && to == Math.rint(to) && to <= 100_000, "%s must be whole numbers of users up to 100000",
                        ", was " + from + ".." + to, "sweep range");
            } else {
                checkValue(to <= 100_000, "%s must be at most 100000/s", ", was " + to, "sweep.to");
            }
            checkValue(factor > 1 && factor <= 16, "%s must be above 1 and at most 16", ", was " + factor, "factor");
            checkValue(precision > 0 && precision < 1, "%s must be between 0 and 1 (exclusive)", ", was " + precision, "precision");
            notNegative(required(settle, "settle"), "settle");
            checkValue(stageWindows >= 2 && stageWindows <= 1000, "%s must be between 2 and 1000", ", was " + stageWindows, "stage_windows");
        }

        /** Windows left out after a change of level: the ramp-up and the settling time, rounded up to whole windows, at least one. */
        public int settleWindows(Duration window, Duration rampUp) {
            long w = window.toNanos();
            return (int) Math.max(1, (settle.plus(rampUp).toNanos() + w - 1) / w); // at least one: the level changes in the window open then
        }

        /** A level as the user writes it: {@code 96 users}, {@code 12.5/s}. */
        public String level(double level) {
            return kind == Kind.USERS ? Math.round(level) + (Math.round(level) == 1 ? " user" : " users")
                    : new BigDecimal(level).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString() + "/s";
        }

        /** A level rounded as the sweep runs it: whole users; arrival rates to three significant digits. */
        public double round(double level) {
            return kind == Kind.USERS ? Math.rint(level) : new BigDecimal(level).round(new java.math.MathContext(3)).doubleValue();
        }
    }

    /**
     * Which share of a soak one process runs, when several machines (a Kubernetes Indexed Job's pods)
     * run it together, and when they all begin. Shard {@code index} of {@code count} runs the users
     * {@code index, index + count, ...} of a closed load, or every {@code count}-th arrival of the
     * open load's one schedule (the same seed gives every shard the same schedule): no arrival is
     * run twice or skipped, and user and episode numbers are the whole soak's. Each shard writes a
     * normal run folder; {@code soaklab merge} makes them one.
     *
     * @param index   this shard, from 0
     * @param count   shards in the soak; 1 for a soak on one machine
     * @param startAt when the load starts (every shard the same instant, so that window k of each covers the same
     *                wall-clock time); null to start at once
     */
    public record Shard(int index, int count, java.time.Instant startAt) {

        /** The whole soak, on one machine, started at once. */
        public static final Shard WHOLE = new Shard(0, 1, null);

        /** Most shards one soak may have. */
        public static final int MAX_SHARDS = 10_000;

        public Shard {
            checkValue(count >= 1 && count <= MAX_SHARDS, "%s must be between 1 and " + MAX_SHARDS, ", was " + count, "shard count");
            checkValue(index >= 0 && index < count, "%s must be from 0 to the shard count less one", ", was " + index + " of " + count,
                    "shard index");
        }

        /** True when this process runs a share of a soak, not all of it. */
        public boolean sharded() {
            return count > 1;
        }

        /** Whether user or arrival {@code n} (numbered in the whole soak) is this shard's. */
        public boolean owns(long n) {
            return Math.floorMod(n, count) == index;
        }

        /** How many of {@code total} users (or episodes in flight) are this shard's. */
        public int share(int total) {
            return (int) ((total - index + count - 1L) / count);
        }

        /** As {@code soaklab run --shard} takes it, e.g. {@code 2/8}. */
        @Override
        public String toString() {
            return index + "/" + count;
        }
    }

    /**
     * The workload: which agent scenario, and a closed load of users or an open load of arrivals.
     *
     * @param scenario     built-in scenario name, the path of a scenario YAML file, or {@code replay:FILE} (a trace replayed)
     * @param concurrency  concurrent users (closed load)
     * @param arrival      open load: when episodes arrive ({@link io.soaklab.load.Arrivals}), or
     *                     {@code null} for a closed load of {@code concurrency} users
     * @param thinkTime    closed load: pause between a user's episodes
     * @param rampUp       users start, or the arrival rate rises, over this time; it is part of the
     *                     warmup and never measured
     * @param maxInFlight  open load: most episodes running at once
     * @param errorBackoff closed load: extra pause after a failed episode before the user's next
     * @param seed         seeds every random choice of the workload (and of the embedded endpoint)
     */
    public record Workload(String scenario, int concurrency, String arrival, Duration thinkTime, Duration rampUp, int maxInFlight,
                       Duration errorBackoff, long seed) {
        public Workload {
            required(scenario, "scenario");
            checkValue(concurrency >= 1 && concurrency <= 100_000, "%s must be between 1 and 100000", ", was " + concurrency, "concurrency");
            notNegative(required(thinkTime, "think_time"), "think_time");
            notNegative(required(rampUp, "ramp_up"), "ramp_up");
            checkValue(maxInFlight >= 1 && maxInFlight <= 100_000, "%s must be between 1 and 100000", ", was " + maxInFlight, "max_in_flight");
            notNegative(required(errorBackoff, "error_backoff"), "error_backoff");
            if (arrival != null) {
                arrival = arrival.strip();
            }
        }

        /** True for an open load (episodes arriving at a rate). */
        public boolean open() {
            return arrival != null;
        }

        /** The scenario's name: the built-in's, or the one its file gives. */
        public String scenarioName() {
            return Scenarios.isFile(scenario) || Scenarios.isReplay(scenario) ? Scenarios.resolve(scenario).name() : scenario;
        }
    }

    /**
     * When the run measures, and when it stops by itself.
     *
     * @param duration         measured time; rounded up to whole windows
     * @param window           length of one measurement window (one JMH iteration); a run shorter
     *                         than one window is one window
     * @param warmup           warmup before measuring (one JMH warmup iteration), zero for none
     * @param forks            JMH forks: 1 runs the load in its own JVM, 0 in the launcher's
     * @param maxFailedWindows end the run as {@link RunStatus#FAILED} once every call sent has failed in this many
     *                         measured windows in a row (a dead or refusing endpoint; warmup windows and windows in
     *                         which no sent call ended do not count); 0 never does
     */
    public record Schedule(Duration duration, Duration window, Duration warmup, int forks, int maxFailedWindows) {
        public Schedule {
            required(duration, "duration");
            required(window, "window");
            check(!duration.isNegative() && !duration.isZero(), "%s must be positive", "duration");
            checkValue(window.compareTo(MIN_WINDOW) >= 0, "%s must be at least", " " + Durations.format(MIN_WINDOW), "window");
            notNegative(required(warmup, "warmup"), "warmup");
            checkValue(forks == 0 || forks == 1, "%s must be 0 or 1", ", was " + forks, "forks");
            checkValue(maxFailedWindows >= 0, "%s must not be negative", ", was " + maxFailedWindows, "max_failed_windows");
            if (window.compareTo(duration) > 0) {
                window = duration;
            }
        }

        /** Measurement windows: the duration divided by the window, rounded up. */
        public int windows() {
            long w = window.toNanos();
            return (int) Math.max(1, (duration.toNanos() + w - 1) / w);
        }

        /** Measured time actually planned: whole windows. */
        public Duration measuredTime() {
            return window.multipliedBy(windows());
        }
    }

    /**
     * Where the load goes and how each call is made.
     *
     * @param endpoint       API root of a remote endpoint, or {@code null} for the embedded one
     * @param api            the protocol: OpenAI Chat Completions or Anthropic Messages
     * @param model          model name sent with each request (the embedded endpoint's when null)
     * @param apiKeyEnv      name of the environment variable holding the API key, or {@code null}
     * @param maxTokensField {@code max_tokens}, {@code max_completion_tokens}, or {@code null} to choose by host
     * @param timeouts       how long a call may take, phase by phase
     * @param sim            the embedded endpoint's model (used when {@code endpoint} is null)
     */
    public record Target(URI endpoint, Api api, String model, String apiKeyEnv, String maxTokensField, Timeouts timeouts, SimConfig sim) {
        public Target {
            required(api, "api");
            required(sim, "sim");
            required(timeouts, "timeouts");
            if (endpoint != null) {
                String s = endpoint.getScheme();
                checkValue(s != null && (s.equals("http") || s.equals("https")) && endpoint.getHost() != null,
                        "%s must be an http:// or https:// URL with a host", ", was '" + endpoint + "'", "endpoint");
                check(model != null && !model.isBlank(), "%s is required with %s", "model", "endpoint");
            }
            if (model == null || model.isBlank()) {
                model = sim.model();
            }
            // Validates the client settings now, not in the forked load generator.
            client(endpoint == null ? URI.create("http://127.0.0.1/v1") : endpoint, null, model, maxTokensField, timeouts);
        }

        /** True when the run uses the embedded endpoint. */
        public boolean embedded() {
            return endpoint == null;
        }

        /** The client settings for calls to {@code baseUrl} with {@code apiKey}. */
        public ClientConfig clientConfig(URI baseUrl, String apiKey) {
            return client(baseUrl, apiKey, model, maxTokensField, timeouts);
        }

        private static ClientConfig client(URI baseUrl, String apiKey, String model, String maxTokensField, Timeouts timeouts) {
            return ClientConfig.builder(baseUrl).model(model).apiKey(apiKey).maxTokensField(maxTokensField).timeouts(timeouts).build();
        }
    }

    /**
     * What the run's tokens cost.
     *
     * @param priceAs  the catalog model whose prices the run's tokens are billed at; null: the run's
     *                 model (for the embedded endpoint, {@link #EMBEDDED_PRICE_AS}, or for its Anthropic protocol
     *                 {@link #EMBEDDED_ANTHROPIC_PRICE_AS}); {@code none}: no prices
     * @param prices   a price file of one's own, on top of soaklab's list prices, or null
     * @param billing  the service tier (standard, batch, flex, priority) and regional uplift
     * @param maxSpend stop the run before its spend passes this, in the catalog's currency; null for no limit
     */
    public record Pricing(String priceAs, Path prices, Billing billing, BigDecimal maxSpend) {
        public Pricing {
            required(billing, "billing");
            check(maxSpend == null || maxSpend.signum() > 0, "%s must be above zero", "max_spend");
        }
    }

    /**
     * What is watched and published beside the load.
     *
     * @param serverMetrics  Prometheus endpoints of the server scraped through the run ({@code --server-metrics}); empty for none
     * @param serverMetricsAuto also try the endpoint's own {@code /metrics} (same host and port), quietly: one line if it has none
     * @param scrapeInterval how often the server's metrics are scraped
     * @param metricsPort    the port soaklab's own live metrics are served on ({@code --metrics-port}; 0: any free port), -1 for none
     * @param metricsHost    the address they are served on: loopback unless asked ({@code 0.0.0.0} for a Prometheus elsewhere)
     * @param otlpEndpoint   an OpenTelemetry collector the episodes' traces are sent to over OTLP/HTTP ({@code --otlp-endpoint}: its
     *                       root, or its {@code /v1/traces} URL), or null (then {@code OTEL_EXPORTER_OTLP_ENDPOINT}, if set)
     * @param traceFile      whether the traces are written into the run folder too ({@code traces.jsonl}, OTLP/JSON)
     * @param traceSample    the fraction of episodes traced, 0 to 1, each whole (null: every one)
     * @param traceContent   whether a trace carries each call's prompt and reply ({@code gen_ai.input.messages}, off by default)
     * @param recordRequestsMb keep every request sent in {@code requests.jsonl.gz}, up to this many MiB of file
     *                       ({@code --record-requests}); 0 for none
     */
    public record Observe(java.util.List<URI> serverMetrics, boolean serverMetricsAuto, Duration scrapeInterval, int metricsPort, String metricsHost,
                          URI otlpEndpoint, boolean traceFile, Double traceSample, boolean traceContent, long recordRequestsMb) {

        /** Nothing watched, nothing published. */
        public static final Observe NONE = new Observe(java.util.List.of(), false, Duration.ofSeconds(1), -1, "127.0.0.1", null, false, null, false, 0);

        public Observe {
            serverMetrics = serverMetrics == null ? java.util.List.of() : java.util.List.copyOf(serverMetrics);
            for (URI u : serverMetrics) {
                checkValue(u.isAbsolute() && ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null,
                        "%s must be http:// or https:// addresses", ", was " + u, "server_metrics");
            }
            if (scrapeInterval == null) {
                scrapeInterval = Duration.ofSeconds(1);
            }
            checkValue(scrapeInterval.compareTo(Duration.ofMillis(100)) >= 0 && scrapeInterval.compareTo(Duration.ofHours(1)) <= 0,
                    "%s must be between 100ms and 1h", ", was " + Durations.format(scrapeInterval), "scrape_interval");
            checkValue(metricsPort >= -1 && metricsPort <= 65_535, "%s must be a port (0 for any free one)", ", was " + metricsPort, "metrics_port");
            if (metricsHost == null || metricsHost.isBlank()) {
                metricsHost = "127.0.0.1";
            }
            checkValue(recordRequestsMb >= 0, "%s must not be negative", ", was " + recordRequestsMb, "record_requests_mb");
            if (otlpEndpoint != null) {
                String scheme = otlpEndpoint.getScheme();
                checkValue(("http".equals(scheme) || "https".equals(scheme)) && otlpEndpoint.getHost() != null,
                        "%s must be an http:// or https:// URL with a host", ", was '" + otlpEndpoint + "'", "otlp_endpoint");
            }
            if (traceSample == null) {
                traceSample = 1.0; // a run.json from before tracing: every episode, were it traced
            }
            checkValue(traceSample >= 0 && traceSample <= 1, "%s must be between 0 and 1", ", was " + traceSample, "trace_sample");
        }

        /** Whether every request sent is kept. */
        public boolean recordsRequests() {
            return recordRequestsMb > 0;
        }

        /** The fraction of episodes traced. */
        public double sample() {
            return traceSample;
        }

        /** Whether the server's metrics are scraped at all. */
        public boolean scrapes() {
            return serverMetricsAuto || !serverMetrics.isEmpty();
        }

        /** Whether soaklab serves its own live metrics. */
        public boolean publishes() {
            return metricsPort >= 0;
        }
    }

    private static void notNegative(Duration value, String setting) {
        check(!value.isNegative(), "%s must not be negative", setting);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model whose prices bill this run, or {@code none}. */
    public String pricedAs() {
        if (pricing.priceAs != null) {
            return pricing.priceAs;
        }
        if (!target.embedded()) {
            return target.model;
        }
        return target.api == Api.ANTHROPIC ? EMBEDDED_ANTHROPIC_PRICE_AS : EMBEDDED_PRICE_AS;
    }

    /**
     * This configuration with the model its tokens are priced as written out (the default for its
     * endpoint resolved): what {@code run.json} keeps, so that a later change of default never
     * re-prices a run folder.
     */
    public RunConfig pricingResolved() {
        return pricing.priceAs != null ? this : new RunConfig(workload, schedule, target,
                new Pricing(pricedAs(), pricing.prices, pricing.billing, pricing.maxSpend), slo, observe, shard, sweep);
    }

    /** The run's tariff at today's prices, or null when it is not priced ({@code --price-as none}). */
    public Tariff tariff(PriceCatalog catalog) {
        return tariff(catalog, PriceCatalog.today());
    }

    /** The run's tariff at the prices in force on {@code day} (the run's), or null when it is not priced. */
    public Tariff tariff(PriceCatalog catalog, java.time.LocalDate day) {
        return UNPRICED.equals(pricedAs()) ? null : catalog.tariff(pricedAs(), pricing.billing, day);
    }

    /**
     * How much shorter than a window each JMH iteration is asked to be when the run starts at a
     * given instant ({@code --start-at}): each window then waits for its place on the grid of
     * windows counted from that instant, so that the few milliseconds every iteration's end and
     * start take never add up over a night, and shards' windows stay together. Windows still tile
     * time: the wait belongs to the window after it. Zero when the run starts at once.
     */
    public Duration alignSlack() {
        if (shard.startAt() == null) {
            return Duration.ZERO;
        }
        Duration twentieth = schedule.window.dividedBy(20);
        return twentieth.compareTo(Duration.ofMillis(50)) < 0 ? twentieth : Duration.ofMillis(50);
    }

    /** Time before measuring: the ramp-up, then the warmup. */
    public Duration settling() {
        return workload.rampUp.plus(schedule.warmup);
    }

    /**
     * How long JMH may wait for an iteration: one window plus the longest call it may have to
     * wait for, plus a minute; JMH's own default of 10 minutes is too short for long windows.
     */
    public Duration iterationTimeout() {
        Duration longestCall = target.timeouts.call().isZero() ? Duration.ofHours(1) : target.timeouts.call();
        return schedule.window.plus(longestCall).plusMinutes(1);
    }

    /** Builder for {@link RunConfig}: its settings one by one, holding the defaults of {@code soaklab run}. */
    public static final class Builder {
        private String scenario = "coding-agent";
        private int concurrency = 8;
        private String arrival;
        private Duration thinkTime = Duration.ZERO;
        private Duration rampUp = Duration.ZERO;
        private int maxInFlight = 1000;
        private Duration duration = Duration.ofMinutes(10);
        private Duration window = Duration.ofSeconds(60);
        private Duration warmup = Duration.ZERO;
        private long seed = 1;
        private URI endpoint;
        private Api api = Api.OPENAI;
        private String model;
        private String apiKeyEnv;
        private String maxTokensField;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private Duration errorBackoff = Duration.ofSeconds(1);
        private SimConfig sim = SimConfig.defaults();
        private String priceAs;
        private Path prices;
        private Billing billing = Billing.STANDARD;
        private BigDecimal maxSpend;
        private String slo;
        private int forks = 1;
        private int maxFailedWindows = 3;
        private java.util.List<URI> serverMetrics = java.util.List.of();
        private boolean serverMetricsAuto = true;
        private Duration scrapeInterval = Duration.ofSeconds(1);
        private int metricsPort = -1;
        private String metricsHost = "127.0.0.1";
        private long recordRequestsMb;
        private URI otlpEndpoint;
        private boolean traceFile;
        private double traceSample = 1.0;
        private boolean traceContent;
        private Shard shard = Shard.WHOLE;

        private Builder() {
        }

        public Builder scenario(String scenario) {
            this.scenario = scenario;
            return this;
        }

        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        public Builder arrival(String arrival) {
            this.arrival = arrival;
            return this;
        }

        public Builder thinkTime(Duration thinkTime) {
            this.thinkTime = thinkTime;
            return this;
        }

        public Builder rampUp(Duration rampUp) {
            this.rampUp = rampUp;
            return this;
        }

        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        public Builder window(Duration window) {
            this.window = window;
            return this;
        }

        public Builder warmup(Duration warmup) {
            this.warmup = warmup;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder api(Api api) {
            this.api = api;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder apiKeyEnv(String apiKeyEnv) {
            this.apiKeyEnv = apiKeyEnv;
            return this;
        }

        public Builder maxTokensField(String field) {
            this.maxTokensField = field;
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = timeouts;
            return this;
        }

        public Builder errorBackoff(Duration backoff) {
            this.errorBackoff = backoff;
            return this;
        }

        public Builder sim(SimConfig sim) {
            this.sim = sim;
            return this;
        }

        public Builder priceAs(String model) {
            this.priceAs = model;
            return this;
        }

        public Builder prices(Path file) {
            this.prices = file;
            return this;
        }

        public Builder billing(Billing billing) {
            this.billing = billing;
            return this;
        }

        public Builder slo(String slo) {
            this.slo = slo;
            return this;
        }

        public Builder maxSpend(BigDecimal limit) {
            this.maxSpend = limit;
            return this;
        }

        public Builder forks(int forks) {
            this.forks = forks;
            return this;
        }

        /** Prometheus endpoints of the server to scrape through the run. */
        public Builder serverMetrics(java.util.List<URI> urls) {
            this.serverMetrics = urls;
            return this;
        }

        /** Whether to try the endpoint's own {@code /metrics} too (default: yes). */
        public Builder serverMetricsAuto(boolean auto) {
            this.serverMetricsAuto = auto;
            return this;
        }

        public Builder scrapeInterval(Duration interval) {
            this.scrapeInterval = interval;
            return this;
        }

        /** Serve the run's live metrics on this port (0: any free one); -1, the default, for none. */
        public Builder metricsPort(int port) {
            this.metricsPort = port;
            return this;
        }

        /** Keep every request sent, up to {@code mb} MiB of compressed file; 0, the default, for none. */
        public Builder recordRequests(long mb) {
            this.recordRequestsMb = mb;
            return this;
        }

        public Builder metricsHost(String host) {
            this.metricsHost = host;
            return this;
        }

        /** Send the episodes' traces to this OpenTelemetry collector (OTLP/HTTP); null, the default, for none. */
        public Builder otlpEndpoint(URI endpoint) {
            this.otlpEndpoint = endpoint;
            return this;
        }

        /** Write the episodes' traces into the run folder too ({@code traces.jsonl}). */
        public Builder traceFile(boolean file) {
            this.traceFile = file;
            return this;
        }

        /** Trace this fraction of episodes, 0 to 1 (default: every one). */
        public Builder traceSample(double fraction) {
            this.traceSample = fraction;
            return this;
        }

        /** Put each call's prompt and reply in its span (default: no). */
        public Builder traceContent(boolean content) {
            this.traceContent = content;
            return this;
        }

        /** Run only this share of the soak ({@link Shard}); {@link Shard#WHOLE}, the default, for all of it. */
        public Builder shard(Shard shard) {
            this.shard = shard;
            return this;
        }

        /** Windows in a row in which every call failed before the run ends as failed; 0 never. */
        public Builder maxFailedWindows(int windows) {
            this.maxFailedWindows = windows;
            return this;
        }

        /**
         * Builds and validates.
         *
         * @throws IllegalArgumentException with a message fit to show a user
         */
        public RunConfig build() {
            // Checked here, not when run.json is read back: the file may be gone by then, the run keeps its own copy.
            String problem = Scenarios.resolve(scenario).problemOn(api);
            if (problem != null) { // a scenario's ask the protocol has no field for is refused here, not dropped on the wire
                throw new InvalidSetting("%s " + api.wireName() + ": " + problem, "", "api");
            }
            if (arrival != null) {
                Arrivals.parse(arrival);
            }
            RunConfig config = new RunConfig(new Workload(scenario, concurrency, arrival, thinkTime, rampUp, maxInFlight, errorBackoff, seed),
                    new Schedule(duration, window, warmup, forks, maxFailedWindows),
                    new Target(endpoint, api, model, apiKeyEnv, maxTokensField, timeouts, sim),
                    new Pricing(priceAs, prices, billing, maxSpend), slo,
                    new Observe(serverMetrics, serverMetricsAuto, scrapeInterval, metricsPort, metricsHost, otlpEndpoint, traceFile, traceSample,
                            traceContent, recordRequestsMb), shard, null);
            config.tariff(PriceCatalog.load(prices)); // an unknown model or a missing price fails now, with the way out
            Slo.parseAll(slo);
            if (maxSpend != null && UNPRICED.equals(config.pricedAs())) {
                throw new InvalidSetting("%s needs prices: drop %s none", "", "max_spend", "price_as");
            }
            return config;
        }
    }
}
