package io.soaklab.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Named sets of the embedded endpoint's parameters, each a rehearsal of a kind of production
 * endpoint. The README lists them with their parameters; {@code soaklab sim --profile NAME} and
 * {@code soaklab run --sim-profile NAME} use them, and any {@code --sim-*} option overrides one value.
 */
public final class SimProfiles {

    public static final String DEFAULT = "default";

    private static final Map<String, Supplier<SimConfig.Builder>> PROFILES = new LinkedHashMap<>();
    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        add(DEFAULT, "a hosted API of moderate speed with prefix caching; no limits or faults (the demo's)", SimProfiles::standard);
        add("frontier-api", "a frontier model's remote API: slower first token, large fleet, caching at 90% hits, tier-like rate limits, rare faults",
                SimProfiles::frontier);
        add("self-hosted", "one GPU server: fast prefill, 32 decode slots that slow down as they fill, a 32k context, no limits",
                () -> new SimConfig.Builder("self-hosted",
                        new SimConfig.Latency(Duration.ofMillis(15), 8_000, 45, 0.05, 0.05),
                        new SimConfig.Replies(200, 0.6, 4096, 0, false, 0.5),
                        new SimConfig.Serving(32, 0, 0.03, 0.15, 32_768),
                        new SimConfig.Caching(true, Duration.ofMinutes(10), 16, 16, 1.0)));
        add("overloaded", "frontier-api with 16 slots, a short queue and tight rate limits: 429s, 529s and overload errors",
                () -> frontier().maxBatch(16).maxQueue(32)
                        .limits(new SimConfig.Limits(60, 60_000, 0, 0))
                        .faults(new SimConfig.Faults(0, 0, 0.02, 0.05, 0.02, 0, 0, Duration.ofSeconds(5), 0, 0,
                                Duration.ofSeconds(3), 0, Duration.ZERO, Duration.ZERO)));
        add("degrading", "frontier-api that slows by 50% an hour, with load waves every 10 min and error bursts every 15 min",
                () -> frontier().maxBatch(64)
                        .drift(new SimConfig.Drift(0.5, Duration.ofMinutes(10), 0.5, Duration.ofMinutes(15), Duration.ofSeconds(60), 0.3, 1)));
        add("flaky-network", "frontier-api behind a bad network: resets, stalls, malformed chunks, slow first bytes, endless replies, server pauses",
                () -> frontier().faults(new SimConfig.Faults(0, 0, 0, 0, 0, 0.01, 0.01, Duration.ofSeconds(5), 0.002, 0.01,
                        Duration.ofSeconds(3), 0.001, Duration.ofSeconds(60), Duration.ofSeconds(1))));
    }

    private SimProfiles() {
    }

    private static void add(String name, String description, Supplier<SimConfig.Builder> builder) {
        PROFILES.put(name, builder);
        DESCRIPTIONS.put(name, description);
    }

    private static SimConfig.Builder standard() {
        return new SimConfig.Builder(DEFAULT,
                new SimConfig.Latency(Duration.ofMillis(150), 20_000, 60, 0.1, 0.1),
                new SimConfig.Replies(150, 0.5, 4096, 0, false, 0.5),
                new SimConfig.Serving(256, 0, 0.002, 0.02, 128_000),
                new SimConfig.Caching(true, Duration.ofMinutes(5), 1024, 128, 1.0));
    }

    private static SimConfig.Builder frontier() {
        return new SimConfig.Builder("frontier-api",
                new SimConfig.Latency(Duration.ofMillis(350), 40_000, 70, 0.2, 0.1),
                new SimConfig.Replies(300, 0.8, 16_384, 0, false, 0.5),
                new SimConfig.Serving(2048, 0, 0.0002, 0.03, 200_000),
                new SimConfig.Caching(true, Duration.ofMinutes(5), 1024, 128, 0.9))
                .limits(new SimConfig.Limits(5_000, 2_000_000, 0, 0))
                .faults(new SimConfig.Faults(0.001, 0, 0, 0.001, 0, 0.0005, 0, Duration.ofSeconds(5), 0, 0,
                        Duration.ofSeconds(3), 0, Duration.ZERO, Duration.ZERO));
    }

    /** The profile's parameters, to adjust before building. */
    public static SimConfig.Builder get(String name) {
        Supplier<SimConfig.Builder> profile = PROFILES.get(name);
        if (profile == null) {
            throw new IllegalArgumentException("unknown endpoint profile '" + name + "'; profiles: " + String.join(", ", names()));
        }
        return profile.get().profile(name);
    }

    public static List<String> names() {
        return List.copyOf(PROFILES.keySet());
    }

    /** One line saying what the profile rehearses. */
    public static String describe(String name) {
        get(name);
        return DESCRIPTIONS.get(name);
    }
}
