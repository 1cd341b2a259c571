package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.layout.RunFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soaklab run --scenario replay:FILE}: a trace that cannot be replayed is one line and exit code 2; a damaged one runs. */
class ReplayCommandLineTest {

    private static final Path MOONCAKE = Path.of("../docs/replay/mooncake-example.jsonl").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void anEmptyMissingOrUselessTraceIsOneLineAndExitCodeTwo() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "");
        SoakLabTest.Result r = SoakLabTest.run("run", "--duration", "1s", "--scenario", "replay:" + empty);
        assertEquals(2, r.code());
        assertEquals("soaklab run: replay file " + empty + " is empty", r.err().strip());
        Path missing = tmp.resolve("nope.jsonl");
        r = SoakLabTest.run("run", "--duration", "1s", "--scenario", "replay:" + missing);
        assertEquals(2, r.code());
        assertEquals("soaklab run: replay file " + missing + " does not exist", r.err().strip());
        r = SoakLabTest.run("run", "--duration", "1s", "--scenario", "replay:" + MOONCAKE + "?speed=fast");
        assertEquals(2, r.code());
        assertEquals("soaklab run: --scenario replay:" + MOONCAKE + "?speed=fast: speed: replay.speed must be a number above 0, or max,"
                + " was 'fast'", r.err().strip());
        r = SoakLabTest.run("run", "--duration", "1s", "--api", "anthropic", "--scenario", "replay:" + MOONCAKE);
        assertEquals(2, r.code());
        assertTrue(r.err().strip().startsWith("soaklab run: --api anthropic: scenario replay-mooncake-example replays a Mooncake trace with exact output"
                + " lengths (ignore_eos, min_tokens)"), r.err());
    }

    @Test
    void aDamagedTraceIsReplayedWithoutItsBadLine() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(MOONCAKE));
        lines.add(2, "{\"timestamp\": 190, \"input_length\": ");
        Path damaged = tmp.resolve("damaged.jsonl");
        Files.write(damaged, lines);
        Path out = tmp.resolve("run");
        SoakLabTest.Result r = SoakLabTest.run("run", "--scenario", "replay:" + damaged + "?speed=4", "--duration", "3s", "--window", "3s",
                "--sim-decode-tps", "2000", "--forks", "0", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ObjectMapper json = new ObjectMapper();
        List<String> calls = Files.readAllLines(RunFile.CALLS.in(out));
        assertEquals(20, calls.size(), "every good line, once");
        for (String call : calls) {
            assertEquals("ok", json.readTree(call).get("error").asText(), call);
        }
        assertTrue(Files.readString(RunFile.SCENARIO.in(out)).contains("kind: replay"));
        String report = Files.readString(RunFile.REPORT.in(out));
        assertTrue(report.contains("<b>replay-damaged</b> sessions arriving at their recorded times / 4, against"), "the load, in the report");
        assertTrue(report.contains("sessions arriving at their recorded times / 4, at most 1000 in flight"), "the configuration's load row");
    }
}
