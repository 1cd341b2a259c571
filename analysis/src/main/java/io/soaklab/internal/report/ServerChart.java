package io.soaklab.internal.report;

import io.soaklab.internal.analysis.Percentiles;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.ServerWindows;
import io.soaklab.internal.analysis.WindowStats;
import io.soaklab.internal.record.Metric;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The server's own metrics on the client's time axis, one chart of three panels sharing it: time to
 * first token as soaklab measured it and as the server did, the server's requests running and
 * waiting, and its KV-cache usage. Drawn only for a run that scraped a server.
 */
final class ServerChart {

    private ServerChart() {
    }

    static Charts.Chart draw(RunData run, ToDoubleFunction<WindowStats> elapsed, String axis, Path dir) throws IOException {
        ServerWindows server = run.server();
        if (!server.present()) {
            return null;
        }
        XYSeries clientTtft = new XYSeries("TTFT p99, soaklab (from intended start)");
        XYSeries serverTtft = new XYSeries("TTFT p99, the server's own");
        XYSeries running = new XYSeries("requests running (mean)");
        XYSeries waiting = new XYSeries("requests waiting (mean)");
        XYSeries kv = new XYSeries("KV-cache usage (most)");
        for (WindowStats w : run.windows()) {
            double x = elapsed.applyAsDouble(w);
            ServerWindows.Window s = server.get(w.index());
            Percentiles p = w.latency(Metric.TTFT);
            if (!p.empty()) {
                clientTtft.add(x, p.p99() / 1e6);
            }
            add(serverTtft, x, s.ttftP99Ms() / 1000);
            add(running, x, s.runningMean());
            add(waiting, x, s.waitingMean());
            add(kv, x, s.kvMax());
        }
        NumberAxis seconds = new NumberAxis("seconds");
        XYPlot latency = panel(seconds, clientTtft, serverTtft);
        XYPlot requests = panel(new NumberAxis("requests"), running, waiting);
        NumberAxis share = new NumberAxis("KV usage");
        share.setRange(0, 1.05);
        XYPlot cache = panel(share, kv);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis(axis));
        plot.setGap(8);
        plot.add(latency, 2);
        plot.add(requests, 2);
        plot.add(cache, 1);
        JFreeChart chart = new JFreeChart("The server, beside soaklab", new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(java.awt.Color.WHITE); // not Charts.style: a combined plot has no range axis of its own
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        return Charts.save(dir, chart, "server.png", "The server, beside soaklab",
                "Per window: time to first token as soaklab measured it (from each call's intended start) and as the server measured it"
                        + " (its own histogram's 99th percentile over the window), the server's requests running and waiting, and its"
                        + " KV-cache usage (server-metrics.jsonl; docs/server-metrics.md).");
    }

    private static void add(XYSeries series, double x, double y) {
        if (!Double.isNaN(y) && !Double.isInfinite(y)) {
            series.add(x, y);
        }
    }

    private static XYPlot panel(NumberAxis range, XYSeries... series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        range.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, null, range, null);
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.setDomainGridlinePaint(new java.awt.Color(0xdddddd));
        plot.setRangeGridlinePaint(new java.awt.Color(0xdddddd));
        Charts.lines(plot, 0);
        return plot;
    }
}
