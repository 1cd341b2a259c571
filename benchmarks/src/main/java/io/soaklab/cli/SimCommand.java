package io.soaklab.cli;

import io.soaklab.sim.EmbeddedEndpoint;
import io.soaklab.sim.SimConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code soaklab sim}: the embedded endpoint on its own, until Ctrl-C. */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = Defaults.Run.class,
        description = "Serve the embedded OpenAI-compatible endpoint on its own until Ctrl-C, for any client to use.")
final class SimCommand implements Callable<Integer> {

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Profile: default, frontier-api, self-hosted, overloaded, degrading, flaky-network (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--list-profiles", description = "List the profiles, one line each, and exit.")
    boolean listProfiles;

    @Option(names = "--truth", paramLabel = "FILE", description = "Append the endpoint's account of every request to FILE (JSON lines).")
    java.nio.file.Path truth;

    @Option(names = "--api-key-env", paramLabel = "NAME",
            description = "Require the key in this environment variable as a bearer token (default: no key).")
    String apiKeyEnv;

    @Mixin
    SimOptions sim;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (listProfiles) {
            for (String name : io.soaklab.sim.SimProfiles.names()) {
                spec.commandLine().getOut().printf("%-14s %s%n", name, io.soaklab.sim.SimProfiles.describe(name));
            }
            return 0;
        }
        String key = null;
        if (apiKeyEnv != null) {
            key = System.getenv(apiKeyEnv);
            if (key == null || key.isBlank()) {
                throw new SoakLab.UsageException("environment variable " + apiKeyEnv + " (named by --api-key-env) is not set");
            }
        }
        SimConfig config = sim.apply(io.soaklab.sim.SimProfiles.get(profile)).host(host).port(port).seed(seed).apiKey(key).build();
        EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(config, truth);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            endpoint.close();
            System.err.printf("soaklab sim: stopped after %d requests%n", endpoint.requests());
            stopped.countDown();
        }, "soaklab-sim-shutdown"));
        System.err.printf("soaklab sim: listening on %s (profile %s, model %s)%s; Ctrl-C to stop%n", endpoint.baseUrl(),
                config.profile(), config.model(), key == null ? "" : ", key required");
        spec.commandLine().getOut().println(endpoint.baseUrl());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
