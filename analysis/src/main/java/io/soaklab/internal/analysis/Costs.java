package io.soaklab.internal.analysis;

import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.internal.cost.TokenKind;
import io.soaklab.protocol.Usage;
import io.soaklab.internal.record.CallLine;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * What a run cost, from its recorded usage and a tariff: in all, by kind of token, by role, by
 * window, per task; what failed and retried work cost; how much rests on locally counted usage.
 * Exact decimal arithmetic throughout. The same trace can be priced under another tariff, or with
 * its usage changed (what if the cache hit less?): the figures of a projection.
 *
 * <pre>{@code
 * Costs c = RunData.load(dir).costs();
 * BigDecimal perTask = c.perTask().mean();
 * }</pre>
 */
public final class Costs {

    /** A distribution of task costs: how many tasks, and the mean and percentiles of what one cost. */
    public record Distribution(int count, BigDecimal mean, BigDecimal p50, BigDecimal p90, BigDecimal p99, BigDecimal max) {
        static Distribution of(List<BigDecimal> values) {
            if (values.isEmpty()) {
                return new Distribution(0, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);
            }
            List<BigDecimal> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            BigDecimal sum = BigDecimal.ZERO;
            for (BigDecimal v : sorted) {
                sum = sum.add(v);
            }
            return new Distribution(sorted.size(), sum.divide(BigDecimal.valueOf(sorted.size()), 12, RoundingMode.HALF_EVEN),
                    rank(sorted, 50), rank(sorted, 90), rank(sorted, 99), sorted.get(sorted.size() - 1));
        }

        /** Nearest-rank percentile. */
        static BigDecimal rank(List<BigDecimal> sorted, double p) {
            int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }
    }

    private final Tariff tariff;
    private BigDecimal total = BigDecimal.ZERO;
    private final Map<TokenKind, BigDecimal> byKind = new EnumMap<>(TokenKind.class);
    private final Map<TokenKind, Long> tokensByKind = new EnumMap<>(TokenKind.class);
    private final Map<String, BigDecimal> byRole = new LinkedHashMap<>();
    private final List<BigDecimal> byWindow = new ArrayList<>();
    private BigDecimal retried = BigDecimal.ZERO;
    private BigDecimal warmup = BigDecimal.ZERO;
    private BigDecimal estimated = BigDecimal.ZERO;
    private long longTierCalls;
    private final List<BigDecimal> tasks = new ArrayList<>();
    /** What each episode's calls cost, by the trace's episode index. */
    private final List<BigDecimal> perEpisode = new ArrayList<>();
    private final Map<Integer, StepSum> byStep = new TreeMap<>();
    /**
     * The measured spend by hour (UTC, of each call's send) and role: tokens and amounts by kind and
     * tier (index {@code kind * 2 + long}). Calls come in time order, so the cell of the last call
     * is kept at hand: nothing is allocated per call.
     */
    private final Map<ChargeCell, ChargeCell> cells = new TreeMap<>();
    /** Each role's current cell: calls come in time order, so an hour's cell is looked up once per role. */
    private final Map<String, ChargeCell> openCells = new java.util.HashMap<>();
    private static final int SLOTS = TokenKind.values().length * 2;
    private static final long HOUR_US = 3_600_000_000L;

    private static final class ChargeCell implements Comparable<ChargeCell> {
        final long hourMillis;
        final String role;
        final long[] tokens = new long[SLOTS];
        final BigDecimal[] amounts = new BigDecimal[SLOTS];

        ChargeCell(long hourMillis, String role) {
            this.hourMillis = hourMillis;
            this.role = role;
            java.util.Arrays.fill(amounts, BigDecimal.ZERO);
        }

        @Override
        public int compareTo(ChargeCell o) {
            int c = Long.compare(hourMillis, o.hourMillis);
            return c != 0 ? c : role.compareTo(o.role);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ChargeCell c && c.hourMillis == hourMillis && c.role.equals(role);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(hourMillis) * 31 + role.hashCode();
        }
    }

    /**
     * One line of the measured spend: an hour's (UTC) tokens of one kind, for one role, at the
     * standard or the long-context tier's price. A call falls in the hour it was sent in.
     */
    public record Charge(long hourMillis, String role, TokenKind kind, boolean longTier) implements Comparable<Charge> {
        private static final java.util.Comparator<Charge> ORDER = java.util.Comparator.comparingLong(Charge::hourMillis)
                .thenComparing(Charge::role).thenComparing(Charge::kind).thenComparing(Charge::longTier);

