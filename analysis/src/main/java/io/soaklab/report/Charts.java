package io.soaklab.report;

import io.soaklab.analysis.Percentiles;
import io.soaklab.analysis.RunData;
import io.soaklab.analysis.WindowStats;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.record.Metric;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, drawn with JFreeChart off screen and saved as PNG at twice their display
 * size, so they stay sharp on high-density screens.
 */
final class Charts {

    static final int WIDTH = 880;
    static final int HEIGHT = 340;
    private static final int SCALE = 2;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
    };

    /** One chart file and what it shows. */
    record Chart(String file, String title, String caption) {
    }

    private final RunData run;
    private final Path dir;
    private final double unitSeconds;
    private final String unitName;

    Charts(RunData run, Path chartsDir) {
        this.run = run;
        this.dir = chartsDir;
        double total = run.windows().isEmpty() ? 0
                : (run.windows().get(run.windows().size() - 1).endMillis() - run.windows().get(0).startMillis()) / 1000.0;
        if (total < 300) {
            unitSeconds = 1;
            unitName = "s";
        } else if (total < 5 * 3600) {
            unitSeconds = 60;
            unitName = "min";
        } else {
            unitSeconds = 3600;
            unitName = "h";
        }
    }

    /** Draws every chart; returns them in report order. */
    List<Chart> drawAll() throws IOException {
        Files.createDirectories(dir);
        return List.of(
                latencyOverTime(Metric.TTFT, "ttft.png", "Time to first token",
                        "Percentiles per window of the time from each call's intended start to its first token."),
                latencyOverTime(Metric.E2E, "e2e.png", "Call latency (end to end)",
                        "Percentiles per window of the time from each call's intended start to the end of its reply."),
                throughput(),
                errors(),
                context());
    }

    private Chart latencyOverTime(Metric metric, String file, String title, String caption) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries p50 = new XYSeries("p50");
        XYSeries p90 = new XYSeries("p90");
        XYSeries p99 = new XYSeries("p99");
        for (WindowStats w : run.windows()) {
            Percentiles p = w.latency(metric);
            if (!p.empty()) {
                double x = elapsed(w);
                p50.add(x, p.p50() / 1e6);
                p90.add(x, p.p90() / 1e6);
                p99.add(x, p.p99() / 1e6);
            }
        }
        data.addSeries(p50);
        data.addSeries(p90);
        data.addSeries(p99);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "elapsed (" + unitName + ", at window end)", "seconds",
                data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        lines((XYPlot) chart.getPlot(), 0);
        return save(chart, file, title, caption);
    }

    private Chart throughput() throws IOException {
        XYSeriesCollection calls = new XYSeriesCollection();
        XYSeries callRate = new XYSeries("calls/s (left)");
        XYSeriesCollection tokens = new XYSeriesCollection();
        XYSeries tokenRate = new XYSeries("output tokens/s (right)");
        for (WindowStats w : run.windows()) {
            callRate.add(elapsed(w), w.calls() / w.seconds());
            tokenRate.add(elapsed(w), w.completionTokens() / w.seconds());
        }
        calls.addSeries(callRate);
        tokens.addSeries(tokenRate);
        JFreeChart chart = ChartFactory.createXYLineChart("Throughput", "elapsed (" + unitName + ", at window end)",
                "calls/s", calls, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        XYPlot plot = (XYPlot) chart.getPlot();
        lines(plot, 0);
        NumberAxis right = new NumberAxis("output tokens/s");
        right.setAutoRangeIncludesZero(true);
        plot.setRangeAxis(1, right);
        plot.setDataset(1, tokens);
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer second = new XYLineAndShapeRenderer(true, true);
        second.setSeriesPaint(0, PALETTE[3]);
        second.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(1, second);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        return save(chart, "throughput.png", "Throughput",
                "Calls completed per second and output tokens per second, per window.");
    }

    private Chart errors() throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Map<ErrorClass, Boolean> seen = new LinkedHashMap<>();
        for (WindowStats w : run.windows()) {
            w.errors().keySet().forEach(c -> seen.put(c, true));
        }
        for (WindowStats w : run.windows()) {
            String column = Integer.toString(w.index() + 1);
            if (seen.isEmpty()) {
                data.addValue(0, "errors", column);
            }
            for (ErrorClass c : seen.keySet()) {
                data.addValue(w.errors().getOrDefault(c, 0L), c.wireName(), column);
            }
        }
        JFreeChart chart = ChartFactory.createStackedBarChart("Errors per window"
                        + (seen.isEmpty() ? " (none)" : ""), "window", "failed calls", data,
                PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        for (int i = 0; i < PALETTE.length; i++) {
            bars.setSeriesPaint(i, PALETTE[(i + 2) % PALETTE.length]);
        }
        NumberAxis count = (NumberAxis) plot.getRangeAxis();
        count.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        count.setLowerBound(0);
        if (seen.isEmpty()) {
            count.setRange(0, 1);
        }
        plot.setNoDataMessage("no complete window was recorded");
        return save(chart, "errors.png", "Errors", "Failed calls per window, by class (see the table of error classes).");
    }

    private Chart context() throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries p50 = new XYSeries("E2E p50");
        XYSeries p90 = new XYSeries("E2E p90");
        for (RunData.StepStats s : run.steps()) {
            if (!s.e2e().empty()) {
                p50.add(s.meanPromptTokens(), s.e2e().p50() / 1e6);
                p90.add(s.meanPromptTokens(), s.e2e().p90() / 1e6);
            }
        }
        data.addSeries(p50);
        data.addSeries(p90);
        JFreeChart chart = ChartFactory.createXYLineChart("Latency as context grows",
                "prompt tokens (mean at each step index of a session)", "seconds", data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        lines((XYPlot) chart.getPlot(), 0);
        return save(chart, "context.png", "Latency vs context",
                "Each point is one step index of a session (step 1, 2, ...): its mean prompt size and its end-to-end latency.");
    }

    private double elapsed(WindowStats w) {
        long origin = run.windows().get(0).startMillis();
        return (w.endMillis() - origin) / 1000.0 / unitSeconds;
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        if (chart.getPlot() instanceof XYPlot plot) {
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(new Color(0xdddddd));
            plot.setRangeGridlinePaint(new Color(0xdddddd));
            plot.setNoDataMessage("no complete window was recorded");
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
            ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
        }
    }

    private static void lines(XYPlot plot, int dataset) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < 4; i++) {
            r.setSeriesPaint(i, PALETTE[i]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(dataset, r);
    }

    private Chart save(JFreeChart chart, String file, String title, String caption) throws IOException {
        BufferedImage image = chart.createBufferedImage(WIDTH * SCALE, HEIGHT * SCALE, WIDTH, HEIGHT, null);
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream(1 << 17);
        // In memory: ImageIO's default file cache registers a delete-on-exit hook, which fails
        // while the JVM shuts down, exactly when a stopped run writes its report.
        try (javax.imageio.stream.ImageOutputStream out = new javax.imageio.stream.MemoryCacheImageOutputStream(png)) {
            ImageIO.write(image, "png", out);
        }
        Report.replace(dir.resolve(file), png.toByteArray());
        return new Chart(file, title, caption);
    }
}
