package io.soaklab.internal.analysis;

import io.soaklab.internal.record.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What the server's own metrics say about the run's findings ({@link ServerWindows}): for each step
 * for the worse in the client's latency ({@link Degradation}), which server series stepped with it
 * (a step found by the same change-point test, {@link ChangePoint} at {@link Degradation#ALPHA},
 * at least {@value Degradation#MIN_CHANGE_PERCENT} % and {@link Series#smallest()}, starting within {@value #NEAR} window of the
 * client's); and how far the client's time to first token, measured from sending, is from the
 * server's own: what lies between is the network, the server's front end before its clock starts,
 * and the client.
 *
 * <pre>{@code
 * ServerFindings s = ServerFindings.of(run, Degradation.of(run));
 * s.steps().forEach(step -> System.out.println(step.client().series() + " with " + step.moved()));
 * }</pre>
 */
public final class ServerFindings {

    /** Windows apart a server step may start from the client's and still be said to move with it. */
    public static final int NEAR = 1;
    /** Share of the client's TTFT above which its gap to the server's own is worth a sentence. */
    public static final double GAP_SHARE = 0.25;

    /** A server series soaklab tests, with how it reads. */
    public enum Series {
        WAITING("requests waiting", "", 0.5, ServerWindows.Window::waitingMean),
        RUNNING("requests running", "", 0.5, ServerWindows.Window::runningMean),
        KV_CACHE("KV-cache usage", "ratio", 0.02, ServerWindows.Window::kvMax),
        PREEMPTIONS("preemptions", "/s", 0.05, ServerWindows.Window::preemptionsPerSecond),
        SERVER_TTFT("the server's own TTFT p99", "ms", 5, ServerWindows.Window::ttftP99Ms),
        QUEUE_TIME("time queued in the server p99", "ms", 5, ServerWindows.Window::queueP99Ms);

        private final String words;
        private final String unit;
        private final double smallest;
        private final ToDoubleFunction<ServerWindows.Window> value;

        Series(String words, String unit, double smallest, ToDoubleFunction<ServerWindows.Window> value) {
            this.words = words;
            this.unit = unit;
            this.smallest = smallest;
            this.value = value;
        }

        /** The smallest step said to move, in its unit: half a request, 2 points of KV-cache usage, 5 ms. */
        public double smallest() {
            return smallest;
        }

        public String words() {
            return words;
        }

        /** {@code ""} for a count, {@code ratio}, {@code /s}, {@code ms}. */
        public String unit() {
            return unit;
        }
    }

    /**
     * A server series' step near the client's.
     *
     * @param series what stepped
     * @param step   its step ({@link ChangePoint#index()} is into the tested windows)
     * @param window the window it starts in, from 0
     */
    public record Moved(Series series, ChangePoint step, int window) {
    }

    /**
     * A client step for the worse and the server series that moved with it.
     *
     * @param client  the client's finding
     * @param step    its step
     * @param moved   the server series that stepped with it, in {@link Series} order
     * @param tested  the server series there were values of
     * @param within  windows apart a server step may start and still be said to move with it: {@value ServerFindings#NEAR}, or a
     *                group's width when a long run is tested on groups of windows
     */
    public record Step(Degradation.Finding client, Degradation.Step step, List<Moved> moved, List<Series> tested, int within) {
    }

    /**
     * The client's TTFT from sending beside the server's own, medians over the windows that have both.
     *
     * @param clientMs its time to first token from sending, ms
     * @param serverMs the server's, ms
     * @param windows  windows compared
     */
    public record Gap(double clientMs, double serverMs, int windows) {

        public double millis() {
            return clientMs - serverMs;
        }

        /** Whether the gap is worth a sentence of its own: above {@value ServerFindings#GAP_SHARE} of the client's time. */
        public boolean large() {
            return millis() > GAP_SHARE * clientMs;
        }
    }

    private final List<Step> steps;
    private final Gap gap;

    private ServerFindings(List<Step> steps, Gap gap) {
        this.steps = steps;
        this.gap = gap;
    }

    /** The server's side of {@code run}'s findings {@code d}; nothing when the run has no server metrics. */
    public static ServerFindings of(RunData run, Degradation d) {
        ServerWindows server = run.server();
        if (!server.present()) {
            return new ServerFindings(List.of(), null);
        }
        double windowSeconds = run.manifest().config().schedule().window().toMillis() / 1000.0;
        List<WindowStats> used = run.windows().stream().filter(w -> !Degradation.generatorBound(w, windowSeconds)).toList();
        List<Step> steps = new ArrayList<>();
        if (used.size() >= Degradation.MIN_WINDOWS) {
            List<Moved> found = new ArrayList<>();
            List<Series> tested = new ArrayList<>();
            int near = NEAR;
            for (Series s : Series.values()) {
                double[] y = new double[used.size()];
                int present = 0;
                for (int i = 0; i < y.length; i++) {
                    y[i] = s.value.applyAsDouble(server.get(used.get(i).index()));
                    if (Double.isInfinite(y[i])) {
                        y[i] = Double.NaN;
                    }
                    present += Double.isNaN(y[i]) ? 0 : 1;
                }
                if (present < Degradation.MIN_WINDOWS) {
                    continue;
                }
                tested.add(s);
                // as the degradation tests do: a long run of short windows is tested on the medians of MAX_POINTS groups
                int groups = Math.min(y.length, Degradation.MAX_POINTS);
                double[] g = y.length == groups ? y : new double[groups];
                if (g != y) {
                    for (int k = 0; k < groups; k++) {
                        int from = (int) ((long) k * y.length / groups);
                        int to = (int) ((long) (k + 1) * y.length / groups);
                        double[] slice = Arrays.stream(Arrays.copyOfRange(y, from, to)).filter(v -> !Double.isNaN(v)).toArray();
                        Arrays.sort(slice);
                        g[k] = slice.length == 0 ? Double.NaN : slice.length % 2 == 1 ? slice[slice.length / 2]
                                : (slice[slice.length / 2 - 1] + slice[slice.length / 2]) / 2;
                    }
                }
                for (ChangePoint c : ChangePoint.find(g, Degradation.ALPHA)) {
                    double jump = Math.abs(c.after() - c.before());
                    if (jump >= Math.abs(c.before()) * Degradation.MIN_CHANGE_PERCENT / 100.0 && jump >= s.smallest()) {
                        found.add(new Moved(s, c, used.get((int) ((long) c.index() * y.length / groups)).index()));
                    }
                }
                near = Math.max(near, (y.length + groups - 1) / groups * NEAR); // a group's width, when grouped
            }
            for (Degradation.Finding f : tested.isEmpty() ? List.<Degradation.Finding>of() : d.findings()) { // no series: nothing to say of them
                if (!f.worse() || !(f.series().startsWith("TTFT") || f.series().startsWith("E2E") || f.series().startsWith("inter-token"))) {
                    continue;
                }
                for (Degradation.Step s : f.steps()) {
                    if (!s.matters()) {
                        continue;
                    }
                    List<Moved> with = new ArrayList<>();
                    for (Series series : Series.values()) {
                        int within = near;
                        found.stream().filter(m -> m.series() == series && Math.abs(m.window() - s.window()) <= within).findFirst()
                                .ifPresent(with::add);
                    }
                    steps.add(new Step(f, s, List.copyOf(with), List.copyOf(tested), near));
                }
            }
        }
        return new ServerFindings(List.copyOf(steps), gap(run, server));
    }

    private static Gap gap(RunData run, ServerWindows server) {
        List<Double> client = new ArrayList<>();
        List<Double> own = new ArrayList<>();
        for (WindowStats w : run.windows()) {
            Percentiles p = w.latency(Metric.TTFT_SENT);
            double s = server.get(w.index()).ttftP50Ms();
            if (!p.empty() && !Double.isNaN(s) && !Double.isInfinite(s)) {
                client.add(p.p50() / 1000.0);
                own.add(s);
            }
        }
        if (client.isEmpty()) {
            return null;
        }
        return new Gap(median(client), median(own), client.size());
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Each client step for the worse, with the server series that moved with it. */
    public List<Step> steps() {
        return steps;
    }

    /** The client's TTFT beside the server's own, or null when the server has no TTFT histogram. */
    public Gap gap() {
        return gap;
    }
}
