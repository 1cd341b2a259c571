package io.soaklab.internal.analysis;

import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.sim.TruthLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * How closely soaklab measured what the embedded endpoint did: each call's measured time to first
 * token (from sending) against the endpoint's own account (from arrival), joined on the request
 * id, and how late the endpoint itself was against its plan. Both files are read together, in
 * step, so memory stays bounded whatever the run's length.
 *
 * @param calls            calls matched with the endpoint's log, on connections already open
 * @param newConnections   calls left out because they opened their connection: its set-up is in
 *                         their measured TTFT but not in the endpoint's
 * @param ttftExcess       measured minus true TTFT, microseconds: network and client time
 * @param endExcess        measured minus true end of stream, microseconds
 * @param endpointLateness how much later than planned the endpoint wrote first tokens, microseconds
 * @param itlExcess        for calls of more than one chunk, how much longer the longest gap the client saw was than the
 *                         longest the endpoint can have made (its planned gap plus its own worst lateness), microseconds:
 *                         the client's own share of inter-token gaps, at the least; calls that opened their connection
 *                         count here too (set-up comes before the first token)
 * @param earlier          calls measured earlier than the endpoint's account by more than rounding:
 *                         impossible by causality, so a sign that ids or clocks do not match (their
 *                         differences are recorded as zero)
 */
public record Fidelity(long calls, long newConnections, Percentiles ttftExcess, Percentiles endExcess, Percentiles endpointLateness,
                       Percentiles itlExcess, long earlier) {

    private static final int MAX_PENDING = 200_000;
    private static final long ROUNDING_MICROS = 1;

    private record Measured(long ttftSent, long e2eSent, long itlMax, boolean connected) {
    }

    private record Truth(long firstToken, long planned, long end, long plannedItl, long maxLate) {
    }

    /** Measures a run folder's fidelity on its own, or returns null when it has no truth log. */
    static Fidelity measure(Path dir) throws IOException {
        try (Matcher m = Matcher.open(dir)) {
            if (m == null) {
                return null;
            }
            CallLine.read(dir, m);
            return m.result();
        }
    }

    /**
     * Matches calls with the endpoint's log as {@code calls.jsonl} is read: one line of
     * {@code sim-truth.jsonl} is read for each line of calls, so the two files are walked in step and
     * only what is still unmatched waits, bounded.
     */
    static final class Matcher implements CallLine.Reader, java.io.Closeable {
        private final TruthLine.Cursor truth;
        private final Map<String, Measured> measured = bounded();
        private final Map<String, Truth> truths = bounded();
        private final Histogram ttft = new Histogram(3);
        private final Histogram end = new Histogram(3);
        private final Histogram late = new Histogram(3);
        private final Histogram itl = new Histogram(3);
        private final long[] earlier = new long[1];
        private long matched;
        private long connected;
        /** Why the log could not be read to its end, or null. */
        private String problem;

        private Matcher(TruthLine.Cursor truth) {
            this.truth = truth;
        }

        /** A matcher for {@code dir}, or null when the run has no truth log. */
        static Matcher open(Path dir) throws IOException {
            TruthLine.Cursor cursor = TruthLine.open(dir);
            return cursor == null ? null : new Matcher(cursor);
        }

        @Override
        public boolean wantsRequestIds() {
            return true;
        }

        @Override
        public void line(CallLine line) {
            if (line.requestId() != null && line.error() == ErrorClass.OK && !line.warmup() && line.ttftSentUs() >= 0) {
                call(line.requestId(), new Measured(line.ttftSentUs(), line.e2eUs() - Math.max(0, line.lagUs()), line.itlMaxUs(),
                        line.connected()));
            }
            step();
        }

        @Override
        public void bad(long number, boolean last, String why) {
            step(); // a bad line is left out, as RunData says; the log still moves on with the calls
        }

        private void call(String id, Measured m) {
            Truth match = truths.remove(id);
            if (match == null) {
                measured.put(id, m);
            } else {
                matched += join(m, match);
            }
        }

        /** A call and its account: every measure, or, for a call that opened its connection, only its gaps between tokens. */
        private int join(Measured m, Truth t) {
            if (m.connected()) {
                connected++;
                gaps(m, t); // the connection's set-up is before the first token: the gaps after it are the call's own
                return 0;
            }
            return add(m, t, earlier);
        }

        /** Reads one line of the endpoint's log. */
        private void step() {
            if (problem != null) {
                return;
            }
            try {
                TruthLine t = truth.next();
                if (t == null || !t.complete() || t.firstTokenUs() < 0) {
                    return;
                }
                Truth tr = new Truth(t.firstTokenUs(), t.firstTokenPlannedUs(), t.endUs(), t.plannedItlUs(), t.maxLateUs());
                Measured match = measured.remove(t.id());
                if (match == null) {
                    truths.put(t.id(), tr);
                } else {
                    matched += join(match, tr);
                }
            } catch (IOException unreadable) {
                // the log is an aid: what was matched so far stands, and reading stops here (a reader
                // stuck on the same damaged bytes would otherwise be asked again and again)
                problem = unreadable.getMessage() == null ? unreadable.getClass().getSimpleName() : unreadable.getMessage();
            }
        }

        /** Why the endpoint's log could not be read to its end, or null when it could. */
        String problem() {
            return problem;
        }

        /** Reads the rest of the endpoint's log; the fidelity, or null when no call could be matched. */
        Fidelity result() {
            while (!truth.done() && problem == null) {
                step();
            }
            return matched == 0 && itl.getTotalCount() == 0 ? null : new Fidelity(matched, connected, Percentiles.of(ttft), Percentiles.of(end), Percentiles.of(late),
                    Percentiles.of(itl), earlier[0]);
        }

        @Override
        public void close() throws IOException {
            truth.close();
        }

        private int add(Measured m, Truth t, long[] earlier) {
            // By causality measured >= true; both sides truncate to microseconds, so -1 is rounding.
            long first = m.ttftSent() - t.firstToken();
            long last = m.e2eSent() - t.end();
            if (first < -ROUNDING_MICROS || last < -ROUNDING_MICROS) {
                earlier[0]++;
            }
            ttft.recordValue(Math.max(0, first));
            end.recordValue(Math.max(0, last));
            late.recordValue(Math.max(0, t.firstToken() - t.planned()));
            gaps(m, t);
            return 1;
        }

        private void gaps(Measured m, Truth t) {
            if (m.itlMax() > 0 && t.plannedItl() >= 0 && t.maxLate() >= 0) {
                itl.recordValue(Math.max(0, m.itlMax() - t.plannedItl() - t.maxLate()));
            }
        }
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>() {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_PENDING;
            }
        };
    }

}
