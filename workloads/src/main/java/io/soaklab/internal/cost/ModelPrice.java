package io.soaklab.internal.cost;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * One version of a model's prices in the catalog: from when, until when, from where. A model whose
 * prices changed (an introductory price that ended, a cut) is listed once per version, each with
 * its own {@code effective} date; a call is priced at the version in force on its date
 * ({@link PriceCatalog#price(String, LocalDate)}).
 *
 * @param model          the model id as the API takes it
 * @param provider       {@code openai}, {@code anthropic}, {@code google}, or yours
 * @param aliases        other ids billed the same (dated snapshots are matched without listing them)
 * @param currency       ISO 4217 code of every price here
 * @param effective      when these prices took effect
 * @param until          the last day they apply when nothing follows them (a price withdrawn), or null; a later version of the
 *                       same model ends them the day before it takes effect
 * @param retires        the day the provider shuts the model down, where announced, or null
 * @param source         where they were read, and when
 * @param prices         the standard prices
 * @param longContext    a tier whose prices apply to a whole request whose input exceeds its threshold, or null
 * @param batchDiscount  the batch API's discount, as a fraction (0.5 is half price), or null when there is none
 * @param flexDiscount   the flex tier's discount, as a fraction, or null
 * @param priority       the priority tier's prices, or null when there is none
 * @param regionalUplift the uplift of regional endpoints, as a fraction (0.1 is 10 % more), or null
 */
public record ModelPrice(String model, String provider, List<String> aliases, String currency, LocalDate effective, LocalDate until,
                         LocalDate retires, String source, Rates prices, LongContext longContext, BigDecimal batchDiscount, BigDecimal flexDiscount, Rates priority,
                         BigDecimal regionalUplift) {

    /**
     * A long-context tier: {@code prices} for every token of a request whose input (fresh, cached
     * and written) is above {@code above} tokens, as Anthropic and Google bill it.
     */
    public record LongContext(long above, Rates prices) {
        public LongContext {
            Objects.requireNonNull(prices, "long_context.prices");
            if (above < 1) {
                throw new IllegalArgumentException("long_context.above must be a positive token count");
            }
        }

        @JsonCreator
        static LongContext read(@JsonProperty(value = "above", required = true) Long above,
                                @JsonProperty(value = "prices", required = true) Rates prices) {
            return new LongContext(above, prices);
        }
    }

    public ModelPrice {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(effective, "effective date");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(prices, "prices");
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        fraction(batchDiscount, "batch_discount");
        fraction(flexDiscount, "flex_discount");
        if (regionalUplift != null && regionalUplift.signum() < 0) {
            throw new IllegalArgumentException(model + ": regional_uplift must not be negative");
        }
        if (until != null && until.isBefore(effective)) {
            throw new IllegalArgumentException(model + ": until " + until + " is before effective " + effective);
        }
    }

    /** True when these prices apply on {@code day} (retirement aside). */
    public boolean inForceOn(LocalDate day) {
        return !day.isBefore(effective) && (until == null || !day.isAfter(until));
    }

    /** True when the model is shut down on {@code day}. */
    public boolean retiredOn(LocalDate day) {
        return retires != null && !day.isBefore(retires);
    }

    private void fraction(BigDecimal f, String what) {
        if (f != null && (f.signum() < 0 || f.compareTo(BigDecimal.ONE) > 0)) {
            throw new IllegalArgumentException(model + ": " + what + " must be a fraction within 0..1, was " + f.toPlainString());
        }
    }

    @JsonCreator
    static ModelPrice read(@JsonProperty(value = "model", required = true) String model, @JsonProperty("provider") String provider,
                           @JsonProperty("aliases") List<String> aliases, @JsonProperty("currency") String currency,
                           @JsonProperty(value = "effective", required = true) String effective, @JsonProperty("until") String until,
                           @JsonProperty("retires") String retires, @JsonProperty(value = "source", required = true) String source,
                           @JsonProperty(value = "prices", required = true) Rates prices,
                           @JsonProperty("long_context") LongContext longContext, @JsonProperty("batch_discount") BigDecimal batchDiscount,
                           @JsonProperty("flex_discount") BigDecimal flexDiscount, @JsonProperty("priority") Rates priority,
                           @JsonProperty("regional_uplift") BigDecimal regionalUplift) {
        for (Object[] field : new Object[][] {{"model", model}, {"effective", effective}, {"source", source}, {"prices", prices}}) {
            if (field[1] == null) {
                throw new IllegalArgumentException((model == null ? "" : model + ": ") + "'" + field[0] + "' is missing");
            }
        }
        return new ModelPrice(model, provider == null ? "other" : provider, aliases, currency == null ? "USD" : currency,
                date(model, "effective", effective), date(model, "until", until), date(model, "retires", retires), source,
                prices, longContext, batchDiscount, flexDiscount, priority, regionalUplift);
    }

    private static LocalDate date(String model, String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(model + ": " + field + " must be a date like 2026-11-01, was '" + value + "'");
        }
    }
}
