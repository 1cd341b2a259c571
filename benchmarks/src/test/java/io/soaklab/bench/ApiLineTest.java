package io.soaklab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API is the list the README gives, and nothing slips into it: every public top-level
 * type outside {@code io.soaklab.internal} is named here. A new one is a decision, made in the README
 * and here together.
 */
class ApiLineTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> API = Set.of(
            "io.soaklab.bench.AgentSoak", "io.soaklab.bench.EndpointCapacity", "io.soaklab.bench.SoakBenchmark",
            "io.soaklab.cli.SoakLab",
            "io.soaklab.load.Arrivals", "io.soaklab.load.ClosedLoad", "io.soaklab.load.EpisodeRunner", "io.soaklab.load.Load",
            "io.soaklab.load.OpenLoad",
            "io.soaklab.protocol.Api", "io.soaklab.protocol.CallFlag", "io.soaklab.protocol.CallResult", "io.soaklab.protocol.ChatRequest",
            "io.soaklab.protocol.ClientConfig", "io.soaklab.protocol.ErrorClass", "io.soaklab.protocol.Message", "io.soaklab.protocol.ModelClient",
            "io.soaklab.protocol.Timeouts", "io.soaklab.protocol.ToolCall", "io.soaklab.protocol.ToolSpec", "io.soaklab.protocol.Usage",
            "io.soaklab.run.RunConfig", "io.soaklab.run.RunFolder", "io.soaklab.run.RunManifest", "io.soaklab.run.RunStatus", "io.soaklab.run.Soak",
            "io.soaklab.scenario.Agent", "io.soaklab.scenario.Episode", "io.soaklab.scenario.Scenario", "io.soaklab.scenario.ScenarioSpec",
            "io.soaklab.scenario.Scenarios",
            "io.soaklab.sim.EmbeddedEndpoint", "io.soaklab.sim.SimConfig", "io.soaklab.sim.SimProfiles");
    private static final Pattern PUBLIC_TYPE = Pattern.compile("(?m)^public (final |abstract |sealed |non-sealed )*(class|record|enum|interface|@interface) ");

    @Test
    void thePublicTypesOutsideInternalAreTheApiTheReadmeLists() throws IOException {
        Set<String> found = new TreeSet<>();
        for (String module : List.of("workloads", "analysis", "benchmarks")) {
            Path root = ROOT.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).forEach(p -> {
                    String type = root.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
                    try {
                        if (!type.startsWith("io.soaklab.internal.") && PUBLIC_TYPE.matcher(Files.readString(p)).find()) {
                            found.add(type);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        assertEquals(new TreeSet<>(API), found, "public types outside io.soaklab.internal");
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String type : API) {
            String simple = type.substring(type.lastIndexOf('.') + 1);
            assertEquals(true, readme.contains("`" + simple + "`"), "the README names " + simple);
        }
    }
}