        @Override
        public int compareTo(Charge o) {
            return ORDER.compare(this, o);
        }
    }

    /** A charge's tokens and what they cost (exact). */
    public record ChargeSum(long tokens, BigDecimal amount) {
    }

    private static final class StepSum {
        long calls;
        long prompt;
        BigDecimal cost = BigDecimal.ZERO;
    }
    private BigDecimal failedTasks = BigDecimal.ZERO;
    private int okTasks;

    private Costs(Tariff tariff) {
        this.tariff = tariff;
        for (TokenKind k : TokenKind.values()) {
            byKind.put(k, BigDecimal.ZERO);
            tokensByKind.put(k, 0L);
        }
    }

    /** The run in {@code dir} priced by {@code tariff}: one pass over its calls, keeping nothing per call, then its episodes. */
    public static Costs of(Path dir, Tariff tariff) throws IOException {
        Costs c = new Costs(tariff);
        CallTrace trace = new CallTrace(c.pricer(), false);
        CallLine.read(dir, trace);
        c.tasks(TaskList.read(dir, trace));
        return c;
    }

    /** An empty account that {@link #pricer()} fills as calls are read, and {@link #tasks} closes. */
    static Costs pricing(Tariff tariff) {
        return new Costs(tariff);
    }

    /** Prices each call handed to it; keeps nothing per call. */
    CallTrace.Sink pricer() {
        return (usage, window, episode, role, step, last, atUs) -> {
            Cost cost = tariff.cost(usage);
            add(cost, window, episode, role, last, perEpisode);
            if (window >= 0) {
                charge(cost, atUs, role);
            }
            if (window >= 0 && usage.known()) {
                StepSum sum = byStep.computeIfAbsent(step, k -> new StepSum());
                sum.calls++;
                sum.prompt += usage.promptTokens();
                sum.cost = sum.cost.add(cost.total());
            }
        };
    }

    /** {@code trace} priced by {@code tariff}, each call's usage first passed through {@code change}. */
    static Costs of(CallTrace trace, TaskList tasks, Tariff tariff, UnaryOperator<Usage> change) {
        Costs c = new Costs(tariff);
        for (int i = 0; i < trace.size; i++) {
            c.add(tariff.cost(change.apply(trace.usage(i))), trace.window[i], trace.episode[i], trace.roles.get(trace.role[i]),
                    trace.last[i], c.perEpisode);
        }
        c.tasks(tasks);
        return c;
    }

    private void add(Cost cost, int w, int episode, String role, boolean last, List<BigDecimal> perEpisode) {
        while (perEpisode.size() <= episode) {
            perEpisode.add(null);
        }
        BigDecimal sofar = perEpisode.get(episode);
        perEpisode.set(episode, sofar == null ? cost.total() : sofar.add(cost.total()));
        if (w < 0) {
            warmup = warmup.add(cost.total());
            return; // warmup: in its episode's cost, not in the run's measured spend
        }
        total = total.add(cost.total());
        for (Map.Entry<TokenKind, BigDecimal> a : cost.amounts().entrySet()) {
            byKind.merge(a.getKey(), a.getValue(), BigDecimal::add);
        }
        for (Map.Entry<TokenKind, Long> t : cost.tokens().entrySet()) {
            tokensByKind.merge(t.getKey(), t.getValue(), Long::sum);
        }
        byRole.merge(role, cost.total(), BigDecimal::add);
        while (byWindow.size() <= w) {
            byWindow.add(BigDecimal.ZERO);
        }
        byWindow.set(w, byWindow.get(w).add(cost.total()));
        if (!last) {
            retried = retried.add(cost.total());
        }
        if (cost.estimated()) {
            estimated = estimated.add(cost.total());
        }
        if (cost.longTier()) {
            longTierCalls++;
        }
    }

    /** Adds a measured call's tokens and amounts to the hour it was sent in, for its role. */
    private void charge(Cost cost, long atUs, String role) {
        long hour = Math.floorDiv(Math.max(0, atUs), HOUR_US) * (HOUR_US / 1000);
        ChargeCell cell = openCells.get(role);
        if (cell == null || cell.hourMillis != hour) {
            ChargeCell fresh = new ChargeCell(hour, role);
            cell = cells.computeIfAbsent(fresh, c -> c); // a call sent late may fall in an hour already left
            openCells.put(role, cell);
        }
        for (Map.Entry<TokenKind, Long> t : cost.tokens().entrySet()) {
            if (t.getValue() > 0) {
                int slot = t.getKey().ordinal() * 2 + (cost.longTier() ? 1 : 0);
                cell.tokens[slot] += t.getValue();
                cell.amounts[slot] = cell.amounts[slot].add(cost.amounts().get(t.getKey()));
            }
        }
    }

