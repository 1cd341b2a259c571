package io.soaklab.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.ModelClient;
import io.soaklab.internal.record.RunRecorder;
import io.soaklab.internal.record.TimeBase;
import io.soaklab.internal.resilience.Resilience;
import io.soaklab.scenario.Scenario;
import io.soaklab.scenario.Scenarios;
import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A small lab for tests: the embedded endpoint on loopback, a recorder in a folder with one open
 * measured window, a client and an episode runner for one scenario. Reading a record file closes
 * the window and everything else first, so the files are complete.
 */
public final class Lab implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final EmbeddedEndpoint endpoint;
    public final RunRecorder recorder;
    public final ModelClient client;
    public final EpisodeRunner runner;
    private final Path dir;
    private boolean closed;

    public Lab(Path dir, SimConfig sim, Scenario scenario, Resilience resilience) throws IOException {
        this(dir, sim, scenario, resilience, UnaryOperator.identity(), Api.OPENAI);
    }

    public Lab(Path dir, SimConfig sim, Scenario scenario, Resilience resilience, UnaryOperator<ModelClient> wrap, Api api)
            throws IOException {
        this.dir = Files.createDirectories(dir);
        this.endpoint = EmbeddedEndpoint.start(sim);
        this.recorder = RunRecorder.open(dir, TimeBase.now());
        this.client = wrap.apply(ModelClient.of(api, ClientConfig.builder(endpoint.baseUrl()).model("m")
                .totalTimeout(Duration.ofSeconds(60)).build(), recorder.itl()));
        this.runner = new EpisodeRunner(scenario, client, recorder, resilience, 7, Duration.ofSeconds(90));
        recorder.beginWindow(false);
    }

    /** What a scenario written in code does with its episode. */
    public interface ScenarioBody {
        void run(io.soaklab.scenario.Episode episode) throws InterruptedException;
    }

    /** A scenario written in code: what a performance engineer's own benchmark would do. */
    public static Scenario code(String name, ScenarioBody body) {
        return new Scenario() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return name;
            }

            @Override
            public void run(io.soaklab.scenario.Episode episode) throws InterruptedException {
                body.run(episode);
            }
        };
    }

    /** A scenario from YAML text, for tests that describe their own. */
    public static Scenario scenario(String yaml) {
        return Scenarios.of(Scenarios.parse(yaml, "test scenario"));
    }

    /** A fast, exact endpoint: no base latency, 1M tokens/s prefill, {@code decode} tokens/s, replies of {@code tokens}. */
    public static SimConfig.Builder fast(double decode, int tokens) {
        return SimConfig.builder().baseLatency(Duration.ZERO).prefillTokensPerSecond(1_000_000).decodeTokensPerSecond(decode)
                .outputTokensMedian(tokens).outputTokensSigma(0).jitter(0);
    }

    /** The lines of a record file, after closing the window and the files. */
    public List<JsonNode> lines(String file) throws IOException {
        close();
        List<JsonNode> out = new ArrayList<>();
        Path path = dir.resolve(file);
        if (Files.exists(path)) {
            for (String line : Files.readAllLines(path)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    /** The lines of a record file as they stand (flushed every second), the files left open; damaged or cut-off lines left out. */
    public List<JsonNode> peek(String file) {
        List<JsonNode> out = new ArrayList<>();
        Path path = dir.resolve(file);
        try {
            if (Files.exists(path)) {
                for (String line : Files.readAllLines(path)) {
                    try {
                        out.add(JSON.readTree(line));
                    } catch (IOException cutOff) {
                        // a line being written
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        recorder.endWindow();
        recorder.close();
        client.close();
        runner.close();
        endpoint.close();
    }
}
