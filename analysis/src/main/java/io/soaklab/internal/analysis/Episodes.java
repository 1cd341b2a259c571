package io.soaklab.internal.analysis;

import io.soaklab.internal.record.EpisodeLine;
import io.soaklab.internal.record.EventLine;
import io.soaklab.internal.layout.RunFile;
import io.soaklab.protocol.Usage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The measured episodes of a run ({@code episodes.jsonl}) and what happened inside them
 * ({@code events.jsonl}): outcomes, tokens per episode, the scenario's own figures, probe accuracy by
 * context length, depth and window, compactions, tool failures, critical paths, resumes.
 *
 * <pre>{@code
 * Episodes e = RunData.load(dir).episodes();
 * double perEpisode = e.tokensPerEpisode().get("prompt");
 * Episodes.Accuracy at32k = e.probeByLength().get(32000);
 * }</pre>
 */
public final class Episodes {

    private static final int DEPTH_BUCKETS = 5;

    /** Probe answers: how many, how many exact, and their summed similarity. */
    public record Accuracy(long questions, long exact, double similaritySum) {
        public static final Accuracy EMPTY = new Accuracy(0, 0, 0);

        /** Share of exact answers, NaN without questions. */
        public double rate() {
            return questions == 0 ? Double.NaN : (double) exact / questions;
        }

        public double meanSimilarity() {
            return questions == 0 ? Double.NaN : similaritySum / questions;
        }

        Accuracy plus(boolean isExact, double similarity) {
            return new Accuracy(questions + 1, exact + (isExact ? 1 : 0), similaritySum + similarity);
        }
    }

    /**
     * Probe answers whose context the server processed at about the same length (within a factor of
     * √2 of a power of two), with the lengths the scenario planned for them: a server that truncates
     * prompts shows as planned lengths far above what it processed.
     *
     * @param meanTokens the mean prompt tokens the server processed (soaklab's count where it reported none)
     * @param accuracy   the answers
     * @param planned    questions by the context length the scenario planned
     */
    public record ProbeBin(double meanTokens, Accuracy accuracy, Map<Integer, Long> planned) {
    }

    private static final class BinBuilder {
        double tokenSum;
        Accuracy accuracy = Accuracy.EMPTY;
        final Map<Integer, Long> planned = new TreeMap<>();
    }

    private final Map<Long, BinBuilder> byProcessed = new TreeMap<>();
    private long ok;
    private long failed;
    private final Map<String, Long> reasons = new TreeMap<>();
    private final Histogram duration = new Histogram(3);
    private long calls;
    private long attempts;
    private Usage tokens = Usage.NONE;
    private long lostTokens;
    private final Map<String, Double> metrics = new TreeMap<>();
    private final Map<String, Long> events = new TreeMap<>();
    private final Map<Integer, Accuracy> byLength = new TreeMap<>();
    private final Accuracy[] byDepth = new Accuracy[DEPTH_BUCKETS];
    private final List<Accuracy> byWindow = new ArrayList<>();
    private final Map<String, Long> slowestRoles = new TreeMap<>();
    private final Map<String, long[]> carried = new TreeMap<>();
    private final Map<String, Long> toolActions = new TreeMap<>();
    private long compactionSaved;

    private final List<String> notes;

    Episodes(List<String> notes) {
        this.notes = notes;
        java.util.Arrays.fill(byDepth, Accuracy.EMPTY);
    }

    /** Reads {@code dir}'s episodes and events on their own. */
    static Episodes read(Path dir, List<String> notes) throws IOException {
        Episodes e = new Episodes(notes);
        EpisodeLine.read(dir, e.episodeReader());
        EventLine.read(dir, e.eventReader());
        return e;
    }

    /** Takes the measured episodes of {@code episodes.jsonl}; a line cut off is noted. */
    EpisodeLine.Reader episodeReader() {
        return new EpisodeLine.Reader() {
            @Override
            public void episode(EpisodeLine line) {
                if (!line.warmup()) {
                    Episodes.this.episode(line);
                }
            }

            @Override
            public void bad(long number, boolean last, String why) {
                cutOff(RunFile.EPISODES);
            }
        };
    }

    /** Takes the measured events of {@code events.jsonl}; a line cut off is noted. */
    EventLine.Reader eventReader() {
        return new EventLine.Reader() {
            @Override
            public void event(EventLine line) {
                if (!line.warmup()) {
                    Episodes.this.event(line);
                }
            }

            @Override
            public void bad(long number, boolean last, String why) {
                cutOff(RunFile.EVENTS);
            }
        };
    }

    private void cutOff(RunFile file) {
        notes.add(file.fileName() + " ends with an incomplete line (the run was cut off while writing it).");
    }

    private void episode(EpisodeLine n) {
        if (n.ok()) {
            ok++;
            duration.recordValue(Math.max(0, n.durationUs()));
        } else {
            failed++;
            reasons.merge(n.reason() == null ? "failed" : n.reason(), 1L, Long::sum);
        }
        calls += n.calls();
        attempts += Math.max(0, n.attempts());
        tokens = tokens.plus(n.tokens());
        lostTokens += n.lostTokens();
        n.metrics().forEach((name, value) -> metrics.merge(name, value, Double::sum));
    }

