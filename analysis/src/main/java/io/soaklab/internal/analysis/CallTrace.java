package io.soaklab.internal.analysis;

import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.CallLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every call attempt's usage, as {@code calls.jsonl} is read: handed on to a {@link Sink} (the run's
 * own costs, keeping nothing per call), and, when kept, into compact arrays that prices are applied
 * to again and again (other models', what-if changes) without reading the file again. About 40
 * bytes a call.
 */
final class CallTrace implements CallLine.Reader {

    int size;
    int[] prompt = new int[1024];
    int[] completion = new int[1024];
    int[] cached = new int[1024];
    int[] reasoning = new int[1024];
    int[] cacheWrite = new int[1024];
    int[] cacheWrite1h = new int[1024];
    /** Window of a measured call, -1 for warmup. */
    int[] window = new int[1024];
    /** The episode's number in {@link #episodeIndex}. */
    int[] episode = new int[1024];
    /** Index into {@link #roles}. */
    int[] role = new int[1024];
    boolean[] last = new boolean[1024];
    boolean[] estimated = new boolean[1024];
    final List<String> roles = new ArrayList<>();
    /** Episodes by (user, episode), in order of first call. */
    private final EpisodeIndex episodeIndex = new EpisodeIndex();
    private final Map<String, Integer> roleIndex = new HashMap<>();

    /** Receives each call as it is read, for a single pass that keeps nothing per call. */
    interface Sink {
        /**
         * @param window  the measured window, -1 for warmup
         * @param episode the episode's number (its user and episode, numbered in the order met)
         * @param role    the role's name
         * @param step    the call's number in its lane, from 0
         * @param atUs    when the call was sent (epoch microseconds), or, for one never sent, meant to start
         */
        void call(Usage usage, int window, int episode, String role, int step, boolean last, long atUs);
    }

    /** Where each call goes as it is read, or null. */
    private final Sink sink;
    /** Whether every call's usage is kept in the arrays (to be priced again), or only handed to the sink. */
    private final boolean keep;

    /**
     * @param sink receives each call as it is read; null for none
     * @param keep whether every call's usage is kept, about 40 bytes a call
     */
    CallTrace(Sink sink, boolean keep) {
        this.sink = sink;
        this.keep = keep;
    }

    /** Reads every call of {@code dir} into a trace that keeps them: for a run loaded without its calls' usage. */
    static CallTrace read(Path dir) throws IOException {
        CallTrace t = new CallTrace(null, true);
        CallLine.read(dir, t); // a bad line is left out, as RunData says
        return t;
    }

    /** True when every call's usage is here. */
    boolean kept() {
        return keep;
    }

    @Override
    public void line(CallLine line) {
        int episodeIndex = this.episodeIndex.of(line.user(), line.episode());
        int roleIndex = this.roleIndex.computeIfAbsent(line.role(), k -> {
            roles.add(k);
            return roles.size() - 1;
        });
        int w = line.warmup() ? -1 : line.window();
        Usage u = line.usage();
        if (sink != null) {
            long sent = line.sentAtUs();
            sink.call(u, w, episodeIndex, roles.get(roleIndex), line.step(), line.last(), sent >= 0 ? sent : line.intendedUs());
        }
        if (!keep) {
            return;
        }
        grow();
        int i = size++;
        prompt[i] = count(u.promptTokens());
        completion[i] = count(u.completionTokens());
        cached[i] = count(u.cachedTokens());
        reasoning[i] = count(u.reasoningTokens());
        cacheWrite[i] = count(u.cacheWriteTokens());
        cacheWrite1h[i] = count(u.cacheWrite1hTokens());
        window[i] = w;
        episode[i] = episodeIndex;
        role[i] = roleIndex;
        last[i] = line.last();
        estimated[i] = u.source() == Usage.Source.ESTIMATED;
    }

    /** The episode index of (user, episode), or -1. */
    int episodeOf(long user, long ep) {
        return episodeIndex.get(user, ep);
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
