package io.soaklab.internal.record;

import io.soaklab.internal.layout.RunFile;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.protocol.Usage;
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
 * EpisodeLine.read(runDir, episode -> { if (!episode.warmup() && episode.ok()) done++; });
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
 * @param attempts   attempts, retries included (0: an episode an open load shed, never started; -1: a line that does not say)
 * @param cost       what every attempt cost, exactly; null in an unpriced run
 * @param tokens     the usage of every attempt, summed ({@code cache_write_1h} is not kept in the file: 0)
 * @param lostTokens prompt and completion tokens of attempts that were retried
 * @param roles      each role's share ({@code busy_us}, {@code cached}, {@code calls}, {@code completion}, {@code failed}, {@code prompt})
 * @param metrics    the scenario's own figures
 */
public record EpisodeLine(boolean warmup, int window, long user, long episode, String scenario, boolean ok, String reason, long intendedUs,
                          long durationUs, long calls, long attempts, BigDecimal cost, Usage tokens, long lostTokens,
                          Map<String, RoleShare> roles, Map<String, Double> metrics) {

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
    // the kinds of tokens in "tokens" and in each role, written in this (alphabetical) order, each only when not zero
    static final String BUSY_US = "busy_us";
    static final String CACHE_WRITE = "cache_write";
    static final String CACHED = "cached";
    static final String COMPLETION = "completion";
    static final String FAILED = "failed";
    static final String LOST = "lost";
    static final String PROMPT = "prompt";
    static final String REASONING = "reasoning";

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

    /** Writes one finished episode's line: the head, then its fields ({@code cost_usd} exactly, when {@code priced}). */
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
        Usage t = e.tokens();
        nonZero(g, CACHE_WRITE, t.cacheWriteTokens());
        nonZero(g, CACHED, t.cachedTokens());
        nonZero(g, COMPLETION, t.completionTokens());
        nonZero(g, LOST, e.lostTokens());
        nonZero(g, PROMPT, t.promptTokens());
        nonZero(g, REASONING, t.reasoningTokens());
        g.writeEndObject();
        g.writeObjectFieldStart(ROLES);
        for (var role : new TreeMap<>(e.roles()).entrySet()) {
            RoleShare r = role.getValue();
            g.writeObjectFieldStart(role.getKey());
            nonZero(g, BUSY_US, r.busyMicros());
            nonZero(g, CACHED, r.usage().cachedTokens());
            nonZero(g, CALLS, r.calls());
            nonZero(g, COMPLETION, r.usage().completionTokens());
            nonZero(g, FAILED, r.failed());
            nonZero(g, PROMPT, r.usage().promptTokens());
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

    private static void nonZero(JsonGenerator g, String field, long value) throws IOException {
        if (value != 0) {
            g.writeNumberField(field, value);
        }
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
        JsonNode t = n.path(TOKENS);
        Usage tokens = new Usage(t.path(PROMPT).asLong(), t.path(COMPLETION).asLong(), t.path(CACHED).asLong(), t.path(REASONING).asLong(),
                t.path(CACHE_WRITE).asLong(), 0, Usage.Source.SERVER);
        Map<String, RoleShare> roles = new TreeMap<>();
        n.path(ROLES).fields().forEachRemaining(r -> {
            JsonNode f = r.getValue();
            roles.put(r.getKey(), new RoleShare(f.path(CALLS).asLong(), f.path(FAILED).asLong(), new Usage(f.path(PROMPT).asLong(),
                    f.path(COMPLETION).asLong(), f.path(CACHED).asLong(), 0, Usage.Source.SERVER), f.path(BUSY_US).asLong()));
        });
        Map<String, Double> metrics = new TreeMap<>();
        n.path(METRICS).fields().forEachRemaining(m -> metrics.put(m.getKey(), m.getValue().asDouble()));
        JsonNode reason = n.get(REASON);
        JsonNode cost = n.get(COST_USD);
        return new EpisodeLine(TreeLine.warmup(n), n.path(LineHead.WINDOW).asInt(-1), n.path(LineHead.USER).asLong(),
                n.has(LineHead.EPISODE) ? n.path(LineHead.EPISODE).asLong() : n.path(LineHead.SESSION).asLong(), n.path(SCENARIO).asText(""),
                n.path(OK).asBoolean(), reason == null || reason.isNull() ? null : reason.asText(), n.path(INTENDED_US).asLong(),
                n.path(DURATION_US).asLong(), n.path(CALLS).asLong(), n.path(ATTEMPTS).asLong(-1),
                cost == null || !cost.isNumber() ? null : cost.decimalValue(), tokens, t.path(LOST).asLong(),
                Collections.unmodifiableMap(roles), Collections.unmodifiableMap(metrics));
    }

    /** Merges the shards' files into {@code out}'s, in the order their episodes ended ({@code soaklab merge}). */
    public static LineMerge.Result merge(java.util.List<Path> shardDirs, Path out) throws IOException {
        return LineMerge.merge(shardDirs.stream().map(RunFile.EPISODES::in).toList(), RunFile.EPISODES.in(out), false, LineMerge.Keep.ALL,
                INTENDED_US, DURATION_US);
    }
}
