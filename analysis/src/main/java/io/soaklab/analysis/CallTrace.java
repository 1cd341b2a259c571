package io.soaklab.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.Usage;
import io.soaklab.record.RunRecorder;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every call attempt's usage, read once from {@code calls.jsonl} into compact arrays: what prices
 * are applied to, again and again (the run's own tariff, other models', what-if changes), without
 * reading the file again. About 40 bytes a call.
 */
final class CallTrace {

    private static final JsonFactory JSON = new JsonFactory();

    int size;
    int[] prompt = new int[1024];
    int[] completion = new int[1024];
    int[] cached = new int[1024];
    int[] reasoning = new int[1024];
    int[] cacheWrite = new int[1024];
    int[] cacheWrite1h = new int[1024];
    /** Window of a measured call, -1 for warmup. */
    int[] window = new int[1024];
    /** Index into {@link #episodes}. */
    int[] episode = new int[1024];
    /** Index into {@link #roles}. */
    int[] role = new int[1024];
    boolean[] last = new boolean[1024];
    boolean[] estimated = new boolean[1024];
    final List<String> roles = new ArrayList<>();
    /** Episodes by (user, episode), in order of first call. */
    final List<long[]> episodes = new ArrayList<>();
    private final Map<Long, Integer> episodeIndex = new HashMap<>();
    private final Map<String, Integer> roleIndex = new HashMap<>();

    /** Receives each call as it is read, for a single pass that keeps nothing per call. */
    interface Sink {
        /**
         * @param window  the measured window, -1 for warmup
         * @param episode index into {@link #episodes}
         * @param role    the role's name
         * @param step    the call's number in its lane, from 0
         */
        void call(Usage usage, int window, int episode, String role, int step, boolean last);
    }

    /** Set when streaming: calls go there instead of into the arrays. */
    private Sink sink;

    /** Every call in {@code dir}, into compact arrays. */
    static CallTrace read(Path dir) throws IOException {
        return read(dir, null);
    }

    /**
     * Every call in {@code dir}, handed to {@code sink} one by one; the trace returned keeps only
     * the episodes and roles met (memory grows with episodes, not with calls).
     */
    static CallTrace stream(Path dir, Sink sink) throws IOException {
        return read(dir, sink);
    }

    private static CallTrace read(Path dir, Sink sink) throws IOException {
        CallTrace t = new CallTrace();
        t.sink = sink;
        Path file = dir.resolve(RunRecorder.CALLS);
        if (!Files.exists(file)) {
            return t;
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = reader.readLine()) != null) {
                if (!text.isBlank()) {
                    t.add(text);
                }
            }
        }
        return t;
    }

    private void add(String text) {
        boolean warmup = false;
        int w = 0;
        long user = 0;
        long ep = 0;
        String r = "agent";
        int st = 0;
        boolean isLast = true;
        long p = 0;
        long c = 0;
        long ca = 0;
        long re = 0;
        long cw = 0;
        long cw1 = 0;
        boolean est = false;
        boolean none = false;
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "phase" -> warmup = "warmup".equals(parser.getText());
                    case "window" -> w = parser.getIntValue();
                    case "user" -> user = parser.getLongValue();
                    case "episode", "session" -> ep = parser.getLongValue();
                    case "role" -> r = parser.getText();
                    case "step" -> st = parser.getIntValue();
                    case "last" -> isLast = parser.getBooleanValue();
                    case "prompt_tokens" -> p = parser.getLongValue();
                    case "completion_tokens" -> c = parser.getLongValue();
                    case "cached_tokens" -> ca = parser.getLongValue();
                    case "reasoning_tokens" -> re = parser.getLongValue();
                    case "cache_write_tokens" -> cw = parser.getLongValue();
                    case "cache_write_1h_tokens" -> cw1 = parser.getLongValue();
                    case "usage" -> {
                        est = "estimated".equals(parser.getText());
                        none = "none".equals(parser.getText());
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                return; // a line cut off by a killed run: left out, as RunData says
            }
        } catch (IOException | RuntimeException cutOff) {
            return;
        }
        long key = user * 1_000_000_007L + ep;
        final long u = user;
        final long e = ep;
        int episodeIndex = this.episodeIndex.computeIfAbsent(key, k -> {
            episodes.add(new long[] {u, e});
            return episodes.size() - 1;
        });
        int roleIndex = this.roleIndex.computeIfAbsent(r, k -> {
            roles.add(k);
            return roles.size() - 1;
        });
        if (sink != null) {
            sink.call(new Usage(p, c, ca, re, cw, cw1, none ? Usage.Source.NONE : est ? Usage.Source.ESTIMATED : Usage.Source.SERVER),
                    warmup ? -1 : w, episodeIndex,
                    roles.get(roleIndex), st, isLast);
            return;
        }
        grow();
        int i = size++;
        prompt[i] = count(p);
        completion[i] = count(c);
        cached[i] = count(ca);
        reasoning[i] = count(re);
        cacheWrite[i] = count(cw);
        cacheWrite1h[i] = count(cw1);
        window[i] = warmup ? -1 : w;
        episode[i] = episodeIndex;
        role[i] = roleIndex;
        last[i] = isLast;
        estimated[i] = est;
    }

    /** The episode index of (user, episode), or -1. */
    int episodeOf(long user, long ep) {
        Integer i = episodeIndex.get(user * 1_000_000_007L + ep);
        return i == null ? -1 : i;
    }

    /** A call's token count: no context holds two billion tokens, so an int keeps 10 million calls in 400 MB. */
    private static int count(long tokens) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, tokens));
    }

    /** Call {@code i}'s usage. */
    Usage usage(int i) {
        return new Usage(prompt[i], completion[i], cached[i], reasoning[i], cacheWrite[i], cacheWrite1h[i],
                estimated[i] ? Usage.Source.ESTIMATED : Usage.Source.SERVER);
    }

    private void grow() {
        if (size < prompt.length) {
            return;
        }
        int n = prompt.length * 2;
        prompt = Arrays.copyOf(prompt, n);
        completion = Arrays.copyOf(completion, n);
        cached = Arrays.copyOf(cached, n);
        reasoning = Arrays.copyOf(reasoning, n);
        cacheWrite = Arrays.copyOf(cacheWrite, n);
        cacheWrite1h = Arrays.copyOf(cacheWrite1h, n);
        window = Arrays.copyOf(window, n);
        episode = Arrays.copyOf(episode, n);
        role = Arrays.copyOf(role, n);
        last = Arrays.copyOf(last, n);
        estimated = Arrays.copyOf(estimated, n);
    }
}
