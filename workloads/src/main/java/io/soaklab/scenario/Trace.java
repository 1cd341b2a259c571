package io.soaklab.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.protocol.ChatRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded trace, read whole: its format (from its first good line), its sessions in the order they
 * started, each with its requests in order, and the lines it could not use, each with its number and
 * why. Times are microseconds from the trace's first timestamp.
 */
final class Trace {

    /** A Mooncake request: its prompt and output lengths, its prompt's 512-token blocks, and its text when recorded. */
    record Mooncake(int inputLength, int outputLength, long[] hashIds, String textInput) {
    }

    /** One recorded request: its line, when it was sent, and a Mooncake record or a recorded request body. */
    record Request(int line, long atMicros, Mooncake mooncake, ChatRequest body) {
    }

    /** One session: an episode's requests, in order; {@code id} null for a request of its own. */
    record Session(String id, List<Request> requests) {

        long startMicros() {
            return requests.get(0).atMicros();
        }
    }

    final Path file;
    final TraceFormat format;
    final List<Session> sessions;
    /** The lines skipped, each as {@code line N: why}. */
    final List<String> skipped;
    /** Lines that were not blank. */
    final int lines;

    Trace(Path file, TraceFormat format, List<Session> sessions, List<String> skipped, int lines) {
        this.file = file;
        this.format = format;
        this.sessions = sessions;
        this.skipped = skipped;
        this.lines = lines;
    }

    /** Requests in all sessions. */
    int requests() {
        return sessions.stream().mapToInt(s -> s.requests().size()).sum();
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException one line, when the file cannot be read, is empty, or has no line of either format
     */
    static Trace read(Path file) {
        return read(file, null);
    }

    /**
     * Reads {@code file}, or the run folder {@code file} names: its recorded requests, each call's
     * first attempt a session of its own, due at its intended start (a fixed schedule: the calls of an
     * episode leave when they left, whatever the replies), {@code episode} ({@code USER:EPISODE}) alone
     * when not null.
     *
     * @throws IllegalArgumentException one line, when the file cannot be read, is empty, or has no line of either format
     */
    static Trace read(Path file, String episode) {
        if (Files.isDirectory(file)) {
            return RunRequests.read(file, episode);
        }
        if (episode != null) {
            throw new IllegalArgumentException("replay option episode is for a soaklab run folder, and " + file + " is a file");
        }
        if (OtlpTraces.looksLike(file)) {
            return OtlpTraces.read(file);
        }
        List<String> skipped = new ArrayList<>();
        List<Request> requests = new ArrayList<>();
        List<String> sessionIds = new ArrayList<>();
        TraceFormat format = null;
        int nonBlank = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                nonBlank++;
                try {
                    JsonNode line = TraceLines.object(text);
                    if (format == null) {
                        format = TraceLines.detect(line);
                    }
                    requests.add(format == TraceFormat.MOONCAKE ? TraceLines.mooncake(line, number) : TraceLines.openAi(line, number));
                    sessionIds.add(format == TraceFormat.OPENAI ? TraceLines.sessionId(line) : null);
                } catch (TraceLines.BadLine bad) {
                    skipped.add("line " + number + ": " + bad.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("replay file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read replay file " + file + ": " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read replay file " + file + ": " + e.getCause().getMessage());
        }
        if (nonBlank == 0) {
            throw new IllegalArgumentException("replay file " + file + " is empty");
        }
        untimedAmongTimed(requests, sessionIds, skipped);
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("replay file " + file + ": no line is a Mooncake record or a chat-completions request ("
                    + skipped.get(0) + ")");
        }
        return new Trace(file, format, sessions(requests, sessionIds), List.copyOf(skipped), nonBlank);
    }

    /** A trace either has times or not: where some lines have one, those without are skipped. */
    private static void untimedAmongTimed(List<Request> requests, List<String> ids, List<String> skipped) {
        if (requests.stream().allMatch(r -> r.atMicros() == TraceLines.NO_TIME) || requests.stream().noneMatch(r -> r.atMicros() == TraceLines.NO_TIME)) {
            return;
        }
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (requests.get(i).atMicros() == TraceLines.NO_TIME) {
                skipped.add("line " + requests.get(i).line() + ": no timestamp, where other lines have one");
                requests.remove(i);
                ids.remove(i);
            }
        }
        skipped.sort(Comparator.comparingInt(Trace::lineOf));
    }

    private static int lineOf(String problem) {
        return Integer.parseInt(problem.substring(5, problem.indexOf(':')));
    }

    /** Groups requests into sessions (same id; none: a session each), times from the first timestamp, sessions by their start. */
    private static List<Session> sessions(List<Request> requests, List<String> ids) {
        long base = requests.stream().mapToLong(Request::atMicros).min().orElse(0); // NO_TIME when no line has a time
        Map<String, List<Request>> byId = new LinkedHashMap<>();
        List<List<Request>> groups = new ArrayList<>();
        List<String> groupIds = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            Request rebased = new Request(r.line(), r.atMicros() == TraceLines.NO_TIME ? 0 : r.atMicros() - base, r.mooncake(), r.body());
            String id = ids.get(i);
            List<Request> group = id == null ? null : byId.get(id);
            if (group == null) {
                group = new ArrayList<>();
                groups.add(group);
                groupIds.add(id);
                if (id != null) {
                    byId.put(id, group);
                }
            }
            group.add(rebased);
        }
        List<Session> out = new ArrayList<>(groups.size());
        for (int i = 0; i < groups.size(); i++) {
            out.add(new Session(groupIds.get(i), List.copyOf(groups.get(i))));
        }
        out.sort(Comparator.comparingLong(Session::startMicros)); // stable: sessions that start together keep the file's order
        return List.copyOf(out);
    }
}
