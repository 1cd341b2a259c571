package io.soaklab.internal.analysis;

import io.soaklab.internal.record.EpisodeLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The run's measured tasks, in the order they ended: each one's episode (an index of the
 * {@link CallTrace}) and whether it succeeded. Filled as {@code episodes.jsonl} is read, after the
 * calls; what each task cost is then the sum of its calls, priced under any tariff.
 */
final class TaskList implements EpisodeLine.Reader {

    private final CallTrace trace;
    int size;
    int[] episode = new int[256];
    boolean[] ok = new boolean[256];

    TaskList(CallTrace trace) {
        this.trace = trace;
    }

    /** Reads {@code dir}'s tasks, for a trace read on its own. */
    static TaskList read(Path dir, CallTrace trace) throws IOException {
        TaskList tasks = new TaskList(trace);
        EpisodeLine.read(dir, tasks);
        return tasks;
    }

    @Override
    public void episode(EpisodeLine line) {
        if (line.warmup() || line.attempts() == 0) {
            return; // warmup, or never started (an open load shed it): no task was done, nothing was paid
        }
        if (size == episode.length) {
            episode = Arrays.copyOf(episode, size * 2);
            ok = Arrays.copyOf(ok, size * 2);
        }
        episode[size] = trace.episodeOf(line.user(), line.episode());
        ok[size] = line.ok();
        size++;
    }
}
