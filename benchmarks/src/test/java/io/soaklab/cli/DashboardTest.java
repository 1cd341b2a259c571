package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in deploy/grafana reads: it parses, names its Prometheus data source, every panel queries
 * something, and every soaklab series it queries is one that {@code soaklab run --metrics-port} publishes.
 * (deploy/grafana/check-dashboard.sh checks the same expressions against a real Prometheus.)
 */
class DashboardTest {

    /** The test runs in benchmarks/, the module's folder. */
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "soaklab-dashboard.json");

    /** Counters and gauges soaklab publishes, as Prometheus names them. */
    private static final Set<String> PLAIN = Set.of(
            "soaklab_calls_total", "soaklab_attempts_total", "soaklab_retries_total", "soaklab_tokens_total",
            "soaklab_spend_usd_total", "soaklab_calls_in_flight", "soaklab_episodes_total", "soaklab_window",
            "soaklab_run_info");

    /** Histograms soaklab publishes (seconds); queried as _bucket, _count or _sum. */
    private static final Set<String> HISTOGRAMS = Set.of(
            "soaklab_schedule_lag_seconds", "soaklab_ttft_seconds", "soaklab_itl_seconds", "soaklab_e2e_seconds",
            "soaklab_e2e_failed_seconds", "soaklab_episode_seconds");

    private static final Pattern SOAKLAB_NAME = Pattern.compile("(?<![A-Za-z0-9_:])soaklab_[A-Za-z0-9_]+");

    private static JsonNode dashboard;

    @BeforeAll
    static void read() throws IOException {
        assertTrue(Files.isRegularFile(DASHBOARD), "no dashboard at " + DASHBOARD.toAbsolutePath());
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    /** Every panel, those nested in collapsed rows too, rows included. */
    private static List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            for (JsonNode nested : panel.path("panels")) {
                out.add(nested);
            }
        }
        return out;
    }

    private static boolean isRow(JsonNode panel) {
        return "row".equals(panel.path("type").asText());
    }

    private static String name(JsonNode panel) {
        return "panel " + panel.path("id").asText("?") + " '" + panel.path("title").asText() + "'";
    }

    static boolean published(String name) {
        if (PLAIN.contains(name) || HISTOGRAMS.contains(name)) {
            return true;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (name.endsWith(suffix) && HISTOGRAMS.contains(name.substring(0, name.length() - suffix.length()))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void parsesAsADashboardWithPanels() {
        assertTrue(dashboard.isObject());
        assertFalse(dashboard.path("title").asText().isBlank(), "title");
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schemaVersion");
        assertTrue(panels().stream().filter(p -> !isRow(p)).count() >= 10, "panels");
    }

    @Test
    void namesItsPrometheusDataSource() {
        boolean input = false;
        for (JsonNode in : dashboard.path("__inputs")) {
            input |= "datasource".equals(in.path("type").asText()) && "prometheus".equals(in.path("pluginId").asText());
        }
        boolean variable = false;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            variable |= "datasource".equals(v.path("type").asText()) && "prometheus".equals(v.path("query").asText());
        }
        assertTrue(input || variable, "a Prometheus data-source input (__inputs) or a datasource variable");
    }

    @Test
    void everyPanelQueriesSomething() {
        for (JsonNode panel : panels()) {
            if (isRow(panel)) {
                continue;
            }
            int exprs = 0;
            for (JsonNode target : panel.path("targets")) {
                if (!target.path("expr").asText().isBlank()) {
                    exprs++;
                }
            }
            assertTrue(exprs > 0, name(panel) + " has no target with an expr");
        }
    }

    @Test
    void everySoaklabSeriesQueriedIsPublished() {
        Set<String> seen = new TreeSet<>();
        Set<String> unknown = new TreeSet<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = SOAKLAB_NAME.matcher(target.path("expr").asText());
                while (m.find()) {
                    seen.add(m.group());
                    if (!published(m.group())) {
                        unknown.add(m.group() + " (" + name(panel) + ")");
                    }
                }
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            Matcher m = SOAKLAB_NAME.matcher(v.path("definition").asText());
            while (m.find()) {
                seen.add(m.group());
                if (!published(m.group())) {
                    unknown.add(m.group() + " (variable " + v.path("name").asText() + ")");
                }
            }
        }
        assertTrue(unknown.isEmpty(), "not published by soaklab: " + unknown);
        assertTrue(seen.contains("soaklab_calls_total") && seen.contains("soaklab_ttft_seconds_bucket"),
                "the dashboard queries soaklab's calls and TTFT: " + seen);
    }

    @Test
    void theNameCheckRejectsWhatSoaklabDoesNotPublish() {
        assertTrue(published("soaklab_e2e_failed_seconds_bucket"));
        assertTrue(published("soaklab_window"));
        assertFalse(published("soaklab_calls"), "the counter's name without _total");
        assertFalse(published("soaklab_window_bucket"), "a gauge has no buckets");
        assertFalse(published("soaklab_ttft_seconds_total"));
    }

    @Test
    void panelIdsAreUniqueAndEveryPanelIsPlaced() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels()) {
            assertTrue(panel.path("id").isInt(), name(panel) + " has no numeric id");
            assertTrue(ids.add(panel.path("id").asInt()), name(panel) + ": id used twice");
            JsonNode grid = panel.path("gridPos");
            for (String field : List.of("h", "w", "x", "y")) {
                assertTrue(grid.path(field).isInt(), name(panel) + " gridPos." + field);
            }
            assertTrue(grid.path("x").asInt() + grid.path("w").asInt() <= 24, name(panel) + " wider than the grid");
        }
        assertEquals(panels().size(), ids.size());
    }
}
