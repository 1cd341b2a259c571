package io.soaklab.internal.analysis;

import io.soaklab.internal.cost.PriceCatalog;
import io.soaklab.internal.cost.Tariff;
import io.soaklab.internal.cost.TokenKind;
import io.soaklab.protocol.Usage;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The measured trace priced as another model, converted to that model's provider's caching rule:
 * an OpenAI or Google cache reads what it saw by itself, an Anthropic cache must first be written
 * at a breakpoint. The token counts stay the measured ones; how far another tokenizer would move
 * them is stated as a range with its source ({@link TokenizerGap}).
 */
final class Reprices {

    private Reprices() {
    }

    /**
     * How much the same text's token count may differ on another provider's models, as a factor
     * range on the measured count, with where the figures come from.
     */
    record TokenizerGap(double low, double high, String why) {
        private static final String CLAUDE = "a published comparison counted 20-30 % more tokens for the same prompts on Claude 3.5 Sonnet"
                + " than on GPT-4o, and Anthropic says the tokenizer of Claude Opus 4.7 and later counts 1.0 to 1.35 times what"
                + " earlier Claude models counted";
        static final TokenizerGap NONE = new TokenizerGap(1, 1, "");

        /** From the provider the run was priced as to the provider of the model it is priced again as. */
        static TokenizerGap between(String from, String to) {
            if (from.equals(to)) {
                return NONE;
            }
            if (to.equals("anthropic") && from.equals("openai")) {
                return new TokenizerGap(1.20, 1.76, CLAUDE);
            }
            if (to.equals("openai") && from.equals("anthropic")) {
                return new TokenizerGap(1 / 1.76, 1 / 1.20, CLAUDE);
            }
            return new TokenizerGap(0.85, 1.15, "no published comparison of " + from + "'s and " + to + "'s tokenizers was found;"
                    + " 15 % either way is assumed");
        }

        /** The gap in words, with its priced effect on a cost per task. */
        String describe(String from, String to, BigDecimal perTask) {
            if (this == NONE) {
                return "";
            }
            return String.format(Locale.ROOT, "%s's tokenizer would count the same text as %.2f to %.2f times the tokens measured"
                            + " (%s to %s a task): %s", to, low, high, io.soaklab.internal.cost.Cost.format(perTask.multiply(BigDecimal.valueOf(low))),
                    io.soaklab.internal.cost.Cost.format(perTask.multiply(BigDecimal.valueOf(high))), why);
        }
    }

    /** The same tokens as {@code model}, its provider's caching rule applied. */
    static Projection.Reprice of(CallTrace trace, TaskList tasks, Costs base, Tariff tariff, PriceCatalog catalog, String model,
                                 BigDecimal firstMonthTasks) {
        Tariff other = catalog.tariff(model, tariff.billing());
        UsageChanges.CacheRule from = UsageChanges.CacheRule.of(base);
        UsageChanges.CacheRule to = "anthropic".equals(other.price().provider()) ? UsageChanges.CacheRule.WRITTEN
                : UsageChanges.CacheRule.AUTOMATIC;
        boolean cached = base.tokensByKind().getOrDefault(TokenKind.CACHE_READ, 0L) > 0;
        UnaryOperator<Usage> convert = u -> UsageChanges.convertCache(u, from, to, cached);
        Costs priced = Costs.of(trace, tasks, other, convert);
        Projection.Band band = Projection.bootstrap(priced.taskCosts());
        String conversion = from == to ? ""
                : to == UsageChanges.CacheRule.AUTOMATIC
                ? "cache writes billed as fresh input (" + other.price().provider() + " caches a prefix by itself, without a write price)"
                : cached ? "each call's prompt tokens not read from cache billed as five-minute cache writes (Anthropic writes a prefix at"
                        + " the client's breakpoints before it can be read)"
                : "";
        String fromProvider = tariff.price().provider();
        String toProvider = other.price().provider();
        TokenizerGap gap = TokenizerGap.between(fromProvider, toProvider);
        return new Projection.Reprice(model, other.describe(), priced.perTask().mean(), band, band.times(firstMonthTasks), conversion,
                gap.describe(fromProvider, toProvider, priced.perTask().mean()));
    }
}
