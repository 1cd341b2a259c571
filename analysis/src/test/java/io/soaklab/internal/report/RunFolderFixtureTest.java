package io.soaklab.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.Episodes;
import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.Slos;
import io.soaklab.internal.run.Slo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Run folders written by an earlier soaklab read the same numbers today. Each folder under
 * {@code run-folders/v1/} is a real run of the embedded endpoint, recorded before the run folder's
 * format had a version (2026-12-02); beside it, {@code NAME.expected} holds every figure the analysis
 * drew from it then, and the folder's own {@code windows.csv} is the one its report wrote. A change
 * to how a file is read or aggregated that moves any number fails here.
 *
 * <p>To re-record the figures after a deliberate change of a figure's definition:
 * {@code mvn verify -pl analysis -Dtest=RunFolderFixtureTest -Dfixtures.rewrite=true}, and say why in the commit.
 */
class RunFolderFixtureTest {

    private static final List<Slo> OBJECTIVES = Slo.parseAll("ttft.p99=2s,e2e.p99=5s,errors=5%,episode.p95=10s,episode.cost.p95=$0.05");

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"team-overloaded", "long-context-probe"})
    void aRunFolderOfTheFirstFormatReportsTheSameNumbers(String name) throws Exception {
        Path dir = copy(fixture(name), work.resolve(name));
        RunData run = RunData.load(dir);
        String figures = figures(run);
        Path expected = fixture(name).resolveSibling(name + ".expected");
        if (Boolean.getBoolean("fixtures.rewrite")) {
            Files.writeString(source(expected), figures, StandardCharsets.UTF_8);
            Files.writeString(expected, figures, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(expected, StandardCharsets.UTF_8), figures, "the figures of " + name);

        Path csv = WindowsCsv.write(run);
        assertEquals(Files.readString(fixture(name).resolve("windows.csv")), Files.readString(csv), "windows.csv of " + name);
        assertTrue(run.windows().size() >= 2, "the fixture has measured windows");
    }

    /** Every figure the analysis draws from a run, one per line, in a stable order. */
    private static String figures(RunData run) throws IOException {
        StringBuilder out = new StringBuilder();
        line(out, "status", run.status());
        line(out, "measured_seconds", run.measuredSeconds());
        for (var w : run.windows()) {
            line(out, "window", w);
        }
        line(out, "totals", run.totals());
        line(out, "calls", run.calls());
        line(out, "steps", run.steps());
        line(out, "roles", run.roles());
        line(out, "error_samples", run.errorSamples());
        line(out, "jmh", run.jmh());
        line(out, "fidelity", run.fidelity());
        line(out, "notes", run.notes());
        Episodes e = run.episodes();
        line(out, "episodes", e.count() + " ok " + e.ok() + " failed " + e.failed() + " reasons " + e.reasons());
        line(out, "episode_duration", e.duration());
        line(out, "episode_means", e.meanCalls() + " calls " + e.meanAttempts() + " attempts");
        line(out, "episode_tokens", e.tokensPerEpisode());
        line(out, "episode_metrics", e.metricSums());
        line(out, "events", e.eventCounts());
        line(out, "probes", e.probes() + " by_length " + e.probeByLength() + " by_processed " + e.probeByProcessed()
                + " by_depth " + e.probeByDepth());
        line(out, "slowest_roles", e.slowestRoles());
        line(out, "carried", e.carriedByArm());
        line(out, "tool_failure_actions", e.toolFailureActions());
        line(out, "compaction_saved", e.compactionSavedTokens());
        Costs c = run.costs();
        line(out, "cost", c.total() + " by_kind " + c.byKind() + " tokens " + c.tokensByKind() + " by_role " + c.byRole());
        line(out, "cost_retried", c.retried() + " estimated " + c.estimated() + " long_tier " + c.longTierCalls());
        line(out, "cost_tasks", c.perTask() + " ok " + c.successfulTasks() + " failed " + c.failedTasks() + " per_success "
                + c.perSuccessfulTask() + " each " + c.taskCosts());
        for (int w = 0; w < run.windows().size(); w++) {
            line(out, "cost_window", w + " " + c.window(w));
        }
        Slos slos = Slos.evaluate(run, OBJECTIVES);
        for (Slos.Verdict v : slos.verdicts()) {
            line(out, "slo", v);
        }
        for (int w = 0; w < run.windows().size(); w++) {
            line(out, "goodput", w + " calls " + slos.callGoodput(w) + " attainment " + slos.callAttainment(w) + " episodes "
                    + slos.episodeGoodput(w));
        }
        Degradation d = Degradation.of(run);
        line(out, "degradation", Sentences.summary(d));
        for (Degradation.Finding f : d.series()) {
            line(out, "series", f);
        }
        Projection p = Projection.of(run.dir(), c.tariff(), run.catalog(), new Projection.Parameters(new BigDecimal("1000"),
                new BigDecimal("0.08"), 3, List.of("claude-sonnet-4-5"), LocalDate.of(2027, 1, 1)));
        line(out, "projection_per_task", p.perTask());
        line(out, "projection_scenarios", p.scenarios());
        line(out, "projection_sensitivities", p.sensitivities());
        line(out, "projection_reprices", p.reprices());
        return out.toString();
    }

    private static void line(StringBuilder out, String what, Object value) {
        out.append(what).append(": ").append(value).append('\n');
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(RunFolderFixtureTest.class.getResource("/run-folders/v1/" + name).toURI());
    }

    /** The source copy of a test resource: target/test-classes/X → src/test/resources/X. */
    private static Path source(Path resource) {
        Path p = resource.toAbsolutePath();
        Path classes = p;
        while (classes != null && !classes.endsWith("target/test-classes")) {
            classes = classes.getParent();
        }
        return classes.getParent().getParent().resolve("src/test/resources").resolve(classes.relativize(p));
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            files.forEach(f -> {
                try {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return to;
    }
}
