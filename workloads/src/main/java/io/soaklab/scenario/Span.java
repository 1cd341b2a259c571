package io.soaklab.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.internal.text.Durations;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A span of time drawn uniformly (tool time, think time, gaps between sessions), written in a
 * scenario file as a duration ({@code 200ms}) or a range ({@code {min: 50ms, max: 500ms}}).
 */
record Span(Duration min, Duration max) {

    public static final Span ZERO = new Span(Duration.ZERO, Duration.ZERO);

    public Span {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("needs 0 <= min <= max, was min " + Durations.format(min) + ", max " + Durations.format(max));
        }
    }

    public static Span of(Duration d) {
        return new Span(d, d);
    }

    public Duration draw(SplittableRandom random) {
        long lo = min.toNanos();
        long hi = max.toNanos();
        return lo == hi ? min : Duration.ofNanos(random.nextLong(lo, hi + 1));
    }

    @JsonCreator
    static Span read(JsonNode node) {
        if (node.isTextual()) {
            return of(Durations.parse(node.asText()));
        }
        if (node.isObject() && node.has("min") && node.has("max") && node.size() == 2) {
            return new Span(Durations.parse(node.get("min").asText()), Durations.parse(node.get("max").asText()));
        }
        throw new IllegalArgumentException("expected a duration (e.g. 200ms) or {min: 50ms, max: 500ms}");
    }
}
