package io.soaklab.internal.analysis;

import io.soaklab.internal.layout.RunFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.soaklab.internal.record.RunRecorder;
import io.soaklab.sim.EmbeddedEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidelityTest {

    @TempDir
    Path dir;

    private static String call(String id, long ttftSent, long e2e, long lag, String error) {
        return "{\"phase\":\"measure\",\"window\":0,\"lag_us\":" + lag + ",\"ttft_sent_us\":" + ttftSent + ",\"e2e_us\":" + e2e
                + ",\"error\":\"" + error + "\",\"request_id\":\"" + id + "\"}\n";
    }

    private static String truth(String id, long first, long planned, long end, String outcome) {
        return "{\"id\":\"" + id + "\",\"outcome\":\"" + outcome + "\",\"first_token_planned_us\":" + planned + ",\"first_token_us\":"
                + first + ",\"end_us\":" + end + "}\n";
    }

    @Test
    void joinsTheTwoLogsOnTheRequestIdWhateverTheirOrder() throws Exception {
        Files.writeString(dir.resolve(RunFile.CALLS.fileName()),
                call("a", 10_500, 50_600, 100, "ok") + call("b", 20_000, 60_000, 0, "ok") + call("c", 5_000, 5_000, 0, "http_500")
                        + call("d", 90_000, 99_000, 0, "ok").replace("\"lag_us\"", "\"connect_us\":80000,\"lag_us\"")
                        + "{\"phase\":\"measure\",\"cut");
        Files.writeString(dir.resolve(EmbeddedEndpoint.TRUTH_FILE),
                truth("b", 19_000, 18_000, 59_000, "complete") + truth("c", -1, -1, 100, "http_500")
                        + truth("a", 10_000, 10_000, 50_000, "complete") + truth("d", 9_000, 9_000, 19_000, "complete"));
        Fidelity f = Fidelity.measure(dir);
        assertEquals(2, f.calls(), "failed calls, cut-off lines and new connections are left out");
        assertEquals(1, f.newConnections());
        assertEquals(500, f.ttftExcess().p50(), 1);
        assertEquals(1000, f.ttftExcess().max(), 1);
        assertEquals(500, f.endExcess().p50(), 1, "(50,600 - 100 lag) - 50,000");
        assertEquals(1000, f.endpointLateness().max(), 1);
        assertEquals(0, f.earlier());
    }

    @Test
    void theInterTokenErrorIsTheLongestGapSeenBeyondTheLongestTheEndpointCanHaveMade() throws Exception {
        Files.writeString(dir.resolve(RunFile.CALLS.fileName()),
                call("a", 10_500, 50_600, 0, "ok").replace("\"error\"", "\"itl_max_us\":30000,\"error\"")
                        + call("b", 20_000, 60_000, 0, "ok").replace("\"error\"", "\"itl_max_us\":21000,\"error\"")
                        + call("c", 20_000, 60_000, 0, "ok")); // one chunk: no gap
        Files.writeString(dir.resolve(EmbeddedEndpoint.TRUTH_FILE),
                truth("a", 10_000, 10_000, 50_000, "complete").replace("}", ",\"planned_itl_us\":20000,\"max_late_us\":2000}")
                        + truth("b", 19_000, 19_000, 59_000, "complete").replace("}", ",\"planned_itl_us\":20000,\"max_late_us\":3000}")
                        + truth("c", 19_000, 19_000, 59_000, "complete").replace("}", ",\"planned_itl_us\":20000,\"max_late_us\":0}"));
        Fidelity f = Fidelity.measure(dir);
        assertEquals(3, f.calls());
        assertEquals(2, f.itlExcess().count(), "calls with a gap");
        assertEquals(8_000, f.itlExcess().max(), 8, "a: 30 ms seen, at most 20 + 2 made");
        assertEquals(0, f.itlExcess().p50(), "b: 21 ms seen, up to 23 ms made: none of it the client's");
    }

    @Test
    void countsCallsMeasuredEarlierThanTheEndpointSaysTheyHappened() throws Exception {
        Files.writeString(dir.resolve(RunFile.CALLS.fileName()),
                call("a", 9_999, 50_000, 0, "ok") + call("b", 5_000, 60_000, 0, "ok") + call("c", 20_000, 60_000, 0, "ok"));
        Files.writeString(dir.resolve(EmbeddedEndpoint.TRUTH_FILE),
                truth("a", 10_000, 10_000, 50_000, "complete") + truth("b", 19_000, 19_000, 59_000, "complete")
                        + truth("c", 19_000, 19_000, 59_000, "complete"));
        Fidelity f = Fidelity.measure(dir);
        assertEquals(3, f.calls());
        assertEquals(1, f.earlier(), "a is 1 us early (rounding); b is 14 ms early, which cannot be");
        assertEquals(3, f.ttftExcess().count(), "an impossible difference is recorded as zero, not dropped");
    }

    @Test
    void aRunWithoutATruthLogHasNoFidelity() throws Exception {
        Files.writeString(dir.resolve(RunFile.CALLS.fileName()), call("a", 1, 2, 0, "ok"));
        assertNull(Fidelity.measure(dir));
    }
}
