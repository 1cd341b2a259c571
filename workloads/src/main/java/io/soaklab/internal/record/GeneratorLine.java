package io.soaklab.internal.record;

import io.soaklab.internal.layout.RunFile;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One line of {@code generator.jsonl}: the load generator's own health over one window (warmup
 * too). The file's only writer and reader. Field meanings: {@code results/README.md}.
 *
 * @param warmup   true for a warmup window
 * @param window   the window's number within its phase
 * @param gcMillis collection time in the window; -1 when the line has none
 * @param gcCount  collections in the window; -1 when the line has none
 * @param cpu      the process's share of every core, 0..1; NaN when unknown
 * @param systemCpu the machine's, 0..1; NaN when unknown
 * @param heapMb   heap in use at the window's close, MiB; -1 when unknown
 * @param threads  live threads; -1 when unknown
 * @param pauseP99Micros how late the generator's pause meter woke at P99 in the window, microseconds; -1 when the line has none
 * @param pauseMaxMicros its longest delay; -1 when the line has none
 * @param silenceMicros  the longest time in the window that replies were streaming and no byte arrived; -1 when the line has none
 */
public record GeneratorLine(boolean warmup, int window, long gcMillis, long gcCount, double cpu, double systemCpu, long heapMb, int threads,
                            long pauseP99Micros, long pauseMaxMicros, long silenceMicros) {

    static final String GC_MS = "gc_ms";
    static final String GC_COUNT = "gc_count";
    static final String CPU = "cpu";
    static final String SYSTEM_CPU = "system_cpu";
    static final String HEAP_MB = "heap_mb";
    static final String THREADS = "threads";
    static final String PAUSE_P99_US = "pause_p99_us";
    static final String PAUSE_MAX_US = "pause_max_us";
    static final String SILENCE_US = "silence_us";

    /** Receives each window's line. */
    public interface Reader {
        void window(GeneratorLine line);
    }

    /** Opens {@code dir}'s file for appending lines. */
    static JsonLines open(Path dir) throws IOException {
        return new JsonLines(RunFile.GENERATOR.in(dir));
    }

    static void write(JsonGenerator g, boolean warmup, int window, GeneratorHealth.Sample h) throws IOException {
        g.writeStringField(LineHead.PHASE, warmup ? LineHead.WARMUP : LineHead.MEASURE);
        g.writeNumberField(LineHead.WINDOW, window);
        g.writeNumberField(GC_MS, h.gcMillis());
        g.writeNumberField(GC_COUNT, h.gcCount());
        if (h.cpu() >= 0) {
            g.writeNumberField(CPU, Math.round(h.cpu() * 1000) / 1000.0);
        }
        if (h.systemCpu() >= 0) {
            g.writeNumberField(SYSTEM_CPU, Math.round(h.systemCpu() * 1000) / 1000.0);
        }
        g.writeNumberField(HEAP_MB, h.heapBytes() >> 20);
        g.writeNumberField(THREADS, h.threads());
        if (h.pauseP99Micros() >= 0) {
            g.writeNumberField(PAUSE_P99_US, h.pauseP99Micros());
            g.writeNumberField(PAUSE_MAX_US, h.pauseMaxMicros());
        }
        if (h.silenceMicros() >= 0) {
            g.writeNumberField(SILENCE_US, h.silenceMicros());
        }
    }

    /**
     * Reads every line of {@code dir}'s {@code generator.jsonl} that names a window; an unreadable
     * line (the last one of a killed run) is skipped.
     *
     * @return false when the file does not exist (a run older than the file)
     */
    public static boolean read(Path dir, Reader reader) throws IOException {
        return TreeLine.read(RunFile.GENERATOR.in(dir), new TreeLine.Handler() {
            @Override
            public void line(JsonNode n) {
                int w = n.path(LineHead.WINDOW).asInt(-1);
                String phase = n.path(LineHead.PHASE).asText();
                if (w >= 0 && (phase.equals(LineHead.WARMUP) || phase.equals(LineHead.MEASURE))) {
                    reader.window(new GeneratorLine(TreeLine.warmup(n), w, n.path(GC_MS).asLong(-1), n.path(GC_COUNT).asLong(-1),
                            n.has(CPU) ? n.get(CPU).asDouble() : Double.NaN, n.has(SYSTEM_CPU) ? n.get(SYSTEM_CPU).asDouble() : Double.NaN,
                            n.path(HEAP_MB).asLong(-1), n.path(THREADS).asInt(-1), n.path(PAUSE_P99_US).asLong(-1),
                            n.path(PAUSE_MAX_US).asLong(-1), n.path(SILENCE_US).asLong(-1)));
                }
            }

            @Override
            public void bad(long number, boolean last, String why) {
            }
        });
    }

    /**
     * Merges the shards' files into {@code out}'s ({@code soaklab merge}): every shard's lines kept,
     * shard after shard, each saying its shard; a reader sees several lines for one window.
     */
    public static LineMerge.Result merge(java.util.List<Path> shardDirs, Path out) throws IOException {
        return LineMerge.merge(shardDirs.stream().map(RunFile.GENERATOR::in).toList(), RunFile.GENERATOR.in(out), false, LineMerge.Keep.ALL);
    }
}
