package io.soaklab.internal.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one call cost, by kind of token: exact decimal amounts, never binary floating point.
 *
 * @param tokens    tokens of each kind
 * @param amounts   what each kind cost
 * @param total     the sum of the amounts
 * @param longTier  true when the long-context tier's prices applied
 * @param estimated true when the usage was counted locally, not reported by the server
 */
public record Cost(Map<TokenKind, Long> tokens, Map<TokenKind, BigDecimal> amounts, BigDecimal total, boolean longTier, boolean estimated) {

    public static final Cost ZERO = new Cost(Map.of(), Map.of(), BigDecimal.ZERO, false, false);

    public Cost {
        // one copy, kept in token-kind order
        tokens = tokens.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(tokens));
        amounts = amounts.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(amounts));
    }

    /**
     * {@code amount} for people: {@code $1,234.56} from a dollar up, {@code $0.0123} below (a call's
     * or a task's cost would round to nothing in cents).
     */
    public static String format(BigDecimal amount) {
        BigDecimal abs = amount.abs();
        String digits = abs.compareTo(BigDecimal.ONE) >= 0 ? String.format(Locale.ROOT, "%,.2f", cents(abs))
                : abs.setScale(4, RoundingMode.HALF_UP).toPlainString();
        return (amount.signum() < 0 ? "-$" : "$") + digits;
    }

    /** {@code amount} rounded to cents, half up as invoices round, for people; files keep the exact figure. */
    public static BigDecimal cents(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP);
    }
}
