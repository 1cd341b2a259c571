package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input gets one clear line and exit code 2. */
class SoakLabTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SoakLab.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "run --duration 30                       | soaklab run: Invalid value for option '--duration': duration '30' has no unit: write 30s, 30m or 30h (see 'soaklab run --help')",
        "run --window 5x                         | soaklab run: Invalid value for option '--window': invalid duration '5x': use e.g. 500ms, 20s, 30m, 8h or 1h30m (see 'soaklab run --help')",
        "run --concurrency 0                     | soaklab run: --concurrency must be between 1 and 100000, was 0",
        "run --concurrency many                  | soaklab run: Invalid value for option '--concurrency': 'many' is not an int (see 'soaklab run --help')",
        "run --endpoint https://api.example.com/v1 | soaklab run: --model is required with --endpoint",
        "run --endpoint ftp://x/v1 --model m     | soaklab run: --endpoint must be an http:// or https:// URL with a host, was 'ftp://x/v1'",
        "run --scenario nope                     | soaklab run: unknown scenario 'nope'; built-in scenarios: coding-agent",
        "run --bogus                             | soaklab run: Unknown option: '--bogus' (see 'soaklab run --help')",
        "run --endpoint http://127.0.0.1:9/v1 --model m --api-key-env SOAKLAB_TEST_UNSET_KEY | soaklab run: environment variable SOAKLAB_TEST_UNSET_KEY (named by --api-key-env) is not set",
        "demo --sim-decode-tps 0                 | soaklab demo: decode rate must be positive, was 0.0",
        "sim --port 70000                        | soaklab sim: port must be 0..65535, was 70000",
        "run --api grpc                          | soaklab run: Invalid value for option '--api': unknown API 'grpc': use openai or anthropic (see 'soaklab run --help')",
        "run --sim-profile gpu                   | soaklab run: unknown endpoint profile 'gpu'; profiles: default, frontier-api, self-hosted, overloaded, degrading, flaky-network",
        "sim --profile gpu                       | soaklab sim: unknown endpoint profile 'gpu'; profiles: default, frontier-api, self-hosted, overloaded, degrading, flaky-network",
        "nonsense                                | soaklab: Unmatched argument at index 0: 'nonsense' (see 'soaklab --help')",
    })
    void badInputIsOneLineAndExitCodeTwo(String args, String expected) {
        Result r = run(args.strip().split("\\s+"));
        assertEquals(2, r.code(), r.err());
        assertEquals(expected.strip() + System.lineSeparator(), r.err());
    }

    @Test
    void reportOfAFolderThatIsNotARunIsOneLine() {
        Result missing = run("report", tmp.resolve("nope").toString());
        assertEquals(2, missing.code());
        assertEquals("soaklab report: no such run folder: " + tmp.resolve("nope") + System.lineSeparator(), missing.err());
        Result notRun = run("report", tmp.toString());
        assertEquals(2, notRun.code());
        assertTrue(notRun.err().endsWith("is not a run folder (no run.json)" + System.lineSeparator()), notRun.err());
    }

    @Test
    void helpListsTheCommandsAndTheDefaultsComeFromTheConfiguration() {
        Result help = run("--help");
        assertEquals(0, help.code());
        for (String command : new String[] {"run", "demo", "report", "sim", "jmh"}) {
            assertTrue(help.out().contains("  " + command + " "), command);
        }
        Result runHelp = run("run", "--help");
        assertTrue(runHelp.out().contains("Concurrent agent sessions (default: 8)."), runHelp.out());
        assertTrue(runHelp.out().contains("(default: 1m)"), runHelp.out());
        Result demoHelp = run("demo", "--help");
        assertTrue(demoHelp.out().contains("Concurrent agent sessions (default: 16)."), demoHelp.out());
        Result version = run("--version");
        assertTrue(version.out().startsWith("soaklab "), version.out());
    }

    @Test
    void simListsItsProfiles() {
        Result r = run("sim", "--list-profiles");
        assertEquals(0, r.code());
        assertEquals(6, r.out().lines().count(), r.out());
        assertTrue(r.out().startsWith("default        a hosted API"), r.out());
    }
}
