package io.soaklab.internal.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.layout.RunFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jmh.json}, JMH's own result of the run: where JMH is told to write it ({@link #file}), and its
 * only reader. JMH writes it; soaklab reads the {@code calls} counter (exact calls per second) or,
 * without one, the primary score.
 */
public final class JmhResult {

    private static final ObjectMapper TREE = new ObjectMapper();

    private JmhResult() {
    }

    /** Where JMH writes its result in run folder {@code dir} ({@code -rf json -rff FILE}). */
    public static Path file(Path dir) {
        return RunFile.JMH.in(dir);
    }

    /** JMH's score in {@code dir}, or null when there is none; a file that cannot be read is noted. */
    static RunData.JmhScore read(Path dir, List<String> notes) {
        Path file = file(dir);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode root = TREE.readTree(file.toFile());
            if (root == null || !root.isArray() || root.isEmpty()) {
                return null;
            }
            JsonNode first = root.get(0);
            // AgentSoak's "calls" counter is exact; its primary score counts one extra invocation per iteration.
            JsonNode calls = first.path("secondaryMetrics").path("calls");
            JsonNode metric = calls.isMissingNode() ? first.path("primaryMetric") : calls;
            String name = first.path("benchmark").asText() + (calls.isMissingNode() ? "" : ":calls");
            return new RunData.JmhScore(name, metric.path("score").asDouble(Double.NaN),
                    metric.path("scoreError").asDouble(Double.NaN), metric.path("scoreUnit").asText());
        } catch (IOException e) {
            notes.add(RunFile.JMH + " could not be read: " + e.getMessage());
            return null;
        }
    }
}
