package io.soaklab.internal.cost;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How calls are billed: the service tier ({@code standard}, {@code batch}, {@code flex},
 * {@code priority}) and whether a regional uplift applies (e.g. a regional endpoint on a cloud
 * platform). Written {@code standard}, {@code batch}, {@code priority+regional}...
 *
 * @param tier     the service tier
 * @param regional whether the model's regional uplift applies
 */
public record Billing(Tier tier, boolean regional) {

    /** Service tiers. */
    public enum Tier { STANDARD, BATCH, FLEX, PRIORITY }

    public static final Billing STANDARD = new Billing(Tier.STANDARD, false);

    /**
     * Reads {@code standard}, {@code batch}, {@code flex}, {@code priority}, each optionally
     * followed by {@code +regional}; {@code regional} alone is standard billing at a regional endpoint.
     */
    @JsonCreator
    public static Billing parse(String text) {
        String s = text == null ? "standard" : text.strip().toLowerCase(Locale.ROOT);
        boolean regional = s.endsWith("regional");
        String tier = s.equals("regional") ? "standard" : regional ? s.substring(0, s.length() - "+regional".length()) : s;
        for (Tier t : Tier.values()) {
            if (t.name().toLowerCase(Locale.ROOT).equals(tier)) {
                return new Billing(t, regional);
            }
        }
        throw new IllegalArgumentException("--billing '" + text + "': write standard, batch, flex or priority, optionally +regional");
    }

    @JsonValue
    @Override
    public String toString() {
        return tier.name().toLowerCase(Locale.ROOT) + (regional ? "+regional" : "");
    }
}
