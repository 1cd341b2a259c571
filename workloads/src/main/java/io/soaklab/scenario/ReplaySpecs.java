package io.soaklab.scenario;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads {@code replay:FILE?speed=F&from=D&to=D&exact=BOOL} (or {@code replay:RUN_DIR?episode=USER:EPISODE}: a soaklab run
 * folder's recorded requests) into the scenario of kind {@code replay}
 * it stands for, as YAML (what a run folder keeps), having checked that the trace can be replayed.
 */
final class ReplaySpecs {

    static final String PREFIX = "replay:";

    private ReplaySpecs() {
    }

    /**
     * The YAML of the replay {@code spec} asks for.
     *
     * @throws IllegalArgumentException one line: an unknown option, or a trace that cannot be replayed
     */
    static String yaml(String spec) {
        String rest = spec.substring(PREFIX.length());
        int q = rest.indexOf('?');
        String file = (q < 0 ? rest : rest.substring(0, q)).strip();
        if (file.isEmpty()) {
            throw new IllegalArgumentException("--scenario " + spec + ": write replay:FILE, e.g. replay:trace.jsonl?speed=2&from=10m");
        }
        Path path = Path.of(file).toAbsolutePath().normalize();
        StringBuilder options = new StringBuilder();
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair.strip() : pair.substring(0, eq).strip();
                String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
                String field = switch (key) {
                    case "speed" -> "speed";
                    case "from" -> "from";
                    case "to" -> "to";
                    case "exact" -> "exact_output";
                    case "episode" -> "episode";
                    default -> throw new IllegalArgumentException("--scenario " + spec + ": unknown replay option '" + key
                            + "' (known: speed, from, to, exact, episode)");
                };
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("--scenario " + spec + ": replay option " + key + " needs a value (" + key + "=...)");
                }
                try {
                    switch (key) {
                        case "speed" -> ScenarioSpec.Replay.speed(value);
                        case "exact" -> {
                            if (!value.equals("true") && !value.equals("false")) {
                                throw new IllegalArgumentException("exact must be true or false, was '" + value + "'");
                            }
                        }
                        case "episode" -> {
                            // USER:EPISODE, checked with the trace below
                        }
                        default -> io.soaklab.internal.text.Durations.parse(value);
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--scenario " + spec + ": " + key + ": " + e.getMessage());
                }
                options.append("  ").append(field).append(": ").append(quote(value)).append('\n');
            }
        }
        String episode = null;
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.strip().startsWith("episode=")) {
                    episode = pair.substring(pair.indexOf('=') + 1).strip();
                }
            }
        }
        Trace trace = Trace.read(path, episode); // fails here, in one line, when the trace cannot be replayed at all
        return "name: " + name(path) + "\n"
                + "description: " + quote("replay of " + path.getFileName() + ", a " + trace.format.describe()) + "\n"
                + "kind: replay\n"
                + "replay:\n"
                + "  file: " + quote(path.toString()) + "\n"
                + options;
    }

    /** {@code replay-} and the file's name without its extension, in the letters a scenario's name takes. */
    private static String name(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.[^.]*$", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
        return "replay-" + (base.isEmpty() ? "trace" : base);
    }

    /** A YAML double-quoted scalar. */
    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
