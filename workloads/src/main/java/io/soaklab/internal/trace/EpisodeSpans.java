package io.soaklab.internal.trace;

import io.soaklab.internal.record.CallInfo;
import io.soaklab.internal.record.EpisodeRecord;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import java.math.BigDecimal;

/**
 * What the episode runner tells a trace of each episode: its start, its agents' lanes, every
 * attempt and tool run, and its end. The runner keeps none of it; the trace is built only at the
 * episode's end ({@link Episode#end}), so an episode is traced whole or not at all. Times are
 * {@link System#nanoTime()} readings on the episode's timeline.
 *
 * <pre>{@code
 * EpisodeSpans.Episode trace = spans.begin(user, episode, "team", intendedStart);  // null: not traced
 * int lane = trace.lane(EpisodeSpans.MAIN, "researcher", at);
 * trace.attempt(lane, info, request, result, cost);
 * trace.laneEnd(lane, end);
 * trace.end(record);
 * }</pre>
 */
public interface EpisodeSpans {

    /** The episode's main lane: the root agent, whose lane every sub-agent fans out from. */
    int MAIN = 0;

    /**
     * An episode is starting at {@code intendedStart}.
     *
     * @return what to tell of it, or null when it is not traced (sampled out): nothing more is asked
     */
    Episode begin(int user, long episode, String scenario, long intendedStart);

    /** One episode's trace in the making: told from the episode's threads, its lanes' at once. */
    interface Episode {

        /** A sub-agent's lane starts at {@code start}, fanned out from lane {@code parent}; returns its number. */
        int lane(int parent, String role, long start);

        /** Lane {@code lane} ended at {@code end}: its sub-agent returned (or failed). */
        void laneEnd(int lane, long end);

        /** One attempt of a call on lane {@code lane}, as recorded, with what it cost. */
        void attempt(int lane, CallInfo info, ChatRequest request, CallResult result, BigDecimal cost);

        /** Lane {@code lane} ran tool {@code name} from {@code start} to {@code end}. */
        void tool(int lane, String name, long start, long end);

        /** The episode ended as {@code record} says: its trace is built and handed on now, or dropped. */
        void end(EpisodeRecord record);
    }
}