    private void event(EventLine n) {
        String type = n.type();
        events.merge(type, 1L, Long::sum);
        switch (type) {
            case "probe" -> {
                boolean exact = n.flag("exact");
                double similarity = n.number("similarity");
                int planned = (int) n.count("planned_tokens");
                byLength.merge(planned, Accuracy.EMPTY.plus(exact, similarity),
                        (a, b) -> new Accuracy(a.questions + b.questions, a.exact + b.exact, a.similaritySum + b.similaritySum));
                long processed = n.count("context_tokens") > 0 ? n.count("context_tokens") : planned;
                BinBuilder bin = byProcessed.computeIfAbsent(Math.round(Math.log(Math.max(1, processed)) / Math.log(2)), k -> new BinBuilder());
                bin.tokenSum += processed;
                bin.accuracy = bin.accuracy.plus(exact, similarity);
                bin.planned.merge(planned, 1L, Long::sum);
                int d = (int) Math.min(DEPTH_BUCKETS - 1, Math.max(0, Math.floor(n.number("depth") * DEPTH_BUCKETS)));
                byDepth[d] = byDepth[d].plus(exact, similarity);
                int w = Math.max(0, n.window());
                while (byWindow.size() <= w) {
                    byWindow.add(Accuracy.EMPTY);
                }
                byWindow.set(w, byWindow.get(w).plus(exact, similarity));
            }
            case "critical_path" -> slowestRoles.merge(n.text("slowest_role"), 1L, Long::sum);
            case "resume" -> {
                long[] c = carried.computeIfAbsent(n.text("arm"), k -> new long[2]);
                c[0]++;
                c[1] += n.count("carried_tokens");
            }
            case "tool_failure" -> toolActions.merge(n.text("action").replaceAll(":.*", ""), 1L, Long::sum);
            case "compaction" -> compactionSaved += n.count("saved_tokens");
            default -> {
            }
        }
    }

    /** Episodes that ended during measurement. */
    public long count() {
        return ok + failed;
    }

    public long ok() {
        return ok;
    }

    public long failed() {
        return failed;
    }

    /** Why episodes failed, with how often. */
    public Map<String, Long> reasons() {
        return Collections.unmodifiableMap(reasons);
    }

    /** Durations of successful episodes, microseconds from intended start to end. */
    public Percentiles duration() {
        return Percentiles.of(duration);
    }

    public double meanCalls() {
        return count() == 0 ? 0 : (double) calls / count();
    }

    public double meanAttempts() {
        return count() == 0 ? 0 : (double) attempts / count();
    }

    /** Mean tokens per episode by kind: {@code prompt}, {@code completion}, {@code cached}, {@code cache_write}, {@code reasoning}, {@code lost}. */
    public Map<String, Double> tokensPerEpisode() {
        Map<String, Double> out = new LinkedHashMap<>(); // the kinds any episode had, in the run folder's order
        perEpisode(out, "cache_write", tokens.cacheWriteTokens());
        perEpisode(out, "cached", tokens.cachedTokens());
        perEpisode(out, "completion", tokens.completionTokens());
        perEpisode(out, "lost", lostTokens);
        perEpisode(out, "prompt", tokens.promptTokens());
        perEpisode(out, "reasoning", tokens.reasoningTokens());
        return out;
    }

    private void perEpisode(Map<String, Double> out, String kind, long total) {
        if (total != 0) {
            out.put(kind, count() == 0 ? 0 : (double) total / count());
        }
    }

    /** The scenario's own figures, summed over episodes (compactions, tool_failures, probe_exact...). */
    public Map<String, Double> metricSums() {
        return Collections.unmodifiableMap(metrics);
    }

    /** Events by type. */
    public Map<String, Long> eventCounts() {
        return Collections.unmodifiableMap(events);
    }

    /** Probe accuracy by planned context length. */
    public Map<Integer, Accuracy> probeByLength() {
        return Collections.unmodifiableMap(byLength);
    }

    /** Probe accuracy by the context length the server processed, shortest first, with the planned lengths beside. */
    public List<ProbeBin> probeByProcessed() {
        List<ProbeBin> out = new ArrayList<>();
        byProcessed.values().forEach(b -> out.add(new ProbeBin(b.tokenSum / b.accuracy.questions(), b.accuracy,
                Collections.unmodifiableMap(b.planned))));
        return List.copyOf(out);
    }

    /** Probe accuracy by the fact's depth, in fifths of the context (0-20%, 20-40%...). */
    public List<Accuracy> probeByDepth() {
        return List.of(byDepth);
    }

    /** Probe accuracy in measured window {@code window}. */
    public Accuracy probesInWindow(int window) {
        return window < byWindow.size() ? byWindow.get(window) : Accuracy.EMPTY;
    }

    /** Every probe answer. */
    public Accuracy probes() {
        Accuracy all = Accuracy.EMPTY;
        for (Accuracy a : byLength.values()) {
            all = new Accuracy(all.questions + a.questions, all.exact + a.exact, all.similaritySum + a.similaritySum);
        }
        return all;
    }

    /** How often each role was the slowest specialist of a team (the critical path). */
    public Map<String, Long> slowestRoles() {
        return Collections.unmodifiableMap(slowestRoles);
    }

    /** Mean tokens carried into a resumed session, by arm ({@code memory}, {@code full}). */
    public Map<String, Double> carriedByArm() {
        Map<String, Double> out = new TreeMap<>();
        carried.forEach((arm, c) -> out.put(arm, c[0] == 0 ? 0 : (double) c[1] / c[0]));
        return out;
    }

    /** What agents did after tool failures: {@code retry}, {@code fallback}, {@code tell_model}, {@code give_up}. */
    public Map<String, Long> toolFailureActions() {
        return Collections.unmodifiableMap(toolActions);
    }

    /** Tokens compaction removed from conversations, in all. */
    public long compactionSavedTokens() {
        return compactionSaved;
    }
}