    /**
     * What calls at one step of a session cost, against how large their context was.
     *
     * @param calls       measured calls with usage at that step
     * @param promptSum   their prompt tokens
     * @param costSum     what they cost
     */
    public record StepCost(long calls, long promptSum, BigDecimal costSum) {
        public double meanPrompt() {
            return calls == 0 ? 0 : (double) promptSum / calls;
        }

        public double meanCost() {
            return calls == 0 ? 0 : costSum.doubleValue() / calls;
        }
    }

    /** Measured calls' cost by step index (empty for a what-if pricing). */
    public Map<Integer, StepCost> byStep() {
        Map<Integer, StepCost> out = new TreeMap<>();
        byStep.forEach((step, sum) -> out.put(step, new StepCost(sum.calls, sum.prompt, sum.cost)));
        return out;
    }

    /** Each measured task's cost (all its episode's calls, wherever they fell), and its outcome. */
    void tasks(TaskList list) {
        for (int i = 0; i < list.size; i++) {
            int e = list.episode[i];
            BigDecimal cost = e < 0 || e >= perEpisode.size() || perEpisode.get(e) == null ? BigDecimal.ZERO : perEpisode.get(e);
            tasks.add(cost);
            if (list.ok[i]) {
                okTasks++;
            } else {
                failedTasks = failedTasks.add(cost);
            }
        }
    }

    public Tariff tariff() {
        return tariff;
    }

    /** Spend of the measured calls. */
    public BigDecimal total() {
        return total;
    }

    /** Spend by kind of token. */
    public Map<TokenKind, BigDecimal> byKind() {
        return Collections.unmodifiableMap(byKind);
    }

    /**
     * The measured spend line by line: each hour's (UTC, by when each call was sent) tokens of each
     * role, kind and tier, in order; empty for a what-if pricing.
     */
    public Map<Charge, ChargeSum> charges() {
        Map<Charge, ChargeSum> out = new TreeMap<>();
        TokenKind[] kinds = TokenKind.values();
        for (ChargeCell cell : cells.keySet()) {
            for (int slot = 0; slot < SLOTS; slot++) {
                if (cell.tokens[slot] > 0) {
                    out.put(new Charge(cell.hourMillis, cell.role, kinds[slot / 2], slot % 2 == 1),
                            new ChargeSum(cell.tokens[slot], cell.amounts[slot]));
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Tokens by kind. */
    public Map<TokenKind, Long> tokensByKind() {
        return Collections.unmodifiableMap(tokensByKind);
    }

    /** Spend by role, in order of first appearance. */
    public Map<String, BigDecimal> byRole() {
        return Collections.unmodifiableMap(byRole);
    }

    /** Spend of measured window {@code w}. */
    public BigDecimal window(int w) {
        return w < byWindow.size() ? byWindow.get(w) : BigDecimal.ZERO;
    }

    /** What the warmup's calls cost: spent, but not in {@link #total()}, the measured spend. */
    public BigDecimal warmup() {
        return warmup;
    }

    /** Spend on attempts that were retried: paid for, and seen by nobody. */
    public BigDecimal retried() {
        return retried;
    }

    /** Spend resting on usage counted locally (the server reported none). */
    public BigDecimal estimated() {
        return estimated;
    }

    /** Calls billed at the long-context tier. */
    public long longTierCalls() {
        return longTierCalls;
    }

    /** What one task (a measured episode) cost, every attempt of it included. */
    public Distribution perTask() {
        return Distribution.of(tasks);
    }

    /** The measured tasks' costs, in the order they ended. */
    public List<BigDecimal> taskCosts() {
        return Collections.unmodifiableList(tasks);
    }

    /** Tasks that succeeded. */
    public int successfulTasks() {
        return okTasks;
    }

    /** What failed tasks cost. */
    public BigDecimal failedTasks() {
        return failedTasks;
    }

    /**
     * Everything the measured tasks cost, divided by those that succeeded: what one success really
     * costs; null when none succeeded.
     */
    public BigDecimal perSuccessfulTask() {
        if (okTasks == 0) {
            return null;
        }
        BigDecimal all = BigDecimal.ZERO;
        for (BigDecimal t : tasks) {
            all = all.add(t);
        }
        return all.divide(BigDecimal.valueOf(okTasks), 12, RoundingMode.HALF_EVEN);
    }
}
