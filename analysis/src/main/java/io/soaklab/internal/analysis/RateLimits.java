package io.soaklab.internal.analysis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The provider's rate limit, as its refusals said it: the limit headers a 429 carried (kept at the
 * head of the call's error detail, {@code HTTP 429 [x-ratelimit-limit-requests: 60; ...]}), else
 * OpenAI's message ({@code ... on requests per min (RPM): Limit 60, Used 60 ...}).
 */
final class RateLimits {

    private static final Pattern HEADERS = Pattern.compile("^HTTP 429 \\[([^\\]]*)]");
    private static final Pattern MESSAGE = Pattern.compile("on (requests|tokens|input tokens|output tokens) per (min|day)[^:]*:\\s*Limit (\\d+)");

    private RateLimits() {
    }

    /**
     * In words, e.g. {@code x-ratelimit-limit-requests 60, x-ratelimit-limit-tokens 150000 (requests ran out)}; null when no
     * sample says a limit.
     */
    static String describe(List<String> samples) {
        Map<String, String> limits = new LinkedHashMap<>();
        Map<String, Boolean> exhausted = new LinkedHashMap<>();
        for (String sample : samples) {
            if (sample == null) {
                continue;
            }
            Matcher m = HEADERS.matcher(sample);
            if (m.find()) {
                for (String part : m.group(1).split(";")) {
                    String[] kv = part.split(":", 2);
                    if (kv.length != 2) {
                        continue;
                    }
                    String name = kv[0].strip();
                    if (name.contains("remaining")) {
                        exhausted.put(name.replace("remaining", "").replace("--", "-").replaceAll("-$", ""), true);
                    } else {
                        limits.putIfAbsent(name, kv[1].strip());
                    }
                }
                continue;
            }
            Matcher msg = MESSAGE.matcher(sample);
            if (msg.find()) {
                limits.putIfAbsent(msg.group(1) + " per " + msg.group(2), msg.group(3));
            }
        }
        if (limits.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        limits.forEach((k, v) -> out.append(out.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        List<String> ran = exhausted.keySet().stream().map(RateLimits::what).distinct().toList();
        if (!ran.isEmpty()) {
            out.append(" (").append(String.join(" and ", ran)).append(" ran out)");
        }
        return out.toString();
    }

    /** {@code x-ratelimit-requests} → {@code requests}, {@code anthropic-ratelimit-input-tokens} → {@code input-tokens}. */
    private static String what(String name) {
        return name.replaceFirst("^(x-|anthropic-)?ratelimit-", "");
    }
}
