package io.soaklab.internal.record;

import io.soaklab.internal.layout.RunFile;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line of {@code episodes.jsonl}: a finished episode. The file's only writer ({@link RunRecorder}
 * hands it each {@link EpisodeRecord}) and its only reader. Field meanings: {@code results/README.md}.
 *
 * <pre>{@code
 * EpisodeLine.read(runDir, (episode) -> { if (!episode.warmup() && episode.ok()) done++; }, null);
 * }</pre>
 *
 * @param warmup     true in a warmup window
 * @param window     the window it ended in, within its phase
 * @param user       the virtual user
 * @param episode    the user's episode number
 * @param scenario   the scenario's name
 * @param ok         whether the task succeeded
 * @param reason     why not, or null
 * @param intendedUs the first call's intended start, epoch µs
 * @param durationUs to the last call's end, µs
 * @param calls      model calls
 * @param attempts   attempts, retries included (0: an episode an open load shed, never started)
 * @param cost       what every attempt cost, exactly; null in an unpriced run
 * @param tokens     tokens by kind ({@code prompt}, {@code completion}, {@code cached}, {@code cache_write}, {@code reasoning}, {@code lost})
 * @param roles      per role, its figures ({@code calls}, {@code failed}, {@code prompt}, ...)
 * @param metrics    the scenario's own figures
 */
public record EpisodeLine(boolean warmup, int window, long user, long episode, String scenario, boolean ok, String reason, long intendedUs,
                          long durationUs, long calls, long attempts, BigDecimal cost, Map<String, Long> tokens,
                          Map<String, Map<String, Long>> roles, Map<String, Double> metrics) {

    static final String SCENARIO = "scenario";
    static final String OK = "ok";
    static final String REASON = "reason";
    static final String INTENDED_US = "intended_us";
    static final String DURATION_US = "duration_us";
    static final String CALLS = "calls";
    static final String ATTEMPTS = "attempts";
    static final String COST_USD = "cost_usd";
    static final String TOKENS = "tokens";
    static final String ROLES = "roles";
    static final String METRICS = "metrics";

    /** Receives each episode, and each line that is not one. */
    public interface Reader {
        void episode(EpisodeLine line);

        /** A line that is not a valid episode record, skipped; {@code last} when it is the file's last (a run cut off writing it). */
        default void bad(long number, boolean last, String why) {
        }
    }

    /** Opens {@code dir}'s file for appending lines. */
    static JsonLines open(Path dir) throws IOException {
        return new JsonLines(RunFile.EPISODES.in(dir));
    }

    static void write(JsonGenerator g, boolean warmup, int window, EpisodeRecord e, boolean priced, TimeBase time) throws IOException {
        LineHead.write(g, warmup, window, e.user(), e.episode());
        g.writeStringField(SCENARIO, e.scenario());
        g.writeBooleanField(OK, e.ok());
        if (e.reason() != null) {
            g.writeStringField(REASON, e.reason());
        }
        g.writeNumberField(INTENDED_US, time.epochMicros(e.intendedNanos()));
        g.writeNumberField(DURATION_US, e.durationNanos() / 1000);
        g.writeNumberField(CALLS, e.calls());
        g.writeNumberField(ATTEMPTS, e.attempts());
        if (priced) {
            g.writeFieldName(COST_USD);
            g.writeNumber(e.cost().toPlainString());
        }
        g.writeObjectFieldStart(TOKENS);
        for (var t : new TreeMap<>(e.tokens()).entrySet()) {
            g.writeNumberField(t.getKey(), t.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart(ROLES);
        for (var role : new TreeMap<>(e.roles()).entrySet()) {
            g.writeObjectFieldStart(role.getKey());
            for (var t : new TreeMap<>(role.getValue()).entrySet()) {
                g.writeNumberField(t.getKey(), t.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeObjectFieldStart(METRICS);
        for (var m : new TreeMap<>(e.metrics()).entrySet()) {
            double v = m.getValue();
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                g.writeNumberField(m.getKey(), (long) v);
            } else {
                g.writeNumberField(m.getKey(), v);
            }
        }
        g.writeEndObject();
    }

    /**
     * Reads every line of {@code dir}'s {@code episodes.jsonl}, warmup included.
     *
     * @return false when the file does not exist
     */
    public static boolean read(Path dir, Reader reader) throws IOException {
        return TreeLine.read(RunFile.EPISODES.in(dir), new TreeLine.Handler() {
            @Override
            public void line(JsonNode n) {
                reader.episode(of(n));
            }

            @Override
            public void bad(long number, boolean last, String why) {
                reader.bad(number, last, why);
            }
        });
    }

    private static EpisodeLine of(JsonNode n) {
        Map<String, Long> tokens = new TreeMap<>();
        n.path(TOKENS).fields().forEachRemaining(t -> tokens.put(t.getKey(), t.getValue().asLong()));
        Map<String, Map<String, Long>> roles = new TreeMap<>();
        n.path(ROLES).fields().forEachRemaining(r -> {
            Map<String, Long> figures = new TreeMap<>();
            r.getValue().fields().forEachRemaining(f -> figures.put(f.getKey(), f.getValue().asLong()));
            roles.put(r.getKey(), Collections.unmodifiableMap(figures));
        });
        Map<String, Double> metrics = new TreeMap<>();
        n.path(METRICS).fields().forEachRemaining(m -> metrics.put(m.getKey(), m.getValue().asDouble()));
        JsonNode reason = n.get(REASON);
        JsonNode cost = n.get(COST_USD);
        return new EpisodeLine(TreeLine.warmup(n), n.path(LineHead.WINDOW).asInt(-1), n.path(LineHead.USER).asLong(),
                n.has(LineHead.EPISODE) ? n.path(LineHead.EPISODE).asLong() : n.path(LineHead.SESSION).asLong(), n.path(SCENARIO).asText(""),
                n.path(OK).asBoolean(), reason == null || reason.isNull() ? null : reason.asText(), n.path(INTENDED_US).asLong(),
                n.path(DURATION_US).asLong(), n.path(CALLS).asLong(), n.path(ATTEMPTS).asLong(1),
                cost == null || !cost.isNumber() ? null : cost.decimalValue(), Collections.unmodifiableMap(tokens),
                Collections.unmodifiableMap(roles), Collections.unmodifiableMap(metrics));
    }

    /** Tokens of kind {@code kind} ({@code prompt}, {@code completion}...), 0 when absent. */
    public long tokens(String kind) {
        return tokens.getOrDefault(kind, 0L);
    }
}
