package io.soaklab.cli;

import io.soaklab.internal.cost.Billing;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.Timeouts;
import io.soaklab.run.RunConfig;
import io.soaklab.sim.SimProfiles;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The options every command that sends load shares ({@code run}, {@code demo}, {@code replay}, {@code sweep}): the endpoint, the
 * scenario, windows, pricing, objectives, timeouts, what is observed, the embedded endpoint. Each command adds how much load
 * and for how long.
 */
abstract class LoadOptions implements Callable<Integer> {

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "API root of an OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://gpu-box:8000/v1. "
                    + "Absent: soaklab's embedded endpoint on a free loopback port.")
    URI endpoint;

    @Option(names = "--api", paramLabel = "openai|anthropic",
            description = "Protocol: OpenAI Chat Completions or Anthropic Messages (default: ${DEFAULT-VALUE}).")
    Api api;

    @Option(names = "--model", paramLabel = "NAME", description = "Model name to request (required with --endpoint).")
    String model;

    @Option(names = "--api-key-env", paramLabel = "NAME",
            description = "Environment variable holding the API key, e.g. OPENAI_API_KEY. The key is never written anywhere.")
    String apiKeyEnv;

    @Option(names = "--think-time", paramLabel = "DURATION",
            description = "Closed load: pause between a user's episodes (default: ${DEFAULT-VALUE}).")
    Duration thinkTime;

    @Option(names = "--ramp-up", paramLabel = "DURATION",
            description = "Users start (or the arrival rate rises) over this time before the warmup; never measured (default: ${DEFAULT-VALUE}).")
    Duration rampUp;

    @Option(names = "--max-in-flight", paramLabel = "N",
            description = "Open load: most episodes running at once; later arrivals wait, and their wait counts (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = {"-w", "--window"}, paramLabel = "DURATION",
            description = "Length of one measurement window: one JMH iteration, one interval in the histograms log (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "Warmup before measuring, not counted (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = {"-s", "--scenario"}, paramLabel = "NAME|FILE",
            description = "A built-in scenario ('soaklab scenarios' lists them) or a scenario YAML file (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice; the same seed sends the same requests (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "Run folder (default: results/<UTC yyyyMMdd-HHmmss>-<scenario>).")
    Path out;

    @Option(names = "--price-as", paramLabel = "MODEL",
            description = "Bill the run's tokens at this catalog model's prices ('soaklab prices' lists them; 'none' for no prices). "
                    + "Default: the run's --model; for the embedded endpoint " + RunConfig.EMBEDDED_PRICE_AS + " (with --api anthropic "
                    + RunConfig.EMBEDDED_ANTHROPIC_PRICE_AS + ").")
    String priceAs;

    @Option(names = "--prices", paramLabel = "FILE",
            description = "A price file of your own (negotiated prices, your own models), on top of soaklab's list prices (format: docs/costs.md).")
    Path prices;

    @Option(names = "--billing", paramLabel = "TIER",
            description = "How calls are billed: standard, batch, flex or priority, optionally +regional (default: ${DEFAULT-VALUE}).")
    String billing;

    @Option(names = "--slo", paramLabel = "SLO,SLO",
            description = "Objectives the report holds the run to: ttft.p99=2s, e2e.p99=60s, itl.p99=100ms, tpot.p90=50ms, errors=1%%, "
                    + "episode.p95=10m, episode.cost.p95=$0.50 (attainment per window, goodput, which fails first).")
    String slo;

    @Option(names = "--max-spend", paramLabel = "USD",
            description = "Stop the run cleanly (aborted, report written) before its spend passes this.")
    BigDecimal maxSpend;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", description = "Connection timeout (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--first-token-timeout", paramLabel = "DURATION",
            description = "Longest wait from sending to the first token (default: ${DEFAULT-VALUE}).")
    Duration firstTokenTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "Longest gap between tokens once they flow (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--call-timeout", paramLabel = "DURATION", description = "Longest a whole call may take (default: ${DEFAULT-VALUE}).")
    Duration callTimeout;

    @Option(names = "--error-backoff", paramLabel = "DURATION",
            description = "Closed load: extra pause after a failed episode before the user's next (default: ${DEFAULT-VALUE}).")
    Duration errorBackoff;

    @Option(names = "--max-tokens-field", paramLabel = "FIELD",
            description = "max_tokens or max_completion_tokens (default: max_completion_tokens for api.openai.com, max_tokens elsewhere).")
    String maxTokensField;

    @Option(names = "--max-failed-windows", paramLabel = "N",
            description = "End the run as failed (exit code 1) once every call sent has failed in N measured windows in a row; 0: never (default: ${DEFAULT-VALUE}).")
    int maxFailedWindows;

    @Option(names = "--no-endpoint-check", negatable = false,
            description = "Skip the one small call soaklab sends to a remote --endpoint before the run, which stops a run against an "
                    + "unreachable address, a refused key or an unknown model with one line and exit code 2.")
    boolean noEndpointCheck;

    @Option(names = "--server-metrics", paramLabel = "URL", split = ",",
            description = "Prometheus endpoints of the server (vLLM, SGLang, TGI, llama.cpp...) to scrape through the run, e.g. "
                    + "http://gpu-box:8000/metrics; kept in server-metrics.jsonl and summarised per window beside soaklab's own numbers.")
    List<URI> serverMetrics = List.of();

    @Option(names = "--no-server-metrics", negatable = false,
            description = "Do not try the endpoint's own /metrics (tried when no --server-metrics is given, quietly: one line if it has none).")
    boolean noServerMetrics;

    @Option(names = "--scrape-interval", paramLabel = "DURATION",
            description = "How often the server's metrics are scraped (default: ${DEFAULT-VALUE}).")
    Duration scrapeInterval;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the run's own live metrics (Prometheus / OpenMetrics) on this port while it runs: calls by outcome, "
                    + "tokens, spend, calls in flight, schedule lag and latency histograms; 0: any free port, printed.")
    Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "ADDRESS",
            description = "The address --metrics-port listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 for a Prometheus on another machine or pod).")
    String metricsHost;

    @Option(names = "--record-requests", paramLabel = "MiB", arity = "0..1", fallbackValue = "2048",
            description = "Keep every request sent, its exact body and enough to send it again, in requests.jsonl.gz (gzip), up to "
                    + "MiB of file (default when given: 2048); soaklab replay RUN_DIR sends them again. No key is ever in it.")
    Long recordRequests;

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "Send every episode as an OpenTelemetry trace (GenAI conventions: invoke_agent, chat, execute_tool spans) to this "
                    + "collector over OTLP/HTTP protobuf, e.g. http://localhost:4318 (/v1/traces is added). Absent: OTEL_EXPORTER_OTLP_ENDPOINT "
                    + "if set; OTEL_EXPORTER_OTLP_HEADERS and OTEL_SERVICE_NAME are honoured.")
    URI otlpEndpoint;

    @Option(names = "--trace-file", negatable = false,
            description = "Write the traces into the run folder too: traces.jsonl, OTLP/JSON, one export request per line.")
    boolean traceFile;

    @Option(names = "--trace-sample", paramLabel = "FRACTION",
            description = "Trace this fraction of episodes, each whole, chosen by the seed (default: ${DEFAULT-VALUE}).")
    double traceSample;

    @Option(names = "--trace-content", negatable = false,
            description = "Put each call's prompt and reply in its span (gen_ai.input.messages, gen_ai.output.messages; 16 KB each at most). "
                    + "Off by default: they may hold what should not leave the machine.")
    boolean traceContent;

    @Option(names = "--sim-profile", paramLabel = "NAME",
            description = "Embedded endpoint profile: default, frontier-api, self-hosted, overloaded, degrading, flaky-network (default: ${DEFAULT-VALUE}).")
    String simProfile;

    @Mixin
    SimOptions sim;

    @Spec
    CommandSpec spec;

    /** The settings every load shares, on a builder; the command adds its load, its duration and its shard. */
    RunConfig.Builder settings() {
        return RunConfig.builder()
                .scenario(scenario)
                .thinkTime(thinkTime)
                .rampUp(rampUp)
                .maxInFlight(maxInFlight)
                .window(window)
                .warmup(warmup)
                .seed(seed)
                .endpoint(endpoint)
                .api(api)
                .model(model)
                .apiKeyEnv(apiKeyEnv)
                .maxTokensField(maxTokensField)
                .timeouts(new Timeouts(connectTimeout, firstTokenTimeout, idleTimeout, callTimeout))
                .errorBackoff(errorBackoff)
                .sim(sim.apply(SimProfiles.get(simProfile)).seed(seed).build())
                .priceAs(priceAs)
                .prices(prices)
                .billing(Billing.parse(billing))
                .maxSpend(maxSpend)
                .slo(slo)
                .maxFailedWindows(maxFailedWindows)
                .serverMetrics(serverMetrics)
                .serverMetricsAuto(!noServerMetrics)
                .scrapeInterval(scrapeInterval)
                .metricsPort(metricsPort == null ? -1 : metricsPort)
                .metricsHost(metricsHost)
                .recordRequests(recordRequests == null ? 0 : recordRequests)
                .otlpEndpoint(otlpEndpoint)
                .traceFile(traceFile)
                .traceSample(traceSample)
                .traceContent(traceContent);
    }

    /**
     * A folder for the run that can be made and written, or one line saying why not. It is made to be sure, and what was
     * made is taken away again: a run that then never starts (an endpoint the check refuses) leaves no folder behind.
     */
    static void usableFolder(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    java.nio.file.Files.createDirectories(absolute);
                    break;
                } catch (java.nio.file.NoSuchFileException gone) {
                    if (attempt == 3 || existing == null || !java.nio.file.Files.isDirectory(existing)) {
                        throw gone;
                    }
                    // a shard beside this one took away the parent it had made, just as this one made its folder in it: again
                }
            }
            if (!java.nio.file.Files.isWritable(absolute)) {
                throw new SoakLab.UsageException("--out " + dir + ": the folder cannot be written");
            }
            for (Path made = absolute; existing != null && !made.equals(existing); made = made.getParent()) {
                try {
                    java.nio.file.Files.deleteIfExists(made);
                } catch (java.nio.file.DirectoryNotEmptyException shared) {
                    break; // another run (a shard beside this one) has its folder in it now: it stays
                } catch (java.io.IOException e) {
                    break; // taking away what was made is tidiness, not a condition of running
                }
            }
            return;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new SoakLab.UsageException("--out " + dir + ": " + e.getFile() + " is a file, not a folder");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new SoakLab.UsageException("--out " + dir + ": permission denied on " + e.getFile());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SoakLab.UsageException("--out " + dir + ": cannot create " + e.getFile() + " there");
        } catch (java.nio.file.FileSystemException e) {
            throw new SoakLab.UsageException("--out " + dir + ": cannot create it" + (e.getReason() == null ? "" : " (" + e.getReason() + ")"));
        } catch (java.io.IOException e) {
            throw new SoakLab.UsageException("--out " + dir + ": cannot create it (" + e.getMessage() + ")");
        }
    }
}
