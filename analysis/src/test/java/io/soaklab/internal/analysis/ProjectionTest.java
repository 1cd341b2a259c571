package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projection math on a run whose answer is known. Every {@link SyntheticRun} episode is ten calls
 * of 1,000 + 100·step input and 100 output tokens at $1 / $10 per million: 14,500 input tokens
 * ($0.0145) and 1,000 output tokens ($0.01), $0.0245 a task, every task alike.
 */
class ProjectionTest {

    @TempDir
    Path dir;

    private static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected $" + expected + ", was $" + actual.toPlainString());
    }

    private Projection project(List<String> models) throws Exception {
        SyntheticRun.write(dir, 3);
        RunData run = RunData.load(dir);
        return Projection.of(dir, run.costs().tariff(), run.catalog(),
                new Projection.Parameters(new BigDecimal("1000"), new BigDecimal("0.10"), 3, models, LocalDate.of(2027, 1, 1)));
    }

    @Test
    void identicalTasksGiveAnExactBandAndMonthsFollowTheCalendarAndCompoundGrowth() throws Exception {
        Projection p = project(List.of());
        assertEquals(3, p.costs().perTask().count());
        for (BigDecimal b : new BigDecimal[] {p.perTask().p10(), p.perTask().p50(), p.perTask().p90()}) {
            assertUsd("0.0245", b); // nothing to be uncertain about
        }
        assertUsd("24.50", p.perDay().p50());

        Projection.Scenario base = p.scenarios().get(0);
        assertEquals("base", base.name());
        List<Projection.Month> m = base.months();
        assertEquals(LocalDate.of(2027, 1, 1), m.get(0).start());
        assertEquals(LocalDate.of(2027, 2, 1), m.get(0).end());
        assertUsd("31000", m.get(0).tasks());    // 31 days x 1,000
        assertUsd("759.50", m.get(0).spend().p50());
        assertUsd("30800", m.get(1).tasks());    // 28 days x 1,100
        assertUsd("754.60", m.get(1).spend().p50());
        assertUsd("37510", m.get(2).tasks());    // 31 days x 1,210
        assertUsd("918.995", m.get(2).spend().p50());
        assertUsd("2433.10", base.total(Projection.Band::p50)); // the months in cents as the files write them: 759.50 + 754.60 + 919.00

        Projection.Scenario high = p.scenarios().get(1);
        assertEquals("high-growth", high.name());
        assertUsd("0.20", high.growthPerMonth()); // twice the base growth, or 5 points more if that is more
        assertUsd("823.20", high.months().get(1).spend().p50());   // 28 x 1,200 x 0.0245
        assertUsd("1093.68", high.months().get(2).spend().p50());  // 31 x 1,440 x 0.0245

        Projection.Scenario cold = p.scenarios().get(2);
        assertEquals("low-cache-hit", cold.name());
        assertUsd("759.50", cold.months().get(0).spend().p50());   // the run read nothing from a cache: nothing to lose
    }

    /**
     * The synthetic run projected at the run's prices until {@code doubled}, every price doubled from
     * then (with {@code extra}, e.g. a retirement, on that version).
     */
    private Projection doubledFrom(String doubled, String extra, int months) throws Exception {
        SyntheticRun.write(dir, 3);
        RunData run = RunData.load(dir);
        String full = "cached_input: %1$s, cache_write_5m: %1$s, cache_write_1h: %1$s, output: %2$s, reasoning: %2$s";
        List<String> lines = new ArrayList<>(List.of("version: h", "models:",
                "  - model: " + SyntheticRun.MODEL, "    effective: \"2026-01-01\"", "    source: SyntheticRun",
                "    prices: {input: 1.00, " + String.format(full, "1.00", "10.00") + "}",
                "  - model: " + SyntheticRun.MODEL, "    effective: \"" + doubled + "\"", "    source: doubled",
                "    prices: {input: 2.00, " + String.format(full, "2.00", "20.00") + "}"));
        if (extra != null) {
            lines.add(extra);
        }
        Path history = java.nio.file.Files.writeString(dir.resolve("history.yaml"), String.join("\n", lines) + "\n");
        io.soaklab.internal.cost.PriceCatalog catalog = run.catalog().with(io.soaklab.internal.cost.PriceCatalog.read(history));
        return Projection.of(dir, run.costs().tariff(), catalog,
                new Projection.Parameters(new BigDecimal("1000"), BigDecimal.ZERO, months, List.of(), LocalDate.of(2027, 1, 1)));
    }

    @Test
    void aPriceChangeInsideTheHorizonPricesTheMonthsFromThenAndARetirementIsSaid() throws Exception {
        Projection p = doubledFrom("2027-02-01", "    retires: \"2027-03-15\"", 3);
        List<Projection.Month> m = p.scenarios().get(0).months();
        assertUsd("759.50", m.get(0).spend().p50());  // 31,000 tasks x 0.0245: the run's prices
        assertUsd("1372.00", m.get(1).spend().p50()); // 28,000 x 0.049: every price doubled from February
        assertUsd("1519.00", m.get(2).spend().p50()); // 31,000 x 0.049
        assertEquals(List.of(SyntheticRun.MODEL + "'s prices change on 2027-02-01 (doubled): the days from then are priced at them",
                SyntheticRun.MODEL + " retires on 2027-03-15, inside the projection: the months from then price a model its provider no longer serves"),
                p.warnings());
    }

    @Test
    void aPriceChangeInsideAMonthPricesThatMonthDayByDay() throws Exception {
        Projection p = doubledFrom("2027-01-17", null, 2);
        // January: 16 days at $0.0245 a task, 15 at $0.049: 1,000 x (16 x 0.0245 + 15 x 0.049)
        assertUsd("1127.00", p.scenarios().get(0).months().get(0).spend().p50());
        assertUsd("1372.00", p.scenarios().get(0).months().get(1).spend().p50()); // February: 28,000 x 0.049
    }

    @Test
    void repricingAsAnotherProviderConvertsTheCachingPattern() {
        io.soaklab.internal.cost.PriceCatalog list = io.soaklab.internal.cost.PriceCatalog.builtIn();
        io.soaklab.internal.cost.Tariff sonnet = list.tariff("claude-sonnet-4-5", io.soaklab.internal.cost.Billing.STANDARD);
        io.soaklab.internal.cost.Tariff gpt = list.tariff("gpt-5.4", io.soaklab.internal.cost.Billing.STANDARD);
        // an OpenAI call: 26,000 prompt tokens, 20,000 read from its automatic cache, 400 output
        io.soaklab.protocol.Usage openAi = new io.soaklab.protocol.Usage(26_000, 400, 20_000, 0, io.soaklab.protocol.Usage.Source.SERVER);
        io.soaklab.protocol.Usage asClaude = UsageChanges.convertCache(openAi, UsageChanges.CacheRule.AUTOMATIC, UsageChanges.CacheRule.WRITTEN, true);
        assertEquals(List.of(20_000L, 6_000L, 0L), List.of(asClaude.cachedTokens(), asClaude.cacheWriteTokens(), asClaude.cacheWrite1hTokens()));
        // Claude must write what it reads later: 20,000 x 0.30 + 6,000 x 3.75 + 400 x 15.00 per million, not 6,000 x 3.00 as fresh input
        assertUsd("0.0345", sonnet.cost(asClaude).total());
        assertUsd("0.0300", sonnet.cost(openAi).total());
        // an agent that never read a cache put no breakpoints: its prompt stays fresh input
        assertEquals(0, UsageChanges.convertCache(openAi, UsageChanges.CacheRule.AUTOMATIC, UsageChanges.CacheRule.WRITTEN, false)
                .cacheWriteTokens());
        // an Anthropic call: 1,000 fresh, 20,000 reads, 5,000 writes (2,000 for an hour); OpenAI has no write price: writes are input
        io.soaklab.protocol.Usage anthropic = new io.soaklab.protocol.Usage(26_000, 400, 20_000, 0, 5_000, 2_000, io.soaklab.protocol.Usage.Source.SERVER);
        io.soaklab.protocol.Usage asGpt = UsageChanges.convertCache(anthropic, UsageChanges.CacheRule.WRITTEN, UsageChanges.CacheRule.AUTOMATIC, true);
        assertEquals(List.of(20_000L, 0L, 0L), List.of(asGpt.cachedTokens(), asGpt.cacheWriteTokens(), asGpt.cacheWrite1hTokens()));
        assertUsd("0.026", gpt.cost(asGpt).total()); // 6,000 x 2.50 + 20,000 x 0.25 + 400 x 15.00 per million

        Reprices.TokenizerGap gap = Reprices.TokenizerGap.between("openai", "anthropic");
        assertEquals(List.of(1.20, 1.76), List.of(gap.low(), gap.high()));
        assertTrue(gap.describe("openai", "anthropic", new BigDecimal("0.0345")).startsWith(
                "anthropic's tokenizer would count the same text as 1.20 to 1.76 times the tokens measured ($0.0414 to $0.0607 a task)"),
                gap.describe("openai", "anthropic", new BigDecimal("0.0345")));
        assertEquals(Reprices.TokenizerGap.NONE, Reprices.TokenizerGap.between("openai", "openai"));
    }

    @Test
    void cacheHitsAndMissesAreBilledByTheProvidersRule() {
        // 26,000 prompt tokens: 1,000 fresh, 20,000 reads, 5,000 writes of which 2,000 for an hour
        io.soaklab.protocol.Usage u = new io.soaklab.protocol.Usage(26_000, 400, 20_000, 0, 5_000, 2_000, io.soaklab.protocol.Usage.Source.SERVER);
        io.soaklab.internal.cost.Tariff sonnet = io.soaklab.internal.cost.PriceCatalog.builtIn()
                .tariff("claude-sonnet-4-5", io.soaklab.internal.cost.Billing.STANDARD);
        // Anthropic: 10 points fewer hits (2,600 tokens) are written again; 10 more are taken from the writes, five-minute first
        io.soaklab.protocol.Usage fewer = UsageChanges.moveCache(u, -0.10, false, UsageChanges.CacheRule.WRITTEN);
        assertEquals(List.of(17_400L, 7_600L, 2_000L), List.of(fewer.cachedTokens(), fewer.cacheWriteTokens(), fewer.cacheWrite1hTokens()));
        io.soaklab.protocol.Usage more = UsageChanges.moveCache(u, 0.10, false, UsageChanges.CacheRule.WRITTEN);
        assertEquals(List.of(22_600L, 2_400L, 2_000L), List.of(more.cachedTokens(), more.cacheWriteTokens(), more.cacheWrite1hTokens()));
        // priced: 0.03825 as measured; fewer hits 2,600 x (3.75 - 0.30) more; more hits 2,600 x (3.75 - 0.30) less
        assertUsd("0.03825", sonnet.cost(u).total());
        assertUsd("0.04722", sonnet.cost(fewer).total());
        assertUsd("0.02928", sonnet.cost(more).total());
        // OpenAI's automatic cache: a miss is fresh input, and a hit can only come from fresh input
        io.soaklab.protocol.Usage openAi = UsageChanges.moveCache(u, 0.10, false, UsageChanges.CacheRule.AUTOMATIC);
        assertEquals(List.of(21_000L, 5_000L), List.of(openAi.cachedTokens(), openAi.cacheWriteTokens()));
    }

    @Test
    void sensitivitiesChangeTheMeasuredUsageAndRepriceItCallByCall() throws Exception {
        Projection p = project(List.of("gpt-5.4"));
        List<String> changes = new ArrayList<>();
        p.sensitivities().forEach(s -> changes.add(s.change() + " = " + s.firstMonth().stripTrailingZeros().toPlainString()
                + " (" + s.difference().stripTrailingZeros().toPlainString() + ")"));
        assertEquals(List.of(
                "cache hits -10 points (of prompt tokens) = 759.5 (0)",    // nothing cached to lose
                "cache hits +10 points = 759.5 (0)",                       // the price file has no cached price: input's
                "context +10 % (every input token) = 804.45 (44.95)",      // 15,950 input tokens a task
                "context +25 % = 871.875 (112.375)",                       // 18,125
                "output +25 % = 837 (77.5)",                               // 1,250 output tokens
                "retries +10 per 100 calls (each re-sends the whole call) = 835.45 (75.95)"), changes);

        Projection.Reprice gpt = p.reprices().get(0);
        assertEquals("gpt-5.4", gpt.model());
        assertUsd("0.05125", gpt.perTask());            // 14,500 x 2.50 + 1,000 x 15.00 per million
        assertUsd("1588.75", gpt.firstMonth().p50());   // x 31,000
        assertTrue(gpt.prices().startsWith("gpt-5.4 (openai, prices of "), gpt.prices());
    }

    @Test
    void theBandIsTheUncertaintyOfTheMeanAndNarrowsWithMoreTasks() {
        // 400 tasks, half at $0 and half at $1: the mean's standard error is 0.5 / sqrt(400) = 0.025,
        // so P10 and P90 sit 1.2816 x 0.025 = 0.032 either side of 0.5
        List<BigDecimal> tasks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            tasks.add(i % 2 == 0 ? BigDecimal.ZERO : BigDecimal.ONE);
        }
        Projection.Band band = Projection.bootstrap(tasks);
        assertEquals(0.5, band.p50().doubleValue(), 0.005);
        assertEquals(0.032, band.p90().doubleValue() - 0.5, 0.005);
        assertEquals(0.032, 0.5 - band.p10().doubleValue(), 0.005);
        Projection.Band wide = Projection.bootstrap(tasks.subList(0, 100)); // a quarter of the tasks: twice as wide
        double ratio = (wide.p90().doubleValue() - wide.p10().doubleValue()) / (band.p90().doubleValue() - band.p10().doubleValue());
        assertEquals(2.0, ratio, 0.3);
    }

    @Test
    void refusesWhatItCannotProject() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new Projection.Parameters(BigDecimal.ZERO, BigDecimal.ZERO, 12, List.of(), LocalDate.now()));
        assertThrows(IllegalArgumentException.class, () -> new Projection.Parameters(BigDecimal.TEN, new BigDecimal("-1"), 12, List.of(), LocalDate.now()));
        String unknown = assertThrows(IllegalArgumentException.class, () -> project(List.of("no-such-model"))).getMessage();
        assertTrue(unknown.startsWith("no prices for model 'no-such-model'"), unknown);
    }
}
