package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Capacity;
import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.run.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** A capacity sweep's curves, one point per stage: latency against throughput, goodput against offered load, cost per task against load. */
final class SweepCharts {

    private SweepCharts() {
    }

    static List<Charts.Chart> draw(Capacity c, Path runDir) throws IOException {
        Path dir = Report.charts(runDir);
        Files.createDirectories(dir);
        List<Capacity.Stage> stages = c.byLevel();
        List<Charts.Chart> out = new ArrayList<>();
        if (stages.isEmpty()) {
            return out;
        }
        String levelAxis = c.sweep().kind() == RunConfig.Sweep.Kind.USERS ? "offered load (concurrent users)" : "offered load (arrivals a second)";

        XYSeriesCollection latency = new XYSeriesCollection();
        latency.addSeries(series("TTFT p50", stages, Capacity.Stage::callsPerSecond, s -> seconds(s.ttft(), false)));
        latency.addSeries(series("TTFT p99", stages, Capacity.Stage::callsPerSecond, s -> seconds(s.ttft(), true)));
        latency.addSeries(series("E2E p99", stages, Capacity.Stage::callsPerSecond, s -> seconds(s.e2e(), true)));
        if (stages.stream().anyMatch(s -> !s.episode().empty())) {
            latency.addSeries(series("episode p99", stages, Capacity.Stage::callsPerSecond, s -> seconds(s.episode(), true)));
        }
        JFreeChart latencyChart = ChartFactory.createXYLineChart("Latency against throughput", "achieved throughput (calls a second)",
                "seconds (log scale)", latency, PlotOrientation.VERTICAL, true, false, false);
        Charts.style(latencyChart);
        org.jfree.chart.axis.LogAxis log = new org.jfree.chart.axis.LogAxis("seconds (log scale)");
        log.setSmallestValue(1e-3);
        log.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
        log.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1), false, true); // a tick a decade: 0.01, 0.1, 1, 10 s
        latencyChart.getXYPlot().setRangeAxis(log);
        for (Capacity.Objective o : stages.get(0).objectives()) {
            if (o.slo().latency()) { // the objective's limit, where a stage's percentile must stay under
                org.jfree.chart.plot.ValueMarker limit = new org.jfree.chart.plot.ValueMarker(o.slo().limitMicros() / 1e6);
                limit.setPaint(java.awt.Color.GRAY);
                limit.setStroke(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
                limit.setLabel(SweepSections.name(o.slo()) + " ≤ " + RunSections.sloValue(o.slo(), o.slo().limit().doubleValue()));
                limit.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
                limit.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT);
                latencyChart.getXYPlot().addRangeMarker(limit);
            }
        }
        out.add(save(dir, latencyChart, "sweep-latency.png", "Latency against throughput",
                "Each point is one stage, in the order of its load: its latency percentiles over its measured windows against the calls a"
                        + " second it achieved (dashed: the objectives). Where the curve turns up steeply, more load buys queueing, not throughput."));

        XYSeriesCollection goodput = new XYSeriesCollection();
        goodput.addSeries(series("calls/s achieved", stages, Capacity.Stage::level, Capacity.Stage::callsPerSecond));
        if (stages.stream().anyMatch(s -> !Double.isNaN(s.goodput()))) {
            goodput.addSeries(series("goodput (met every objective) /s", stages, Capacity.Stage::level, Capacity.Stage::goodput));
        }
        out.add(save(dir, ChartFactory.createXYLineChart("Goodput against offered load", levelAxis, "a second", goodput,
                PlotOrientation.VERTICAL, true, false, false), "sweep-goodput.png", "Goodput against offered load",
                "Calls a second achieved, and those that met every per-call objective (goodput), at each stage's load: past the knee goodput"
                        + " falls away from throughput."));

        if (stages.stream().anyMatch(s -> s.costPerTask() != null)) {
            XYSeriesCollection cost = new XYSeriesCollection();
            cost.addSeries(series("USD per task", stages, Capacity.Stage::level, s -> s.costPerTask() == null ? Double.NaN : s.costPerTask().doubleValue()));
            out.add(save(dir, ChartFactory.createXYLineChart("Cost per task against load", levelAxis, "USD per task", cost,
                    PlotOrientation.VERTICAL, true, false, false), "sweep-cost.png", "Cost per task against load",
                    "What one task (episode) cost at each stage's load, retries and failures included: whether the unit cost moves near the knee."));
        }
        return out;
    }

    private static XYSeries series(String name, List<Capacity.Stage> stages, Function<Capacity.Stage, Double> x, Function<Capacity.Stage, Double> y) {
        XYSeries s = new XYSeries(name, false, true);
        for (Capacity.Stage st : stages) {
            double v = y.apply(st);
            if (!Double.isNaN(v)) {
                s.add(x.apply(st), (Double) v);
            }
        }
        return s;
    }

    private static double seconds(Percentiles p, boolean p99) {
        return p.empty() ? Double.NaN : (p99 ? p.p99() : p.p50()) / 1e6;
    }

    private static Charts.Chart save(Path dir, JFreeChart chart, String file, String title, String caption) throws IOException {
        if (!(chart.getXYPlot().getRangeAxis() instanceof org.jfree.chart.axis.LogAxis)) {
            Charts.style(chart); // (a log axis is styled where it is set: styling here would ask it to include zero)
        }
        Charts.lines(chart.getXYPlot(), 0);
        return Charts.save(dir, chart, file, title, caption);
    }
}
