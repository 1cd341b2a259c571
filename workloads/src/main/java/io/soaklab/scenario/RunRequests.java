package io.soaklab.scenario;

import io.soaklab.internal.layout.RunFile;
import io.soaklab.internal.record.RequestLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A soaklab run folder's recorded requests ({@code --record-requests}) as a trace to replay: each
 * call's first attempt once, at its intended start, as soaklab asked it, so that the same client
 * sends the same bytes (a retry is the replaying run's own policy's to make). Every call is a
 * session of its own: the run's calls leave when they left, whatever the new endpoint answers, and
 * the sub-agents of an episode still overlap as they did.
 */
final class RunRequests {

    private RunRequests() {
    }

    /**
     * Reads run folder {@code dir}'s requests, only episode {@code episode} ({@code USER:EPISODE}) when not null.
     *
     * @throws IllegalArgumentException one line: no recorded requests, an unreadable file, no such episode
     */
    static Trace read(Path dir, String episode) {
        Path file = dir.resolve(RunFile.REQUESTS.fileName()); // named in messages; RequestLine alone reads it
        int[] wanted = episode == null ? null : episode(episode);
        List<Kept> calls = new ArrayList<>();
        RequestLine.Reading reading;
        try {
            reading = RequestLine.read(dir, r -> {
                if (r.attempt() == 1 && (wanted == null || (r.user() == wanted[0] && r.episode() == wanted[1]))) {
                    calls.add(new Kept(r.intendedMicros(), r.request())); // not the body: replay sends the request again
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        if (!reading.present()) {
            throw new IllegalArgumentException(dir + " has no recorded requests (" + RunFile.REQUESTS
                    + "): replay a run that was made with --record-requests");
        }
        if (calls.isEmpty()) {
            throw new IllegalArgumentException(episode == null ? file + " holds no request" : "run " + dir + " recorded no call of episode " + episode);
        }
        calls.sort(Comparator.comparingLong(Kept::intendedMicros));
        long base = calls.get(0).intendedMicros();
        List<Trace.Session> sessions = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            Kept r = calls.get(i);
            sessions.add(new Trace.Session(null, List.of(new Trace.Request(i + 1, r.intendedMicros() - base, null, r.request()))));
        }
        List<String> skipped = new ArrayList<>(reading.problems()); // the first ones by number; the rest counted
        for (long n = reading.problems().size(); n < reading.badLines(); n++) {
            skipped.add("line ?: unreadable");
        }
        return new Trace(file, TraceFormat.SOAKLAB_RUN, List.copyOf(sessions), List.copyOf(skipped), (int) Math.min(Integer.MAX_VALUE, reading.lines()));
    }

    /** What a replay needs of a recorded call. */
    private record Kept(long intendedMicros, io.soaklab.protocol.ChatRequest request) {
    }

    /** {@code USER:EPISODE} as two numbers. */
    private static int[] episode(String text) {
        int colon = text.indexOf(':');
        try {
            if (colon < 0) {
                throw new NumberFormatException();
            }
            int user = Integer.parseInt(text.substring(0, colon).strip());
            int index = Integer.parseInt(text.substring(colon + 1).strip());
            if (user < 0 || index < 0) {
                throw new NumberFormatException();
            }
            return new int[] {user, index};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("replay option episode is USER:EPISODE as in calls.jsonl (e.g. 3:17), was '" + text + "'");
        }
    }
}
