package io.soaklab.internal.bench;

import io.soaklab.internal.analysis.Fidelity;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.GeneratorLine;
import io.soaklab.internal.sim.TruthLine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * soaklab's load generator measured as an instrument: {@code soaklab sim} in a process of its own,
 * {@code soaklab run} against it at each load, one fixed call an episode (a fixed prompt, a fixed
 * reply), every call matched with the endpoint's truth log by request id. Per load it prints what
 * was achieved, the schedule lag, how far the measured TTFT and inter-token gaps are from the
 * endpoint's account, the generator's own pauses (its pause meter and the GC log), its CPU per
 * 1,000 requests, its largest RSS and how long it took from the command to the first request.
 *
 * <pre>
 * java -cp benchmarks/target/soaklab.jar io.soaklab.internal.bench.Instrument open 100,400,1600 --duration 60s
 * java -cp benchmarks/target/soaklab.jar io.soaklab.internal.bench.Instrument closed 1000,10000 --duration 60s --decode-tps 10
 * java -cp benchmarks/target/soaklab.jar io.soaklab.internal.bench.Instrument report /tmp/soaklab-instrument/open-100 ...
 * </pre>
 *
 * Options: {@code --duration} measured time per load (default 60s), {@code --window} (20s),
 * {@code --warmup} (10s), {@code --jar} the soaklab jar to measure (default: this one), {@code --sim-jar}
 * the one whose {@code sim} serves (default: this one; a closed load asks it for {@code --sim-batch-slowdown 0}),
 * {@code --out} where run folders go (default: a temporary folder), {@code --output-tokens}
 * (open: 50, closed: 200), {@code --decode-tps} (open: 200, so that 2,000 arrivals a second stay under
 * soaklab's default 1,000 episodes in flight; closed: 60), {@code --run-args} more options of
 * {@code soaklab run} (e.g. {@code --no-server-metrics}), {@code --java-opts} options for soaklab's
 * JVMs (both the launcher and its fork).
 */
public final class Instrument {

    private static final String SCENARIO = String.join("\n",
            "# one fixed call an episode: the load generator measured as an instrument",
            "name: instrument",
            "description: a fixed prompt and one reply, nothing else",
            "kind: chat",
            "system_prompt_tokens: 200",
            "max_tokens: 4096",
            "think_time: 0s",
            "prompt_caching: false",
            "chat:",
            "  turns: {min: 1, max: 1}",
            "  user_tokens: {min: 31, max: 31}",
            "resilience:",
            "  max_attempts: 1",
            "");

    private Instrument() {
    }

    /** What one load measured. */
    record Row(String load, double achieved, long calls, long lagP50, long lagP99, Fidelity fidelity, long pauseP99, long pauseMax,
               long gcPauseMax, double cpuPer1000, double cpuPer1000All, long rssMb, double startSeconds, int threads) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("report")) {
            // the folders of an earlier Instrument run, analysed again (their start-up time is not known again)
            List<Row> rows = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                Path dir = Path.of(args[i]).toAbsolutePath().normalize();
                String name = dir.getFileName().toString();
                rows.add(analyse(name, dir, dir.resolveSibling(name + "-truth.jsonl"), dir.getParent(),
                        Files.readString(dir.resolveSibling(name + "-run.log")), -1));
            }
            print(rows.get(0).load().startsWith("open"), rows);
            return;
        }
        if (args.length < 2 || !(args[0].equals("open") || args[0].equals("closed"))) {
            System.err.println("usage: Instrument open|closed LOAD,LOAD... [--duration 60s] [--window 20s] [--warmup 10s] [--jar JAR] [--out DIR]"
                    + " [--output-tokens N] [--decode-tps N] [--java-opts 'OPTS'] [--run-args 'ARGS']");
            System.exit(2);
        }
        boolean open = args[0].equals("open");
        String duration = "60s";
        String window = "20s";
        String warmup = "10s";
        Path jar = Path.of(Instrument.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path out = null;
        Path simJar = Path.of(Instrument.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        int outputTokens = open ? 50 : 200;
        String decodeTps = open ? "200" : "60";
        String javaOpts = "";
        List<String> runArgs = List.of();
        for (int i = 2; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--duration" -> duration = args[i + 1];
                case "--window" -> window = args[i + 1];
                case "--warmup" -> warmup = args[i + 1];
                case "--jar" -> jar = Path.of(args[i + 1]);
                case "--sim-jar" -> simJar = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                case "--output-tokens" -> outputTokens = Integer.parseInt(args[i + 1]);
                case "--decode-tps" -> decodeTps = args[i + 1];
                case "--java-opts" -> javaOpts = args[i + 1];
                case "--run-args" -> runArgs = List.of(args[i + 1].strip().split("\\s+"));
                default -> {
                    System.err.println("Instrument: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (out == null) {
            out = Files.createTempDirectory("soaklab-instrument");
        }
        Files.createDirectories(out);
        Path scenario = Files.writeString(out.resolve("instrument.yaml"), SCENARIO);
        List<Row> rows = new ArrayList<>();
        for (String load : args[1].split(",")) {
            rows.add(measure(open, load.strip(), jar, simJar, out, scenario, duration, window, warmup, outputTokens, decodeTps, javaOpts, runArgs));
            print(open, rows);
        }
    }

    private static Row measure(boolean open, String load, Path jar, Path simJar, Path out, Path scenario, String duration, String window, String warmup,
                               int outputTokens, String decodeTps, String javaOpts, List<String> runArgs) throws Exception {
        String name = (open ? "open-" : "closed-") + load;
        Path dir = out.resolve(name);
        Path truth = out.resolve(name + "-truth.jsonl");
        Path gcLog = out.resolve(name + "-gc-%p.log");
        Files.deleteIfExists(truth);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> sim = new ArrayList<>(List.of("java", "-XX:+UseParallelGC", "-jar", simJar.toString(), "sim", "--port",
                Integer.toString(port), "--truth", truth.toString(), "--sim-output-tokens", Integer.toString(outputTokens),
                "--sim-output-sigma", "0", "--sim-jitter", "0", "--sim-max-batch", "100000", "--sim-decode-tps", decodeTps,
                "--sim-base-latency", "0s"));
        if (!open) {
            sim.addAll(List.of("--sim-batch-slowdown", "0")); // thousands of streams, each at its own planned pace
        }
        Process endpoint = new ProcessBuilder(sim).redirectErrorStream(true).redirectOutput(out.resolve(name + "-sim.log").toFile()).start();
        try {
            awaitPort(port, endpoint);
            List<String> run = new ArrayList<>(List.of("/usr/bin/time", "-v", "java"));
            String opts = (javaOpts + " -Xlog:gc*:file=" + gcLog).strip();
            run.addAll(List.of(opts.split("\\s+")));
            run.addAll(List.of("-jar", jar.toString(), "run", "--endpoint", "http://127.0.0.1:" + port + "/v1", "--model", "soaklab-sim",
                    "--scenario", scenario.toString(), "--duration", duration, "--window", window, "--warmup", warmup, "--price-as", "none",
                    "--out", dir.toString()));
            run.addAll(runArgs);
            if (open) {
                run.addAll(List.of("--arrival", "constant:" + load + "/s"));
            } else {
                run.addAll(List.of("--concurrency", load));
            }
            ProcessBuilder pb = new ProcessBuilder(run).redirectErrorStream(true).redirectOutput(out.resolve(name + "-run.log").toFile());
            // SOAKLAB_JAVA_OPTS reaches the fork as well as the launcher (the launcher script's rule)
            pb.environment().put("SOAKLAB_JAVA_OPTS", opts);
            long startedMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
            Process p = pb.start();
            if (!p.waitFor(Duration.parse("PT" + duration.toUpperCase(Locale.ROOT)).plus(Duration.parse("PT" + warmup.toUpperCase(Locale.ROOT)))
                    .plusMinutes(5).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(name + ": the run did not end; see " + out.resolve(name + "-run.log"));
            }
            String log = Files.readString(out.resolve(name + "-run.log"));
            return analyse(name, dir, truth, out, log, startedMicros);
        } finally {
            endpoint.destroy();
            endpoint.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Row analyse(String name, Path dir, Path truth, Path out, String timeLog, long startedMicros) throws IOException {
        if (Files.exists(truth)) {
            Files.move(truth, TruthLine.in(dir), StandardCopyOption.REPLACE_EXISTING);
        }
        Histogram lag = new Histogram(3);
        long[] firstSent = {Long.MAX_VALUE};
        long[] measured = {0};
        CallLine.read(dir, new CallLine.Reader() {
            @Override
            public void line(CallLine c) {
                if (c.sentAtUs() >= 0) {
                    firstSent[0] = Math.min(firstSent[0], c.sentAtUs());
                }
                if (!c.warmup() && c.lagUs() >= 0) {
                    lag.recordValue(c.lagUs());
                    measured[0]++;
                }
            }

            @Override
            public void bad(long number, boolean last, String why) {
            }
        });
        RunData run = RunData.load(dir);
        Histogram pauses = new Histogram(3);
        long[] pauseMax = {-1};
        double[] cpuSeconds = {0};
        int[] threads = {-1};
        double windowSeconds = run.manifest().config().schedule().window().toMillis() / 1000.0;
        int cores = Runtime.getRuntime().availableProcessors();
        GeneratorLine.read(dir, g -> {
            if (!g.warmup()) {
                if (g.pauseP99Micros() >= 0) {
                    pauses.recordValue(g.pauseP99Micros());
                    pauseMax[0] = Math.max(pauseMax[0], g.pauseMaxMicros());
                }
                threads[0] = Math.max(threads[0], g.threads());
                if (!Double.isNaN(g.cpu())) {
                    cpuSeconds[0] += g.cpu() * cores * windowSeconds;
                }
            }
        });
        double seconds = run.measuredSeconds();
        double userSys = seconds(timeLog, "User time \\(seconds\\): ([0-9.]+)") + seconds(timeLog, "System time \\(seconds\\): ([0-9.]+)");
        long rssKb = (long) seconds(timeLog, "Maximum resident set size \\(kbytes\\): ([0-9]+)");
        long all = run.calls().calls();
        return new Row(name, measured[0] / seconds, measured[0], lag.getValueAtPercentile(50), lag.getValueAtPercentile(99), run.fidelity(),
                pauses.getTotalCount() == 0 ? -1 : pauses.getMaxValue(), pauseMax[0], gcPauseMaxMicros(out, name),
                measured[0] == 0 ? -1 : cpuSeconds[0] / measured[0] * 1000, all == 0 ? -1 : userSys / all * 1000, rssKb / 1024,
                firstSent[0] == Long.MAX_VALUE || startedMicros < 0 ? -1 : (firstSent[0] - startedMicros) / 1e6, threads[0]);
    }

    /** The longest stop-the-world pause any of the run's JVMs logged (G1, Parallel, Serial: "Pause ... N.NNNms"), microseconds. */
    private static long gcPauseMaxMicros(Path out, String name) throws IOException {
        Pattern pause = Pattern.compile("Pause[^\\n]*? ([0-9]+\\.[0-9]+)ms");
        long max = -1;
        try (var files = Files.list(out)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(name + "-gc-")).toList()) {
                Matcher m = pause.matcher(Files.readString(f));
                while (m.find()) {
                    max = Math.max(max, Math.round(Double.parseDouble(m.group(1)) * 1000));
                }
            }
        }
        return max;
    }

    private static double seconds(String log, String regex) {
        Matcher m = Pattern.compile(regex).matcher(log);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static void awaitPort(int port, Process endpoint) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!endpoint.isAlive()) {
                throw new IllegalStateException("soaklab sim ended before it listened on " + port);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50); // polling a port another process is opening: nothing to await but the port itself
            }
        }
        throw new IllegalStateException("soaklab sim did not listen on " + port + " within 60 s");
    }

    private static void print(boolean open, List<Row> rows) {
        System.out.printf(Locale.ROOT, "%n| %s | achieved (calls/s) | schedule lag p50 / p99 | TTFT error vs truth p50 / p99 | ITL error p99 |"
                + " generator pause p99 (worst window) / max | GC pause max | client CPU s per 1,000 (measured / whole command) | RSS max |"
                + " threads | first request after |%n", open ? "offered (req/s)" : "streams");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            Fidelity f = r.fidelity();
            System.out.printf(Locale.ROOT, "| %s | %.1f | %s / %s | %s / %s | %s | %s / %s | %s | %.2f / %.2f | %d MB | %d | %.1f s |%n",
                    r.load(), r.achieved(), ms(r.lagP50()), ms(r.lagP99()), f == null ? "-" : ms(f.ttftExcess().p50()),
                    f == null ? "-" : ms(f.ttftExcess().p99()), f == null ? "-" : ms(f.itlExcess().p99()), ms(r.pauseP99()), ms(r.pauseMax()),
                    ms(r.gcPauseMax()), r.cpuPer1000(), r.cpuPer1000All(), r.rssMb(), r.threads(), r.startSeconds());
        }
        System.out.flush();
    }

    private static String ms(long micros) {
        return micros < 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }
}
