package io.soaklab.scenario;

import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kind {@code replay}: a recorded trace's sessions, one an episode, each request sent as recorded.
 * Timed ({@code speed} a factor), the trace's part from {@code from} to {@code to} keeps its times
 * divided by the speed: episode {@code k} of the open load is the {@code k}-th session to start, and
 * arrives at its start ({@link #schedule}); a later request of a session is due at its recorded
 * offset from the session's start, or when the reply before it ends if that is later (a session
 * cannot send its next turn before it has the last). At {@code speed: max} each user's next episode
 * is the trace's next session, the requests back to back, the trace starting again at its end.
 */
final class ReplayScenario extends SpecScenario {

    /** Skipped lines named one by one on the console; the rest are counted. */
    private static final int NAMED = 20;

    private final ScenarioSpec.Replay replay;
    private final List<Trace.Session> sessions;
    private final long fromMicros;
    private final AtomicLong next = new AtomicLong();

    ReplayScenario(ScenarioSpec spec) {
        super(spec);
        this.replay = spec.replay();
        Trace trace = Trace.read(Path.of(replay.file()), replay.episode());
        this.fromMicros = replay.from().toNanos() / 1000;
        long toMicros = replay.to() == null ? Long.MAX_VALUE : replay.to().toNanos() / 1000;
        this.sessions = trace.sessions.stream().filter(s -> s.startMicros() >= fromMicros && s.startMicros() < toMicros).toList();
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("replay file " + trace.file + ": no request starts between replay.from and replay.to");
        }
        report(trace);
    }

    /** One console line for the trace, and one for each skipped line (the first {@value #NAMED}). */
    private void report(Trace trace) {
        int requests = sessions.stream().mapToInt(s -> s.requests().size()).sum();
        System.err.println("soaklab: replaying " + trace.file + ", a " + trace.format.describe() + ": " + requests + " requests in "
                + sessions.size() + " sessions" + (trace.skipped.isEmpty() ? "" : "; " + trace.skipped.size() + " of " + trace.lines
                + " lines skipped"));
        trace.skipped.stream().limit(NAMED).forEach(why -> System.err.println("soaklab: replay " + trace.file.getFileName() + " " + why));
        if (trace.skipped.size() > NAMED) {
            System.err.println("soaklab: replay " + trace.file.getFileName() + ": " + (trace.skipped.size() - NAMED) + " more lines skipped");
        }
    }

    /** When each session starts, in nanoseconds after the replay's start; null when not timed. */
    long[] schedule() {
        if (!replay.timed()) {
            return null;
        }
        long[] starts = new long[sessions.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = nanos(sessions.get(i).startMicros() - fromMicros);
        }
        return starts;
    }

    /** A span of the trace in this replay's time. */
    private long nanos(long micros) {
        return Math.round(micros * 1000.0 / replay.speed());
    }

    @Override
    public void run(Episode episode) throws InterruptedException {
        long k = replay.timed() ? episode.index() : next.getAndIncrement();
        Trace.Session session = sessions.get((int) Math.floorMod(k, (long) sessions.size()));
        long first = session.startMicros();
        for (Trace.Request r : session.requests()) {
            if (replay.timed()) {
                long wait = nanos(r.atMicros() - first) - episode.elapsedNanos();
                if (wait > 0) {
                    episode.pause(Duration.ofNanos(wait));
                }
            }
            ChatRequest request = r.body() != null ? r.body() : MooncakePrompt.request(r.mooncake(), replay.exactOutput());
            CallResult result = episode.call(request);
            if (!result.ok()) {
                episode.fail("model_" + result.error().wireName()); // the session goes on: its recorded requests do not need the replies
            }
        }
    }
}
