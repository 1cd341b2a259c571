package io.soaklab.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The built-in scenarios, by name. */
public final class Scenarios {

    private static final Map<String, Supplier<Scenario>> BUILT_IN = new LinkedHashMap<>();

    static {
        BUILT_IN.put(CodingAgent.NAME, CodingAgent::new);
    }

    private Scenarios() {
    }

    /** Names of the built-in scenarios. */
    public static List<String> names() {
        return List.copyOf(BUILT_IN.keySet());
    }

    /**
     * The built-in scenario called {@code name}.
     *
     * @throws IllegalArgumentException naming the built-ins, when there is none by that name
     */
    public static Scenario builtIn(String name) {
        Supplier<Scenario> scenario = BUILT_IN.get(name);
        if (scenario == null) {
            throw new IllegalArgumentException("unknown scenario '" + name + "'; built-in scenarios: " + String.join(", ", names()));
        }
        return scenario.get();
    }
}
