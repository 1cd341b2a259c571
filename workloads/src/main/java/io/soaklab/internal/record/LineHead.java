package io.soaklab.internal.record;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * The head every line of {@code calls.jsonl}, {@code episodes.jsonl} and {@code events.jsonl}
 * begins with: the window's phase and number, the user and the user's episode. Written and read
 * here only.
 */
final class LineHead {

    static final String PHASE = "phase";
    static final String WINDOW = "window";
    static final String USER = "user";
    static final String EPISODE = "episode";
    /** The shard that wrote the line, in a soak run by several ({@code --shard}); absent on one machine's. */
    static final String SHARD = "shard";
    /** An older name of {@link #EPISODE}, still read. */
    static final String SESSION = "session";
    static final String WARMUP = "warmup";
    static final String MEASURE = "measure";

    private LineHead() {
    }

    static void write(JsonGenerator g, boolean warmup, int window, int user, long episode) throws IOException {
        g.writeStringField(PHASE, warmup ? WARMUP : MEASURE);
        g.writeNumberField(WINDOW, window);
        g.writeNumberField(USER, user);
        g.writeNumberField(EPISODE, episode);
    }

    /** The line's last field, in a shard's run: which shard wrote it (also on {@code generator.jsonl}'s lines). */
    static void writeShard(JsonGenerator g, int shard) throws IOException {
        if (shard >= 0) {
            g.writeNumberField(SHARD, shard);
        }
    }
}
