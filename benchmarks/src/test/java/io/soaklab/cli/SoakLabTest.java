package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void anOutFolderThatCannotBeMadeIsOneLineWithTheReason() throws Exception {
        Path file = java.nio.file.Files.writeString(tmp.resolve("a-file"), "x");
        Result r = run("run", "--duration", "1s", "--out", file.resolve("run").toString());
        assertEquals(2, r.code());
        assertEquals("soaklab run: --out " + file.resolve("run") + ": cannot create it (Not a directory)", r.err().strip());
        Result onFile = run("run", "--duration", "1s", "--out", file.toString());
        assertEquals(2, onFile.code());
        assertEquals("soaklab run: --out " + file + ": " + file + " is a file, not a folder", onFile.err().strip());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "run --duration 30                       | soaklab run: Invalid value for option '--duration': duration '30' has no unit: write 30s, 30m or 30h (see 'soaklab run --help')",
        "run --window 5x                         | soaklab run: Invalid value for option '--window': invalid duration '5x': use e.g. 500ms, 20s, 30m, 8h or 1h30m (see 'soaklab run --help')",
        "run --concurrency 0                     | soaklab run: --concurrency must be between 1 and 100000, was 0",
        "run --concurrency many                  | soaklab run: Invalid value for option '--concurrency': 'many' is not an int (see 'soaklab run --help')",
        "run --endpoint https://api.example.com/v1 | soaklab run: --model is required with --endpoint",
        "run --endpoint ftp://x/v1 --model m     | soaklab run: --endpoint must be an http:// or https:// URL with a host, was 'ftp://x/v1'",
        "run --max-tokens-field max_output       | soaklab run: --max-tokens-field must be max_tokens or max_completion_tokens, was 'max_output'",
        "run --scenario nope                     | soaklab run: unknown scenario 'nope'; built-in scenarios: coding-agent, agent-team, tool-failure-recovery, long-context-probe, session-resume, chat-support (or give a .yaml file)",
        "run --scenario missing.yaml             | soaklab run: scenario file missing.yaml does not exist",
        "run --arrival poisson:fast              | soaklab run: --arrival 'poisson:fast': 'fast' is not a rate: write e.g. 5/s, 300/m or 100/h",
        "run --arrival ramp:1/s                  | soaklab run: --arrival 'ramp:1/s': write ramp:FROM..TO@DURATION",
        "run --think-time soon                   | soaklab run: Invalid value for option '--think-time': invalid duration 'soon': use e.g. 500ms, 20s, 30m, 8h or 1h30m (see 'soaklab run --help')",
        "run --arrival poisson:2/s --max-in-flight 0 | soaklab run: --max-in-flight must be between 1 and 100000, was 0",
        "run --arrival poisson:2/s -c 8          | soaklab run: --concurrency is for a closed load; with --arrival, episodes arrive at its rate (at most --max-in-flight at once)",
        "run --max-in-flight 50                  | soaklab run: --max-in-flight is for an open load: give --arrival too",
        "scenarios --show nope                   | soaklab scenarios: unknown scenario 'nope'; built-in scenarios: coding-agent, agent-team, tool-failure-recovery, long-context-probe, session-resume, chat-support (or give a .yaml file)",
        "run --bogus                             | soaklab run: Unknown option: '--bogus' (see 'soaklab run --help')",
        "run --endpoint http://127.0.0.1:9/v1 --model gpt-5.4 --api-key-env SOAKLAB_TEST_UNSET_KEY | soaklab run: environment variable SOAKLAB_TEST_UNSET_KEY (named by --api-key-env) is not set",
        "demo --sim-decode-tps 0                 | soaklab demo: --sim-decode-tps must be positive, was 0.0",
        "sim --port 70000                        | soaklab sim: --port must be between 0 and 65535, was 70000",
        "run --trace-sample 2                    | soaklab run: --trace-sample must be between 0 and 1, was 2.0",
        "run --otlp-endpoint ftp://collector:4318 | soaklab run: --otlp-endpoint must be an http:// or https:// URL with a host, was 'ftp://collector:4318'",
        "run --api grpc                          | soaklab run: Invalid value for option '--api': unknown API 'grpc': use openai or anthropic (see 'soaklab run --help')",
        "run --sim-profile gpu                   | soaklab run: unknown endpoint profile 'gpu'; profiles: default, frontier-api, self-hosted, overloaded, degrading, flaky-network",
        "sim --profile gpu                       | soaklab sim: unknown endpoint profile 'gpu'; profiles: default, frontier-api, self-hosted, overloaded, degrading, flaky-network",
        "run --endpoint http://127.0.0.1:9/v1 --model llama-3-8b | soaklab run: no prices for model 'llama-3-8b' in soaklab list prices 2026-12-02 (23 models; 'soaklab prices' lists them). Price it as a listed model with --price-as MODEL, or add it to a file of your own and pass --prices FILE (format: docs/costs.md)",
        "run --price-as gpt-9                    | soaklab run: no prices for model 'gpt-9' in soaklab list prices 2026-12-02 (23 models; 'soaklab prices' lists them). Price it as a listed model with --price-as MODEL, or add it to a file of your own and pass --prices FILE (format: docs/costs.md)",
        "run --prices missing-prices.yaml        | soaklab run: price file missing-prices.yaml does not exist",
        "run --billing cheap                     | soaklab run: --billing 'cheap': write standard, batch, flex or priority, optionally +regional",
        "run --price-as claude-sonnet-4-5 --billing priority | soaklab run: claude-sonnet-4-5 has no priority prices in the price catalog: billing 'priority' cannot be priced (add it to your --prices file)",
        "run --max-spend 0                       | soaklab run: --max-spend must be above zero",
        "run --max-spend lots                    | soaklab run: Invalid value for option '--max-spend': 'lots' is not an amount: write e.g. 25 or 25.50 (see 'soaklab run --help')",
        "run --price-as none --max-spend 5       | soaklab run: --max-spend needs prices: drop --price-as none",
        "cost . --volume lots                    | soaklab cost: --volume 'lots': write e.g. 20000/day, 600000/month or 1000/h",
        "cost . --volume 0/day                   | soaklab cost: --volume must be above zero, was '0/day'",
        "cost . --volume 25000..15000/day        | soaklab cost: --volume '25000..15000/day': the low end comes first",
        "cost . --volume 100/day --retries lots  | soaklab cost: --retries 'lots': write e.g. 5%",
        "cost . --volume 100/day --retries 150%  | soaklab cost: --retries must be between 0% and 100%, was '150%'",
        "cost . --volume 100/day --growth fast   | soaklab cost: --growth 'fast': write e.g. 8%/month",
        "cost . --volume 100/day --growth 8      | soaklab cost: --growth '8': write a percentage, e.g. 8%/month (a bare number is a fraction: 0.08)",
        "cost . --volume 100/day --growth 150%   | soaklab cost: --growth '150%': at most 100%/month",
        "cost . --volume 1e400/day               | soaklab cost: --volume '1e400/day': more than 10^12 tasks is not a volume anyone bills",
        "cost . --volume 100/day --months 0      | soaklab cost: --months must be between 1 and 120, was 0",
        "cost . --volume 100/day --start soon    | soaklab cost: --start 'soon': write a month as 2027-01",
        "cost no-such-run --volume 100/day       | soaklab cost: no such run folder: no-such-run",
        "cost . --volume 100/day                 | soaklab cost: . is not a run folder (no run.json)",
        "prices --prices missing-prices.yaml     | soaklab prices: price file missing-prices.yaml does not exist",
        "cost                                    | soaklab cost: Missing required parameter: 'RUN_DIR' (see 'soaklab cost --help')",
        "run --slo ttft=2s                       | soaklab run: --slo 'ttft=2s': name a percentile, e.g. ttft.p99",
        "report . --slo errors=high              | soaklab report: --slo 'errors=high': an error rate is a percentage, e.g. errors=1%",
        "compare no-such-run .                   | soaklab compare: no such run folder: no-such-run",
        "compare . .                             | soaklab compare: . is not a run folder (no run.json)",
        "nonsense                                | soaklab: Unmatched argument at index 0: 'nonsense' (see 'soaklab --help')",
    })
    void badInputIsOneLineAndExitCodeTwo(String args, String expected) {
        Result r = run(args.strip().split("\\s+"));
        assertEquals(2, r.code(), r.err());
        assertEquals(expected.strip() + System.lineSeparator(), r.err());
    }

    @Test
    void aSettingIsNamedByItsFlag() {
        assertEquals("--max-in-flight", SoakLab.flag("max_in_flight"));
        assertEquals("--first-token-timeout", SoakLab.flag("timeouts.first_token"));
        assertEquals("--sim-decode-tps", SoakLab.flag("latency.decode_tokens_per_second"));
        assertEquals("faults.stall_for", SoakLab.flag("faults.stall_for"), "no flag sets it: named as run.json does");
        assertEquals("timeouts.idle must not be negative", assertThrows(IllegalArgumentException.class,
                () -> io.soaklab.protocol.Timeouts.DEFAULT.withIdle(java.time.Duration.ofSeconds(-1))).getMessage());
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
        for (String command : new String[] {"run", "demo", "scenarios", "report", "sim", "jmh"}) {
            assertTrue(help.out().contains("  " + command + " "), command);
        }
        Result runHelp = run("run", "--help");
        assertTrue(runHelp.out().contains("back to back (default: 8)."), runHelp.out());
        assertTrue(runHelp.out().contains("(default: 1m)"), runHelp.out());
        Result demoHelp = run("demo", "--help");
        assertTrue(demoHelp.out().contains("back to back (default: 16)."), demoHelp.out());
        Result version = run("--version");
        assertTrue(version.out().startsWith("soaklab "), version.out());
    }

    @Test
    void scenariosListsTheBuiltInsShowsOneAndChecksAFileSayingWhereItIsWrong() throws Exception {
        Result list = run("scenarios");
        assertEquals(0, list.code(), list.err());
        for (String name : io.soaklab.scenario.Scenarios.names()) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(name + " ")), name + " in\n" + list.out());
        }
        Result show = run("scenarios", "--show", "agent-team");
        assertTrue(show.out().contains("kind: team"), show.out());
        java.nio.file.Path mine = tmp.resolve("mine.yaml");
        java.nio.file.Files.writeString(mine, show.out().replace("name: agent-team", "name: my-team"));
        Result good = run("scenarios", "--check", mine.toString());
        assertEquals(0, good.code(), good.err());
        assertTrue(good.out().startsWith(mine + ": scenario my-team (team): "), good.out());
        java.nio.file.Path bad = tmp.resolve("bad.yaml");
        java.nio.file.Files.writeString(bad, "name: x\ndescription: d\nkind: agent\nsteps: {min: 5, max: 2}\n");
        Result check = run("scenarios", "--check", bad.toString());
        assertEquals(2, check.code());
        assertEquals("soaklab scenarios: scenario file " + bad + ": line 4, column 23: steps: needs 0 <= min <= max, was min 5, max 2"
                + System.lineSeparator(), check.err());
    }

    @Test
    void simListsItsProfiles() {
        Result r = run("sim", "--list-profiles");
        assertEquals(0, r.code());
        assertEquals(6, r.out().lines().count(), r.out());
        assertTrue(r.out().startsWith("default        a hosted API"), r.out());
    }
}
