package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.RunData;
import io.soaklab.run.RunManifest;
import io.soaklab.run.RunStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A soak whose process is killed or stopped keeps what it recorded and still gets its report. */
class StoppedRunTest {

    @TempDir
    Path tmp;

    private Process soak;

    @AfterEach
    void killLeftovers() {
        if (soak != null) {
            soak.descendants().forEach(ProcessHandle::destroyForcibly);
            soak.destroyForcibly();
        }
    }

    /** Starts {@code soaklab run} for a minute in its own JVM and waits until two windows are on disk. */
    private Path startAndWaitForTwoWindows(String... extra) throws Exception {
        Path dir = tmp.resolve("run");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "-Djmh.ignoreLock=true",
                SoakLab.class.getName(), "run", "--duration", "60s", "--window", "1s", "--concurrency", "4",
                "--sim-base-latency", "20ms", "--sim-decode-tps", "500", "--out", dir.toString()));
        command.addAll(List.of(extra));
        soak = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("soak.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(dir.resolve(RunManifest.FILE)) && RunManifest.read(dir).windowsCompleted() >= 2
                    && Files.exists(dir.resolve("calls.jsonl")) && Files.size(dir.resolve("calls.jsonl")) > 0) { // a busy machine may end no call in two windows
                return dir;
            }
            assertTrue(soak.isAlive(), () -> "soak ended early: " + log());
            Thread.sleep(100);
        }
        throw new AssertionError("no two windows within 60 s: " + log());
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("soak.log"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void aKilledRunStillReports() throws Exception {
        Path dir = startAndWaitForTwoWindows();
        List<ProcessHandle> tree = new ArrayList<>(soak.descendants().toList());
        tree.add(soak.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly); // kill -9: no chance to say goodbye
        for (ProcessHandle p : tree) {
            p.onExit().get(10, TimeUnit.SECONDS);
        }
        assertEquals(RunStatus.RUNNING, RunManifest.read(dir).status(), "nobody was left to update run.json");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, SoakLab.execute(new PrintWriter(out, true), new PrintWriter(err, true), "report", dir.toString()), err.toString());
        assertTrue(out.toString().startsWith("report: "), out.toString());
        RunManifest after = RunManifest.read(dir);
        assertEquals(RunStatus.CRASHED, after.status());
        RunData run = RunData.load(dir);
        assertTrue(run.windows().size() >= 2, "windows on disk: " + run.windows().size());
        assertTrue(run.calls().calls() > 0, run.notes() + " " + run.windows() + " " + java.nio.file.Files.readString(dir.resolve("calls.jsonl")).length());
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("Incomplete: the run crashed."), html);
    }

    @Test
    void aStoppedRunClosesItsWindowAndReports() throws Exception {
        Path dir = startAndWaitForTwoWindows();
        RunManifest running = RunManifest.read(dir);
        int before = running.windowsCompleted();
        ProcessHandle loadGenerator = ProcessHandle.of(running.loadPid()).orElseThrow();
        assertTrue(soak.descendants().anyMatch(p -> p.pid() == loadGenerator.pid()), "JMH forked the load generator");
        soak.destroy(); // SIGTERM to the launcher only; it must stop the load generator it forked
        assertTrue(soak.waitFor(30, TimeUnit.SECONDS), "the launcher exits: " + log());
        loadGenerator.onExit().get(10, TimeUnit.SECONDS); // and so does the load generator: no orphan left running
        RunManifest after = RunManifest.read(dir);
        assertEquals(RunStatus.ABORTED, after.status(), log());
        assertEquals("stopped by a signal before the end", after.message());
        RunData run = RunData.load(dir);
        assertTrue(run.windows().size() >= before + 1, "the open window was written too: " + run.windows().size() + " vs " + before);
        assertTrue(run.windows().stream().noneMatch(w -> w.source() == io.soaklab.internal.analysis.WindowStats.Source.PARTIAL), "a stopped run closes its last window");
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("Incomplete: the run was stopped early (stopped by a signal before the end)."), html);
        assertTrue(log().contains("soaklab: stopped; report "), log());
    }

    @Test
    void aStoppedRunWithoutAForkAlsoClosesAndReports() throws Exception {
        Path dir = startAndWaitForTwoWindows("--forks", "0");
        soak.destroy(); // the load runs in the launcher's JVM: its hook and the launcher's must not collide
        assertTrue(soak.waitFor(30, TimeUnit.SECONDS), "the launcher exits: " + log());
        RunManifest after = RunManifest.read(dir);
        assertEquals(RunStatus.ABORTED, after.status(), log());
        assertEquals(after.pid(), after.loadPid(), "one JVM");
        RunData run = RunData.load(dir);
        assertEquals(after.windowsCompleted(), run.windows().size());
        assertTrue(Files.readString(dir.resolve("report.html")).contains("Incomplete: the run was stopped early"));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
