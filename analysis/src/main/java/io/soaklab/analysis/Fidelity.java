package io.soaklab.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * @param earlier          calls measured earlier than the endpoint's account by more than rounding:
 *                         impossible by causality, so a sign that ids or clocks do not match (their
 *                         differences are recorded as zero)
 */
public record Fidelity(long calls, long newConnections, Percentiles ttftExcess, Percentiles endExcess, Percentiles endpointLateness,
                       long earlier) {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_PENDING = 200_000;
    private static final long ROUNDING_MICROS = 1;

    private record Measured(long ttftSent, long e2eSent, boolean connected) {
    }

    private record Truth(long firstToken, long planned, long end) {
    }

    /** Measures a run folder's fidelity, or returns null when it has no truth log. */
    static Fidelity measure(Path dir) throws IOException {
        Path truthFile = dir.resolve(io.soaklab.sim.EmbeddedEndpoint.TRUTH_FILE);
        Path callsFile = dir.resolve(io.soaklab.record.RunRecorder.CALLS);
        if (!Files.exists(truthFile) || !Files.exists(callsFile)) {
            return null;
        }
        Map<String, Measured> measured = bounded();
        Map<String, Truth> truths = bounded();
        Histogram ttft = new Histogram(3);
        Histogram end = new Histogram(3);
        Histogram late = new Histogram(3);
        long matched = 0;
        long connected = 0;
        long[] earlier = new long[1];
        CallLine parsed = new CallLine(true);
        try (BufferedReader c = Files.newBufferedReader(callsFile, StandardCharsets.UTF_8);
             BufferedReader t = Files.newBufferedReader(truthFile, StandardCharsets.UTF_8)) {
            boolean moreCalls = true;
            boolean moreTruth = true;
            while (moreCalls || moreTruth) {
                if (moreCalls) {
                    String line = c.readLine();
                    moreCalls = line != null;
                    if (moreCalls) {
                        Map.Entry<String, Measured> m = call(parsed, line);
                        if (m != null) {
                            Truth match = truths.remove(m.getKey());
                            if (match != null) {
                                if (m.getValue().connected()) {
                                    connected++;
                                } else {
                                    matched += add(m.getValue(), match, ttft, end, late, earlier);
                                }
                            } else {
                                measured.put(m.getKey(), m.getValue());
                            }
                        }
                    }
                }
                if (moreTruth) {
                    String line = t.readLine();
                    moreTruth = line != null;
                    if (moreTruth) {
                        Map.Entry<String, Truth> tr = truth(line);
                        if (tr != null) {
                            Measured match = measured.remove(tr.getKey());
                            if (match != null) {
                                if (match.connected()) {
                                    connected++;
                                } else {
                                    matched += add(match, tr.getValue(), ttft, end, late, earlier);
                                }
                            } else {
                                truths.put(tr.getKey(), tr.getValue());
                            }
                        }
                    }
                }
            }
        }
        return matched == 0 ? null : new Fidelity(matched, connected, Percentiles.of(ttft), Percentiles.of(end), Percentiles.of(late),
                earlier[0]);
    }

    private static int add(Measured m, Truth t, Histogram ttft, Histogram end, Histogram late, long[] earlier) {
        // By causality measured >= true; both sides truncate to microseconds, so -1 is rounding.
        long first = m.ttftSent() - t.firstToken();
        long last = m.e2eSent() - t.end();
        if (first < -ROUNDING_MICROS || last < -ROUNDING_MICROS) {
            earlier[0]++;
        }
        ttft.recordValue(Math.max(0, first));
        end.recordValue(Math.max(0, last));
        late.recordValue(Math.max(0, t.firstToken() - t.planned()));
        return 1;
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

    /** A measured successful call with a request id, or null (a bad line is left out, as RunData says). */
    private static Map.Entry<String, Measured> call(CallLine parsed, String line) {
        try {
            parsed.parse(line);
        } catch (CallLine.BadLine bad) {
            return null;
        }
        return parsed.requestId == null || parsed.error != io.soaklab.protocol.ErrorClass.OK || parsed.warmup || parsed.ttftSentUs < 0 ? null
                : Map.entry(parsed.requestId, new Measured(parsed.ttftSentUs, parsed.e2eUs - Math.max(0, parsed.lagUs), parsed.connected));
    }

    /** A completed request of the endpoint's log, or null. */
    private static Map.Entry<String, Truth> truth(String line) {
        String id = null;
        long first = -1;
        long planned = -1;
        long end = -1;
        boolean complete = false;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                switch (f) {
                    case "id" -> id = p.getText();
                    case "first_token_us" -> first = p.getLongValue();
                    case "first_token_planned_us" -> planned = p.getLongValue();
                    case "end_us" -> end = p.getLongValue();
                    case "outcome" -> complete = "complete".equals(p.getText());
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return id == null || !complete || first < 0 ? null : Map.entry(id, new Truth(first, planned, end));
    }
}
