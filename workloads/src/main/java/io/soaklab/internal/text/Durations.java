package io.soaklab.internal.text;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place durations are read and written: {@code 500ms}, {@code 20s}, {@code 30m}, {@code 8h},
 * {@code 1d}, and combinations such as {@code 1h30m}.
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a message fit to show a user
     */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration: use e.g. 500ms, 20s, 30m, 8h or 1h30m");
        }
        if (s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("duration '" + s + "' has no unit: write " + s + "s, " + s + "m or " + s + "h");
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("duration '" + s + "' is too large");
            }
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            at = m.end();
        }
        if (at != s.length()) {
            throw new IllegalArgumentException("invalid duration '" + s + "': use e.g. 500ms, 20s, 30m, 8h or 1h30m");
        }
        return total;
    }

    /** The shortest text {@link #parse} reads back as {@code d}, e.g. {@code 1h30m} or {@code 250ms}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long days = d.toDays();
        long hours = d.toHoursPart();
        long minutes = d.toMinutesPart();
        long seconds = d.toSecondsPart();
        long millis = d.toMillisPart();
        if (days > 0) {
            out.append(days).append('d');
        }
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (seconds > 0) {
            out.append(seconds).append('s');
        }
        if (millis > 0) {
            out.append(millis).append("ms");
        }
        return out.toString();
    }

    /** Durations in soaklab's files (run.json, scenario YAML): written and read in this notation. */
    public static Module jacksonModule() {
        SimpleModule module = new SimpleModule("soaklab-durations");
        module.addSerializer(Duration.class, new StdSerializer<>(Duration.class) {
            private static final long serialVersionUID = 1L;

            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(format(value));
            }
        });
        module.addDeserializer(Duration.class, new StdDeserializer<>(Duration.class) {
            private static final long serialVersionUID = 1L;

            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                try {
                    return parse(text);
                } catch (IllegalArgumentException e) {
                    return (Duration) ctxt.handleWeirdStringValue(Duration.class, text, e.getMessage());
                }
            }
        });
        // instants as ISO-8601 text, e.g. 2026-12-03T05:00:00Z (run.json's start_at)
        module.addSerializer(java.time.Instant.class, new StdSerializer<>(java.time.Instant.class) {
            private static final long serialVersionUID = 1L;

            @Override
            public void serialize(java.time.Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(value.toString());
            }
        });
        module.addDeserializer(java.time.Instant.class, new StdDeserializer<>(java.time.Instant.class) {
            private static final long serialVersionUID = 1L;

            @Override
            public java.time.Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                try {
                    return java.time.Instant.parse(text);
                } catch (java.time.format.DateTimeParseException e) {
                    return (java.time.Instant) ctxt.handleWeirdStringValue(java.time.Instant.class, text, e.getMessage());
                }
            }
        });
        return module;
    }
}
