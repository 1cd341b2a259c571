package io.soaklab.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.soaklab.internal.text.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Scenarios by name or file: the built-ins ship as YAML files in this package; a user's own file
 * follows the same schema ({@link ScenarioSpec}, {@code docs/scenarios.md}); {@code replay:FILE}
 * replays a recorded trace ({@code docs/replay.md}), written as a scenario of kind {@code replay}.
 *
 * <pre>{@code
 * Scenario agent = Scenarios.builtIn("coding-agent");
 * Scenario mine = Scenarios.load(Path.of("my-agent.yaml"));
 * }</pre>
 */
public final class Scenarios {

    private static final List<String> BUILT_IN = List.of("coding-agent", "agent-team", "tool-failure-recovery",
            "long-context-probe", "session-resume", "chat-support");

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .addModule(Durations.jacksonModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Scenarios() {
    }

    /** Names of the built-in scenarios. */
    public static List<String> names() {
        return BUILT_IN;
    }

    /**
     * The built-in scenario called {@code name}.
     *
     * @throws IllegalArgumentException naming the built-ins, when there is none by that name
     */
    public static Scenario builtIn(String name) {
        return of(spec(name));
    }

    /** The specification of a built-in scenario. */
    public static ScenarioSpec spec(String name) {
        return parse(yaml(name), "built-in scenario " + name);
    }

    /** The YAML text of a built-in scenario (a starting point for one's own), or of a {@code replay:FILE} scenario. */
    public static String yaml(String name) {
        if (isReplay(name)) {
            return ReplaySpecs.yaml(name);
        }
        if (!BUILT_IN.contains(name)) {
            throw new IllegalArgumentException("unknown scenario '" + name + "'; built-in scenarios: " + String.join(", ", BUILT_IN)
                    + " (or give a .yaml file)");
        }
        try (InputStream in = Scenarios.class.getResourceAsStream(name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("built-in scenario file " + name + ".yaml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code nameOrFile} names a file rather than a built-in scenario. */
    public static boolean isFile(String nameOrFile) {
        return !isReplay(nameOrFile) && (nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml") || nameOrFile.contains("/")
                || nameOrFile.contains(java.io.File.separator));
    }

    /**
     * True when {@code scenario} replays a trace: {@code replay:FILE}, options after a {@code ?}
     * ({@code replay:trace.jsonl?speed=2&from=10m&to=20m}).
     */
    public static boolean isReplay(String scenario) {
        return scenario.startsWith(ReplaySpecs.PREFIX);
    }

    /** The built-in scenario of that name, the scenario in that YAML file, or the replay of that trace ({@code replay:FILE}). */
    public static ScenarioSpec resolve(String nameOrFile) {
        if (isReplay(nameOrFile)) {
            return parse(ReplaySpecs.yaml(nameOrFile), nameOrFile);
        }
        return isFile(nameOrFile) ? read(Path.of(nameOrFile)) : spec(nameOrFile);
    }

    /**
     * When each episode of {@code scenario} arrives, in nanoseconds after the load's start, when it keeps times of its own (a
     * timed replay); null when it does not.
     */
    public static long[] schedule(Scenario scenario) {
        return scenario instanceof ReplayScenario replay ? replay.schedule() : null;
    }

    /**
     * How long the replay {@code scenario} ({@code replay:...}) lasts at its speed: from its first
     * session's start to its last's, the time the load needs to send it all.
     */
    public static java.time.Duration replaySpan(String scenario) {
        ScenarioSpec spec = resolve(scenario);
        long[] starts = new ReplayScenario(spec).schedule();
        return starts == null || starts.length == 0 ? java.time.Duration.ZERO : java.time.Duration.ofNanos(starts[starts.length - 1]);
    }

    /** The scenario in a YAML file. */
    public static Scenario load(Path file) {
        return of(read(file));
    }

    /** Keeps {@code yaml}, the scenario as a run began with it, in run folder {@code dir} ({@code scenario.yaml}). */
    public static void keep(Path dir, String yaml) throws java.io.IOException {
        java.nio.file.Files.writeString(io.soaklab.internal.layout.RunFile.SCENARIO.in(dir), yaml);
    }

    /** Copies run folder {@code from}'s kept scenario, as it is, into run folder {@code to}; false when it kept none. */
    public static boolean copyKept(Path from, Path to) throws java.io.IOException {
        Path copy = io.soaklab.internal.layout.RunFile.SCENARIO.in(from);
        if (!java.nio.file.Files.exists(copy)) {
            return false;
        }
        java.nio.file.Files.copy(copy, io.soaklab.internal.layout.RunFile.SCENARIO.in(to), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    /**
     * The scenario run folder {@code dir} kept, or null when it kept none (a folder from before it did).
     *
     * @throws IllegalArgumentException when the copy cannot be read as a scenario
     */
    public static ScenarioSpec kept(Path dir) {
        Path copy = io.soaklab.internal.layout.RunFile.SCENARIO.in(dir);
        return java.nio.file.Files.exists(copy) ? read(copy) : null;
    }

    /**
     * Reads a scenario file.
     *
     * @throws IllegalArgumentException one line naming the file, the place and the problem
     */
    public static ScenarioSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("scenario file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read scenario file " + file + ": " + e.getMessage());
        }
        return parse(text, "scenario file " + file);
    }

    /**
     * Reads a scenario from YAML text.
     *
     * @param source what to call the text in an error, e.g. {@code scenario file my.yaml}
     * @throws IllegalArgumentException one line naming the source, the place and the problem
     */
    public static ScenarioSpec parse(String yaml, String source) {
        if (yaml.isBlank()) {
            throw new IllegalArgumentException(source + " is empty");
        }
        try {
            ScenarioSpec spec = YAML.readValue(yaml, ScenarioSpec.class);
            if (spec == null) {
                throw new IllegalArgumentException(source + " is empty");
            }
            return spec;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + where(e, yaml) + problem(e));
        }
    }

    /** The scenario a specification describes. */
    public static Scenario of(ScenarioSpec spec) {
        return switch (spec.kind()) {
            case AGENT -> new AgentScenario(spec);
            case TEAM -> new TeamScenario(spec);
            case PROBE -> new ProbeScenario(spec);
            case RESUME -> new ResumeScenario(spec);
            case CHAT -> new ChatScenario(spec);
            case REPLAY -> new ReplayScenario(spec);
        };
    }


    private static String where(JsonProcessingException e, String yaml) {
        org.yaml.snakeyaml.error.MarkedYAMLException syntax = syntax(e);
        if (syntax != null && syntax.getProblemMark() != null) {
            return "line " + (syntax.getProblemMark().getLine() + 1) + ", column " + (syntax.getProblemMark().getColumn() + 1) + ": ";
        }
        StringBuilder out = new StringBuilder();
        JsonLocation at = e.getLocation();
        boolean wholeFile = e instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException v && v.getPath().isEmpty()
                || missingField(e);
        if (missingField(e)) {
            return "";
        }
        if (at != null && at.getLineNr() > 0 && !wholeFile) { // a check across the whole file has no one place
            int line = at.getLineNr();
            int column = at.getColumnNr();
            if (e instanceof UnrecognizedPropertyException u) {
                // the parser is past the field's value by now: point at the field itself
                String[] lines = yaml.split("\n", -1);
                java.util.regex.Pattern key = java.util.regex.Pattern.compile("^(\\s*(?:-\\s+)?)" + java.util.regex.Pattern.quote(u.getPropertyName()) + "\\s*:");
                for (int i = Math.min(line, lines.length) - 1; i >= 0; i--) {
                    java.util.regex.Matcher m = key.matcher(lines[i]);
                    if (m.find()) {
                        line = i + 1;
                        column = m.group(1).length() + 1;
                        break;
                    }
                }
            }
            out.append("line ").append(line).append(", column ").append(column).append(": ");
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
            if (path.length() > 0) {
                out.append(path).append(": ");
            }
        }
        return out.toString();
    }

    /** The path of the object a mapping problem is in, e.g. {@code tools[1]}. */
    private static String where(JsonMappingException m) {
        StringBuilder path = new StringBuilder();
        List<JsonMappingException.Reference> refs = m.getPath();
        for (JsonMappingException.Reference r : refs.subList(0, refs.size() - 1)) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static boolean missingField(JsonProcessingException e) {
        return e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Missing required creator property");
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping (name: value, ...)";
        }
        return "a " + type.getSimpleName();
    }

    /** The YAML syntax error behind {@code e}, if that is what it is. */
    private static org.yaml.snakeyaml.error.MarkedYAMLException syntax(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
                return m;
            }
        }
        return null;
    }

    private static String problem(JsonProcessingException e) {
        org.yaml.snakeyaml.error.MarkedYAMLException syntax = syntax(e);
        if (syntax != null) {
            String problem = syntax.getProblem() != null ? syntax.getProblem() : syntax.getContext();
            return "not valid YAML: " + (problem == null ? "cannot be read" : problem.strip());
        }
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field '")) {
            String field = e.getOriginalMessage().substring(17, e.getOriginalMessage().indexOf('\'', 17));
            return "'" + field + "' appears twice";
        }
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            return "unknown field '" + u.getPropertyName() + "'" + (known.isEmpty() ? "" : " (known: " + known + ")");
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IllegalArgumentException || root instanceof NullPointerException) {
            return root.getMessage() == null ? "a value is missing here" : root.getMessage();
        }
        if (missingField(e)) {
            String message = e.getOriginalMessage();
            int q = message.indexOf('\'');
            int q2 = message.indexOf('\'', q + 1);
            String field = q >= 0 && q2 > q ? message.substring(q + 1, q2) : "?";
            String within = e instanceof JsonMappingException m && m.getPath().size() > 1 ? " in " + where(m) : "";
            return "missing required field '" + field + "'" + within;
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m && m.getTargetType() != null) {
            String was = e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f ? ", was '" + f.getValue() + "'" : "";
            return "expected " + expected(m.getTargetType()) + was;
        }
        String message = e.getOriginalMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        if (message.startsWith("No content to map")) {
            return "the file is empty";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).replace("`", "'");
    }
}
