package io.soaklab.load;

import io.soaklab.internal.text.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * When episodes arrive in an open load, written as on the command line:
 * <ul>
 * <li>{@code constant:5/s}: evenly spaced, 5 a second ({@code /s}, {@code /m}, {@code /h});</li>
 * <li>{@code poisson:300/m}: a Poisson process of that mean rate;</li>
 * <li>{@code ramp:1/s..20/s@10m}: evenly spaced, the rate rising linearly over 10 minutes, then level;</li>
 * <li>{@code step:2/s,5/s,10/s@5m}: each rate for 5 minutes, the last one on (rates may also be
 *     separated by {@code ;}, as JMH's {@code -p} needs);</li>
 * <li>{@code csv:FILE}: replayed from a file of timestamps, one a line (seconds, or ISO-8601
 *     instants), first column of a CSV; offsets are taken from the first.</li>
 * </ul>
 * A ramp-up ({@link #withRampUp}) scales any rate from zero to full over its duration.
 *
 * <pre>{@code
 * Arrivals.Schedule s = Arrivals.parse("poisson:5/s").schedule(42);
 * long first = s.next();  // nanoseconds after the start; -1 when a replay has ended
 * }</pre>
 */
public final class Arrivals {

    private enum Kind { CONSTANT, POISSON, RAMP, STEP, CSV }

    /** Episodes a second beyond which no generator on one machine keeps a schedule. */
    static final double MAX_RATE = 100_000;

    private final String spec;
    private final Kind kind;
    private final double[] rates;
    private final double period;
    private final long[] replay;
    private final double rampUp;
    /** A sweep's levels, changed while it runs; null for every other kind. */
    private final Levels levels;

    private Arrivals(String spec, Kind kind, double[] rates, double period, long[] replay, double rampUp) {
        this(spec, kind, rates, period, replay, rampUp, null);
    }

    private Arrivals(String spec, Kind kind, double[] rates, double period, long[] replay, double rampUp, Levels levels) {
        this.levels = levels;
        this.spec = spec;
        this.kind = kind;
        this.rates = rates;
        this.period = period;
        this.replay = replay;
        this.rampUp = rampUp;
    }

    /**
     * Reads an arrival specification.
     *
     * @throws IllegalArgumentException with a message fit to show a user
     */
    public static Arrivals parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--arrival '" + s + "': write constant:5/s, poisson:5/s, ramp:1/s..20/s@10m, "
                    + "step:2/s,5/s@5m or csv:FILE");
        }
        String what = s.substring(0, colon).toLowerCase(Locale.ROOT);
        String args = s.substring(colon + 1).strip();
        try {
            return switch (what) {
                case "constant" -> new Arrivals(s, Kind.CONSTANT, new double[] {positive(rate(args), args)}, 0, null, 0);
                case "poisson" -> new Arrivals(s, Kind.POISSON, new double[] {positive(rate(args), args)}, 0, null, 0);
                case "ramp" -> {
                    String[] at = split(args, '@', "ramp:FROM..TO@DURATION");
                    String[] range = at[0].split("\\.\\.", -1);
                    if (range.length != 2) {
                        throw new IllegalArgumentException("write ramp:FROM..TO@DURATION, e.g. ramp:1/s..20/s@10m");
                    }
                    double from = rate(range[0]);
                    double to = rate(range[1]);
                    if (from == 0 && to == 0) {
                        throw new IllegalArgumentException("a ramp from zero to zero never sends anything");
                    }
                    yield new Arrivals(s, Kind.RAMP, new double[] {from, to}, seconds(at[1]), null, 0);
                }
                case "step" -> {
                    String[] at = split(args, '@', "step:RATE,RATE,...@DURATION");
                    String[] parts = at[0].split("[,;]", -1); // ';' too: JMH's -p splits its values at commas
                    double[] r = new double[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        r[i] = rate(parts[i]); // a zero step is a pause
                    }
                    if (Arrays.stream(r).allMatch(x -> x == 0)) {
                        throw new IllegalArgumentException("every step's rate is zero: nothing would ever be sent");
                    }
                    yield new Arrivals(s, Kind.STEP, r, seconds(at[1]), null, 0);
                }
                case "csv" -> new Arrivals(s, Kind.CSV, null, 0, replay(Path.of(args)), 0);
                default -> throw new IllegalArgumentException("unknown arrival process '" + what + "' (known: constant, poisson, ramp, step, csv)");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--arrival '" + s + "': " + e.getMessage());
        }
    }

    /**
     * Arrivals at given offsets, as a replayed trace has them (its sessions' starts): what {@code csv:FILE} replays, from
     * numbers in hand.
     *
     * @param describe     what they are, for the report
     * @param offsetsNanos nanoseconds after the start, in order
     */
    public static Arrivals replay(String describe, long[] offsetsNanos) {
        long[] offsets = offsetsNanos.clone();
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] < 0 || i > 0 && offsets[i] < offsets[i - 1]) {
                throw new IllegalArgumentException("replayed arrivals must start at 0 or later and not go backwards (at " + i + ")");
            }
        }
        return new Arrivals(describe, Kind.CSV, null, 0, offsets, 0);
    }

    /**
     * The same arrivals ({@code constant:} or {@code poisson:} only) with a rate a capacity sweep
     * moves while the load runs ({@link OpenLoad#level}), each change ramping linearly from the last
     * rate over its ramp.
     *
     * @throws IllegalArgumentException for any other arrival process
     */
    public Arrivals movable() {
        if (kind != Kind.CONSTANT && kind != Kind.POISSON) {
            throw new IllegalArgumentException("--arrival '" + spec + "': a sweep moves the rate of constant: or poisson: arrivals only");
        }
        return new Arrivals(spec, kind, rates, period, replay, rampUp, new Levels(rates[0]));
    }

    /** From {@code atSeconds} after the start, {@code rate} a second, reached linearly over {@code rampSeconds}. */
    void restage(double atSeconds, double rate, double rampSeconds) {
        if (levels == null) {
            throw new IllegalStateException("these arrivals keep the rate they were given: " + spec);
        }
        levels.add(atSeconds, positive(rate, Double.toString(rate)), rampSeconds);
    }

    /** Whether a sweep moves the rate while the load runs ({@link #movable}). */
    boolean moving() {
        return levels != null;
    }

    /** How many times the rate was moved: an arrival drawn before the last move is drawn again. */
    int moves() {
        return levels == null ? 0 : levels.changes.length - 1;
    }

    /** A sweep's rates over time: each change from its instant, ramping from the rate before it. Written by the sweep, read by the dispatcher. */
    private static final class Levels {
        private volatile double[][] changes; // {at, rate, ramp} in order of at

        Levels(double rate) {
            changes = new double[][] {{0, rate, 0}};
        }

        synchronized void add(double at, double rate, double ramp) {
            double[][] c = changes;
            double[][] next = java.util.Arrays.copyOf(c, c.length + 1);
            next[c.length] = new double[] {Math.max(at, c[c.length - 1][0]), rate, ramp};
            changes = next;
        }

        double rate(double t) {
            double[][] c = changes;
            int i = c.length - 1;
            while (i > 0 && c[i][0] > t) {
                i--;
            }
            double[] now = c[i];
            if (i == 0 || now[2] <= 0 || t >= now[0] + now[2]) {
                return now[1];
            }
            double before = c[i - 1][1];
            return before + (now[1] - before) * (t - now[0]) / now[2];
        }
    }

    /** The same arrivals, their rate scaled from zero to full over {@code rampUp}. */
    public Arrivals withRampUp(Duration rampUp) {
        return new Arrivals(spec, kind, rates, period, replay, rampUp.toNanos() / 1e9, levels);
    }

    /** The specification, as written. */
    public String describe() {
        return spec + (rampUp > 0 ? " (ramp-up " + Durations.format(Duration.ofNanos((long) (rampUp * 1e9))) + ")" : "");
    }

    /** A fresh run through the arrivals; Poisson draws come from {@code seed}. */
    public Schedule schedule(long seed) {
        return new Schedule(new SplittableRandom(seed));
    }

    /** How many episodes arrive in the first {@code span} of a run, on average. */
    public double expected(Duration span) {
        double seconds = span.toNanos() / 1e9;
        if (kind == Kind.CSV) {
            return Arrays.stream(replay).filter(t -> t < span.toNanos()).count();
        }
        int slices = 10_000; // the rate is piecewise linear: the midpoint rule is exact but at the corners
        double dt = seconds / slices;
        double n = 0;
        for (int i = 0; i < slices; i++) {
            n += rate((i + 0.5) * dt) * dt;
        }
        return n;
    }

    /** The arrival rate at {@code t} seconds after the start, per second. */
    double rate(double t) {
        double r = switch (kind) {
            case CONSTANT, POISSON -> levels != null ? levels.rate(t) : rates[0];
            case RAMP -> rates[0] + (rates[1] - rates[0]) * Math.min(1, t / period);
            case STEP -> rates[(int) Math.min(rates.length - 1, Math.floor(t / period))];
            case CSV -> 0;
        };
        return rampUp > 0 && t < rampUp ? r * t / rampUp : r;
    }

    /** Successive arrival times of one run. Not thread-safe. */
    public final class Schedule {
        private final SplittableRandom random;
        private double t;
        private int index;
        private boolean first = true;

        private Schedule(SplittableRandom random) {
            this.random = random;
        }

        /**
         * Draws the next arrival from {@code seconds} after the start instead of from the last arrival: the rate was moved
         * ({@link Arrivals#movable}) while an arrival drawn at the old rate was still ahead.
         */
        void restartAt(double seconds) {
            t = Math.max(0, seconds);
            first = false;
        }

        /** The next arrival, in nanoseconds after the start, or -1 when there is none. */
        public long next() {
            if (kind == Kind.CSV) {
                return index < replay.length ? replay[index++] : -1;
            }
            // the rate may change with time: integrate it until one arrival's worth has passed
            double target = kind == Kind.POISSON ? -Math.log(1 - random.nextDouble()) : first && rampUp == 0 ? 0 : 1;
            first = false;
            while (target > 0) {
                double r = rate(t);
                if (r <= 0) {
                    t = nextSending(t);
                    if (t < 0) {
                        return -1; // the rate is zero from here on: nothing more arrives
                    }
                    continue;
                }
                double dt = Math.min(target / r, 0.01);
                target -= r * dt;
                t += dt;
            }
            return (long) (t * 1e9);
        }
    }

    /** Where the rate, zero at {@code t}, is above zero again; -1 when never. */
    private double nextSending(double t) {
        switch (kind) {
            case STEP -> {
                for (int k = (int) Math.floor(t / period) + 1; k < rates.length; k++) {
                    if (rates[k] > 0) {
                        return Math.max(t, k * period);
                    }
                }
                return rates[rates.length - 1] > 0 ? t + 0.001 : -1; // zero only at a ramp-up's start
            }
            case RAMP -> {
                return t >= period && rates[1] == 0 ? -1 : t + 0.001; // zero only at the ramp's (or ramp-up's) start
            }
            default -> {
                return t + 0.001; // zero only at a ramp-up's start
            }
        }
    }

    private static double positive(double rate, String text) {
        if (rate == 0) {
            throw new IllegalArgumentException("rate '" + text.strip() + "' must be above zero");
        }
        return rate;
    }

    private static String[] split(String args, char at, String form) {
        int i = args.lastIndexOf(at);
        if (i < 0) {
            throw new IllegalArgumentException("write " + form);
        }
        return new String[] {args.substring(0, i), args.substring(i + 1)};
    }

    private static double seconds(String text) {
        Duration d = Durations.parse(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("the duration must be positive");
        }
        return d.toNanos() / 1e9;
    }

    /**
     * A rate such as {@code 5/s}, {@code 300/m}, {@code 100/h}, or a plain number a second, in
     * arrivals a second.
     *
     * @throws IllegalArgumentException with a message fit to show a user
     */
    public static double perSecond(String text) {
        return rate(text);
    }

    /** A rate such as {@code 5/s}, {@code 300/m}, {@code 100/h}, or a plain number a second. */
    static double rate(String text) {
        String s = text.strip();
        double per = 1;
        if (s.endsWith("/s")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("/m")) {
            s = s.substring(0, s.length() - 2);
            per = 60;
        } else if (s.endsWith("/h")) {
            s = s.substring(0, s.length() - 2);
            per = 3600;
        }
        double n;
        try {
            n = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text.strip() + "' is not a rate: write e.g. 5/s, 300/m or 100/h");
        }
        if (!(n >= 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("rate '" + text.strip() + "' must be zero or more");
        }
        if (n / per > MAX_RATE) {
            throw new IllegalArgumentException("rate '" + text.strip() + "' is above " + (long) MAX_RATE + " a second, more than one machine can start");
        }
        return n / per;
    }

    private static long[] replay(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
        List<Double> times = new ArrayList<>();
        boolean seen = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String field = line.split(",", 2)[0].strip().replace("\"", "");
            Double value = time(field);
            if (value == null) {
                if (!seen) {
                    seen = true; // a header
                    continue;
                }
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + field + "' is not a time (seconds or an ISO-8601 instant)");
            }
            seen = true;
            if (!times.isEmpty() && value < times.get(times.size() - 1)) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": times must not go backwards");
            }
            times.add(value);
        }
        if (times.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no times");
        }
        long[] out = new long[times.size()];
        double base = times.get(0);
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.round((times.get(i) - base) * 1e9);
        }
        return out;
    }

    private static Double time(String field) {
        try {
            return Double.parseDouble(field);
        } catch (NumberFormatException notANumber) {
            try {
                Instant at = Instant.parse(field);
                return at.getEpochSecond() + at.getNano() / 1e9;
            } catch (DateTimeParseException notAnInstant) {
                return null;
            }
        }
    }
}
