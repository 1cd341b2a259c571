package io.soaklab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.Degradation;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.record.Metric;
import io.soaklab.run.RunManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code soaklab demo}: enough windows for its own analysis, and no false alarm about its own load generator. */
class DemoTest {

    @TempDir
    Path tmp;

    @Test
    void theDemoMeasuresTenWindowsInAMinuteAndAHalf() {
        String help = SoakLabTest.run("demo", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--duration=DURATION Measured time, e.g. 20s, 30m, 8h; rounded up to whole windows (default: 70s)"), help);
        assertTrue(help.contains("(default: 7s)") && help.contains("--warmup=DURATION Warmup before measuring, not counted (default: 5s)"), help);
    }

    @Test
    void theDemosLoadOnTheDefaultProfileRaisesNoLagBanner() throws Exception {
        // the demo's own load (16 coding-agent sessions, the default profile, its warmup and 7 s windows), for one window
        Path dir = tmp.resolve("demo");
        SoakLabTest.Result r = SoakLabTest.run("demo", "--duration", "7s", "--out", dir.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, RunManifest.read(dir).windowsCompleted());
        RunData run = RunData.load(dir);
        String html = Files.readString(dir.resolve("report.html"));
        assertEquals(Degradation.lagMatters(run.totals().get(Metric.SCHEDULE_LAG), run.totals().get(Metric.TTFT)), html.contains("fell behind"),
                "the banner follows the rule");
        assertTrue(html.contains("<b>Errors:</b> No call failed in any window.") && !Files.exists(dir.resolve("charts/errors.png")),
                "no full-size empty chart of errors");
        assertFalse(html.contains("fell behind"), "lag p99 " + run.totals().get(Metric.SCHEDULE_LAG).p99() + " µs against TTFT p50 "
                + run.totals().get(Metric.TTFT).p50() + " µs:\n" + html);
    }
}
