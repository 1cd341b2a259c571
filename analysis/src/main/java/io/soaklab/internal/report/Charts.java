package io.soaklab.internal.report;

import io.soaklab.internal.analysis.ContextTrend;
import io.soaklab.internal.analysis.Costs;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.Projection;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.Trend;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.internal.record.Metric;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

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

    /** One chart file and what it shows; with no file, a line of text stands for a chart with nothing to draw. */
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
        return Stream.of(
                latencyOverTime(Metric.TTFT, "ttft.png", "Time to first token",
                        "Percentiles per window of the time from each call's intended start to its first token."),
                latencyOverTime(Metric.E2E, "e2e.png", "Call latency (end to end)",
                        "Percentiles per window of the time from each call's intended start to the end of its reply."),
                throughput(),
                inFlight(),
                errors(),
                context(),
                generator(),
                ServerChart.draw(run, this::elapsed, "elapsed (" + unitName + ", at window end)", dir),
                probes()).filter(Objects::nonNull).toList();
    }

    /** The cost section's charts: spend over time, cost per task, and the projection's fan when there is one. */
    List<Chart> drawCost(Projection projection) throws IOException {
        Costs costs = run.costs();
        if (costs == null) {
            return List.of();
        }
        Files.createDirectories(dir);
        List<Chart> out = new ArrayList<>();
        out.add(cumulativeSpend());
        out.add(costPerTask(costs));
        if (projection != null) {
            out.add(fan(projection));
        }
        return out;
    }

    private Chart cumulativeSpend() throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries spent = new XYSeries("spent");
        BigDecimal sum = BigDecimal.ZERO;
        if (!run.windows().isEmpty()) {
            spent.add(0, 0);
        }
        for (WindowStats w : run.windows()) {
            sum = sum.add(w.spend());
            spent.add(elapsed(w), sum.doubleValue());
        }
        data.addSeries(spent);
        JFreeChart chart = ChartFactory.createXYLineChart("Spend so far", "elapsed (" + unitName + ", at window end)", "USD", data,
                PlotOrientation.VERTICAL, false, false, false);
        style(chart);
        lines((XYPlot) chart.getPlot(), 0);
        return save(chart, "spend.png", "Spend so far", "What the measured calls had cost by the end of each window.");
    }

    private Chart costPerTask(Costs costs) throws IOException {
        List<BigDecimal> tasks = costs.taskCosts();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        if (!tasks.isEmpty()) {
            BigDecimal max = tasks.stream().max(BigDecimal::compareTo).orElse(BigDecimal.ZERO);
            BigDecimal width = roundBin(max.doubleValue() / 20); // at most 20 bins, each a round amount wide
            int bins = Math.max(1, max.divide(width, 0, java.math.RoundingMode.CEILING).intValueExact());
            int[] counts = new int[bins];
            for (BigDecimal t : tasks) {
                counts[Math.max(0, Math.min(bins - 1, t.divide(width, 0, java.math.RoundingMode.CEILING).intValue() - 1))]++;
            }
            for (int i = 0; i < bins; i++) {
                data.addValue(counts[i], "tasks", "$" + width.multiply(BigDecimal.valueOf(i + 1)).stripTrailingZeros().toPlainString());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Cost per task", "what one task cost, at most", "tasks", data,
                PlotOrientation.VERTICAL, false, false, false);
        CategoryPlot plot = bars(chart);
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        bars.setSeriesPaint(0, PALETTE[0]);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        plot.setNoDataMessage("no task ended during measurement");
        return save(chart, "cost-per-task.png", "Cost per task",
                "How many tasks (episodes) cost up to each amount: every attempt of a task is in its cost, retries and failures included.");
    }

    /** The smallest round amount (1, 2 or 5 times a power of ten) at least {@code atLeast} wide. */
    static BigDecimal roundBin(double atLeast) {
        if (!(atLeast > 0)) {
            return BigDecimal.ONE.movePointLeft(6); // a micro-dollar: nothing cost anything
        }
        int exponent = (int) Math.floor(Math.log10(atLeast));
        for (int e = exponent; ; e++) {
            for (int step : new int[] {1, 2, 5}) {
                BigDecimal w = BigDecimal.valueOf(step).scaleByPowerOfTen(e);
                if (w.doubleValue() >= atLeast * (1 - 1e-12)) {
                    return w;
                }
            }
        }
    }

    private Chart fan(Projection p) throws IOException {
        org.jfree.data.xy.YIntervalSeriesCollection data = new org.jfree.data.xy.YIntervalSeriesCollection();
        org.jfree.data.xy.YIntervalSeries base = new org.jfree.data.xy.YIntervalSeries("base: P50, with P10-P90");
        int m = 0;
        List<String> labels = new ArrayList<>();
        for (Projection.Month month : p.scenarios().get(0).months()) {
            base.add(m++, month.spend().p50().doubleValue(), month.spend().p10().doubleValue(), month.spend().p90().doubleValue());
            labels.add(month.start().toString().substring(0, 7));
        }
        data.addSeries(base);
        JFreeChart chart = ChartFactory.createXYLineChart("Projected monthly spend", "month", "USD a month", data,
                PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        XYPlot plot = (XYPlot) chart.getPlot();
        org.jfree.chart.renderer.xy.DeviationRenderer band = new org.jfree.chart.renderer.xy.DeviationRenderer(true, true);
        band.setSeriesPaint(0, PALETTE[0]);
        band.setSeriesFillPaint(0, new Color(0x1f, 0x77, 0xb4, 60));
        band.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(band);
        XYSeriesCollection others = new XYSeriesCollection();
        for (Projection.Scenario s : p.scenarios().subList(1, p.scenarios().size())) {
            XYSeries line = new XYSeries(s.name() + " (P50)");
            int i = 0;
            for (Projection.Month month : s.months()) {
                line.add(i++, month.spend().p50().doubleValue());
            }
            others.addSeries(line);
        }
        plot.setDataset(1, others);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < others.getSeriesCount(); i++) {
            lines.setSeriesPaint(i, PALETTE[1 + i]);
            lines.setSeriesStroke(i, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        plot.setRenderer(1, lines);
        org.jfree.chart.axis.SymbolAxis months = new org.jfree.chart.axis.SymbolAxis("month", labels.toArray(String[]::new));
        months.setGridBandsVisible(false);
        months.setVerticalTickLabels(labels.size() > 8);
        plot.setDomainAxis(months);
        return save(chart, "projection.png", "Projected monthly spend",
                "Base scenario: the median month (line) and the range from P10 to P90 (band), from 2,000 resamples of the measured tasks; "
                        + "dashed: the other scenarios' medians.");
    }

    private Chart latencyOverTime(Metric metric, String file, String title, String caption) throws IOException {
        // a fan: the median with its band up to p90, the p99 with its band from p90 to p99.9
        YIntervalSeries median = new YIntervalSeries("p50 (shaded to p90)");
        YIntervalSeries tail = new YIntervalSeries("p99 (shaded from p90 to p99.9)");
        for (WindowStats w : run.windows()) {
            Percentiles p = w.latency(metric);
            if (!p.empty()) {
                double x = elapsed(w);
                median.add(x, p.p50() / 1e6, p.p50() / 1e6, p.p90() / 1e6);
                tail.add(x, p.p99() / 1e6, p.p90() / 1e6, p.p999() / 1e6);
            }
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        data.addSeries(median);
        data.addSeries(tail);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "elapsed (" + unitName + ", at window end)", "seconds",
                data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        DeviationRenderer fan = new DeviationRenderer(true, true);
        for (int i = 0; i < 2; i++) {
            fan.setSeriesPaint(i, PALETTE[i == 0 ? 0 : 2]);
            fan.setSeriesFillPaint(i, PALETTE[i == 0 ? 0 : 2]);
            fan.setSeriesStroke(i, new BasicStroke(2f));
        }
        fan.setAlpha(0.18f);
        chart.getXYPlot().setRenderer(fan);
        return save(chart, file, title, caption);
    }

    /** The load generator's own health: its schedule lag p99 and its GC time, per window. */
    private Chart generator() throws IOException {
        XYSeries lag = new XYSeries("schedule lag p99 (ms)");
        XYSeries gc = new XYSeries("GC time (ms)");
        for (WindowStats w : run.windows()) {
            double x = elapsed(w);
            Percentiles p = w.latency(Metric.SCHEDULE_LAG);
            if (!p.empty()) {
                lag.add(x, p.p99() / 1e3);
            }
            if (w.generator().gcMillis() >= 0) {
                gc.add(x, w.generator().gcMillis());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(lag);
        data.addSeries(gc);
        JFreeChart chart = ChartFactory.createXYLineChart("Load generator", "elapsed (" + unitName + ", at window end)", "milliseconds",
                data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        lines((XYPlot) chart.getPlot(), 0);
        return save(chart, "generator.png", "Load generator",
                "How late the generator sent calls (99th percentile per window) and how long its garbage collectors ran: high values"
                        + " mean the generator, not the endpoint, set the pace.");
    }

    /** Calls sent, ended and open per window: a hang shows as calls sent, none ended and the open count climbing. */
    private Chart inFlight() throws IOException {
        XYSeries started = new XYSeries("sent");
        XYSeries ended = new XYSeries("ended");
        XYSeries open = new XYSeries("in flight at the window's end");
        for (WindowStats w : run.windows()) {
            WindowStats.Traffic t = w.traffic();
            if (t.started() < 0) {
                continue;
            }
            double x = elapsed(w);
            started.add(x, t.started());
            ended.add(x, t.ended());
            open.add(x, t.inFlight());
        }
        if (open.isEmpty()) {
            return null;
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(started);
        data.addSeries(ended);
        data.addSeries(open);
        JFreeChart chart = ChartFactory.createXYLineChart("Calls in flight", "elapsed (" + unitName + ", at window end)", "calls",
                data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        lines((XYPlot) chart.getPlot(), 0);
        return save(chart, "in-flight.png", "Calls in flight",
                "Calls sent and calls ended in each window, and calls still waiting at its end: calls sent and none ended, the open"
                        + " count climbing, is a hang.");
    }

    /** Long-context probe accuracy per window, when the scenario asks probes. */
    private Chart probes() throws IOException {
        XYSeries exact = new XYSeries("exact answers (%)");
        for (WindowStats w : run.windows()) {
            if (w.probes().questions() > 0) {
                exact.add(elapsed(w), 100 * w.probes().rate());
            }
        }
        if (exact.isEmpty()) {
            return null;
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Probe accuracy", "elapsed (" + unitName + ", at window end)", "% exact",
                new XYSeriesCollection(exact), PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        lines((XYPlot) chart.getPlot(), 0);
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setRange(0, 100);
        return save(chart, "probes.png", "Probe accuracy", "Share of long-context probe answers that were exactly right, per window.");
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
        if (seen.isEmpty()) { // a line of text, not a full-size empty chart
            Files.deleteIfExists(dir.resolve("errors.png")); // from an earlier report of the same run
            return new Chart(null, "Errors", run.windows().isEmpty() ? "No complete window was recorded." : "No call failed in any window.");
        }
        for (WindowStats w : run.windows()) {
            double at = elapsed(w);
            String column = unitSeconds == 1 ? String.format(java.util.Locale.ROOT, "%.0f", at) : String.format(java.util.Locale.ROOT, "%.1f", at);
            for (ErrorClass c : seen.keySet()) {
                data.addValue(w.errors().getOrDefault(c, 0L), c.wireName(), column);
            }
        }
        JFreeChart chart = ChartFactory.createStackedBarChart("Errors per window", "elapsed (" + unitName + ", at window end)", "failed calls", data,
                PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = bars(chart);
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        for (int i = 0; i < PALETTE.length; i++) {
            bars.setSeriesPaint(i, PALETTE[(i + 2) % PALETTE.length]);
        }
        NumberAxis count = (NumberAxis) plot.getRangeAxis();
        count.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        count.setLowerBound(0);
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
        // the fitted line the report's words rest on (ContextTrend: steps with enough calls)
        List<RunData.StepStats> fitted = run.steps().stream()
                .filter(st -> st.calls() >= ContextTrend.MIN_CALLS_PER_STEP && !st.e2e().empty()).toList();
        if (fitted.size() >= 4) {
            double[] x = fitted.stream().mapToDouble(RunData.StepStats::meanPromptTokens).toArray();
            double[] y = fitted.stream().mapToDouble(st -> st.e2e().p50() / 1e6).toArray();
            Trend t = Trend.of(x, y);
            XYSeries line = new XYSeries("Theil-Sen line of E2E p50");
            line.add(x[0], t.at(x[0]));
            line.add(x[x.length - 1], t.at(x[x.length - 1]));
            data.addSeries(line);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Latency as context grows",
                "prompt tokens (mean at each step index of a session)", "seconds", data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        lines((XYPlot) chart.getPlot(), 0);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) chart.getXYPlot().getRenderer();
        r.setSeriesShapesVisible(2, false);
        r.setSeriesStroke(2, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
        return save(chart, "context.png", "Latency vs context",
                "Each point is one step index of a session (step 1, 2, ...): its mean prompt size and its end-to-end latency.");
    }

    private double elapsed(WindowStats w) {
        long origin = run.windows().get(0).startMillis();
        return (w.endMillis() - origin) / 1000.0 / unitSeconds;
    }

    static void style(JFreeChart chart) {
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

    static void lines(XYPlot plot, int dataset) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < 4; i++) {
            r.setSeriesPaint(i, PALETTE[i]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(dataset, r);
    }

    /** A bar chart in the report's style: flat bars on white, light grid lines. */
    private static CategoryPlot bars(JFreeChart chart) {
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        return plot;
    }

    private Chart save(JFreeChart chart, String file, String title, String caption) throws IOException {
        return save(dir, chart, file, title, caption);
    }

    /**
     * Two runs' values per window on one chart: window number across, {@code yLabel} up.
     * NaN values leave a gap.
     */
    static Chart overlay(Path dir, String file, String title, String caption, String yLabel, String nameA, double[] a, String nameB,
                         double[] b) throws IOException {
        Files.createDirectories(dir);
        XYSeriesCollection data = new XYSeriesCollection();
        String[] names = {nameA, nameB.equals(nameA) ? nameB + " (B)" : nameB};
        double[][] values = {a, b};
        for (int s = 0; s < 2; s++) {
            XYSeries series = new XYSeries(names[s], false, true);
            for (int i = 0; i < values[s].length; i++) {
                series.add(i + 1, Double.isNaN(values[s][i]) ? null : values[s][i]);
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "window", yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        style(chart);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        for (int s = 0; s < 2; s++) {
            lines.setSeriesPaint(s, PALETTE[s]);
            lines.setSeriesStroke(s, new BasicStroke(2f));
        }
        chart.getXYPlot().setRenderer(lines);
        ((NumberAxis) chart.getXYPlot().getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // window 1, 2, 3: no 0.2
        return save(dir, chart, file, title, caption);
    }

    static Chart save(Path dir, JFreeChart chart, String file, String title, String caption) throws IOException {
        BufferedImage image = chart.createBufferedImage(WIDTH * SCALE, HEIGHT * SCALE, WIDTH, HEIGHT, null);
        ByteArrayOutputStream png = new ByteArrayOutputStream(1 << 17);
        // In memory: ImageIO's default file cache registers a delete-on-exit hook, which fails
        // while the JVM shuts down, exactly when a stopped run writes its report.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(png)) {
            ImageIO.write(image, "png", out);
        }
        Report.replace(dir.resolve(file), png.toByteArray());
        return new Chart(file, title, caption);
    }
}
