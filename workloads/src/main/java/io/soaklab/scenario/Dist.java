package io.soaklab.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A distribution of whole numbers (token counts, steps, sub-agents), written in a scenario file as
 * a number ({@code 600}), a uniform range ({@code {min: 80, max: 400}}) or a log-normal one
 * ({@code {median: 600, sigma: 0.8, max: 6000}}, optionally with {@code min}).
 *
 * @param min    smallest value
 * @param max    largest value
 * @param median log-normal median, or 0 for uniform between min and max
 * @param sigma  log-normal spread
 */
record Dist(int min, int max, double median, double sigma) {

    public Dist {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("needs 0 <= min <= max, was min " + min + ", max " + max);
        }
        if (median < 0 || sigma < 0) {
            throw new IllegalArgumentException("median and sigma must not be negative");
        }
    }

    public static Dist fixed(int value) {
        return new Dist(value, value, 0, 0);
    }

    public static Dist uniform(int min, int max) {
        return new Dist(min, max, 0, 0);
    }

    public static Dist logNormal(double median, double sigma, int min, int max) {
        return new Dist(min, max, median, sigma);
    }

    /** One draw. */
    public int draw(SplittableRandom random) {
        if (median > 0) {
            long v = Math.round(median * Math.exp(sigma * random.nextGaussian()));
            return (int) Math.max(min, Math.min(max, v));
        }
        return min == max ? min : random.nextInt(min, max + 1);
    }

    /** The typical value: the median, or the middle of the range. */
    public double typical() {
        return median > 0 ? median : (min + max) / 2.0;
    }

    @JsonCreator
    static Dist read(JsonNode node) {
        if (node.isIntegralNumber()) {
            return fixed(whole(node, "the value"));
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a number, {min, max} or {median, sigma, max}");
        }
        Set<String> known = Set.of("min", "max", "median", "sigma");
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "' (known: min, max, median, sigma)");
            }
        }
        if (node.has("median")) {
            double median = number(node.get("median"), "median");
            double sigma = node.has("sigma") ? number(node.get("sigma"), "sigma") : 0.5;
            return logNormal(median, sigma, node.has("min") ? whole(node.get("min"), "min") : 1,
                    node.has("max") ? whole(node.get("max"), "max") : (int) Math.min(Integer.MAX_VALUE, Math.ceil(median * 20)));
        }
        if (!node.has("min") || !node.has("max")) {
            throw new IllegalArgumentException("a range needs both min and max");
        }
        return uniform(whole(node.get("min"), "min"), whole(node.get("max"), "max"));
    }

    private static int whole(JsonNode n, String what) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(what + " must be a whole number up to " + Integer.MAX_VALUE + ", was '" + n.asText() + "'");
        }
        return n.intValue();
    }

    private static double number(JsonNode n, String what) {
        if (!n.isNumber()) {
            throw new IllegalArgumentException(what + " must be a number, was '" + n.asText() + "'");
        }
        return n.doubleValue();
    }
}
