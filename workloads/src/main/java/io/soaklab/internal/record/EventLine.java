package io.soaklab.internal.record;

import io.soaklab.internal.layout.RunFile;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One line of {@code events.jsonl}: an event inside an episode (a compaction, a tool failure, a
 * probe's answer...). The file's only writer and reader. The head (phase, window, user, episode,
 * role, time, type) is fixed; the fields after it are the event's own, chosen by the scenario that
 * raised it (the built-in ones: {@code results/README.md}).
 *
 * <pre>{@code
 * EventLine.read(runDir, event -> { if (event.type().equals("compaction")) saved += event.number("saved_tokens"); });
 * }</pre>
 */
public final class EventLine {

    static final String ROLE = "role";
    static final String T_US = "t_us";
    static final String TYPE = "type";

    /** Receives each event, and each line that is not one. */
    public interface Reader {
        void event(EventLine line);

        /** A line that is not a valid event record, skipped; {@code last} when it is the file's last. */
        default void bad(long number, boolean last, String why) {
        }
    }

    private final JsonNode n;

    private EventLine(JsonNode n) {
        this.n = n;
    }

    /** Opens {@code dir}'s file for appending lines. */
    static JsonLines open(Path dir) throws IOException {
        return new JsonLines(RunFile.EVENTS.in(dir));
    }

    static void write(JsonGenerator g, boolean warmup, int window, int user, long episode, String role, long atEpochMicros, String type,
                      Object... fields) throws IOException {
        LineHead.write(g, warmup, window, user, episode);
        g.writeStringField(ROLE, role);
        g.writeNumberField(T_US, atEpochMicros);
        g.writeStringField(TYPE, type);
        for (int i = 0; i < fields.length; i += 2) {
            String name = (String) fields[i];
            Object v = fields[i + 1];
            if (v == null) {
                g.writeNullField(name);
            } else if (v instanceof Boolean b) {
                g.writeBooleanField(name, b);
            } else if (v instanceof Double || v instanceof Float) {
                g.writeNumberField(name, ((Number) v).doubleValue());
            } else if (v instanceof Number num) {
                g.writeNumberField(name, num.longValue());
            } else {
                g.writeStringField(name, v.toString());
            }
        }
    }

    /**
     * Reads every line of {@code dir}'s {@code events.jsonl}, warmup included.
     *
     * @return false when the file does not exist
     */
    public static boolean read(Path dir, Reader reader) throws IOException {
        return TreeLine.read(RunFile.EVENTS.in(dir), new TreeLine.Handler() {
            @Override
            public void line(JsonNode n) {
                reader.event(new EventLine(n));
            }

            @Override
            public void bad(long number, boolean last, String why) {
                reader.bad(number, last, why);
            }
        });
    }

    public boolean warmup() {
        return TreeLine.warmup(n);
    }

    /** The window it happened in, within its phase; -1 when the line names none. */
    public int window() {
        return n.path(LineHead.WINDOW).asInt(-1);
    }

    public String role() {
        return n.path(ROLE).asText();
    }

    /** When, epoch µs. */
    public long tUs() {
        return n.path(T_US).asLong();
    }

    public String type() {
        return n.path(TYPE).asText();
    }

    /** The event's own field {@code name} as text; "" when absent. */
    public String text(String name) {
        return n.path(name).asText("");
    }

    /** The event's own field {@code name} as a number; 0 when absent. */
    public double number(String name) {
        return n.path(name).asDouble(0);
    }

    /** The event's own field {@code name} as a whole number; 0 when absent. */
    public long count(String name) {
        return n.path(name).asLong(0);
    }

    /** The event's own field {@code name} as a boolean; false when absent. */
    public boolean flag(String name) {
        return n.path(name).asBoolean();
    }

    /** Merges the shards' files into {@code out}'s, in the order of their events' times ({@code soaklab merge}). */
    public static LineMerge.Result merge(java.util.List<Path> shardDirs, Path out) throws IOException {
        return LineMerge.merge(shardDirs.stream().map(RunFile.EVENTS::in).toList(), RunFile.EVENTS.in(out), false, LineMerge.Keep.ALL, T_US);
    }
}
