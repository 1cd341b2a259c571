package io.soaklab.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.soaklab.internal.analysis.RunData;
import io.soaklab.internal.analysis.SyntheticRun;
import io.soaklab.internal.cost.Cost;
import io.soaklab.internal.layout.RunFile;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * focus.csv against the FOCUS 1.2 column definitions: every mandatory column, each cell of its
 * type (decimals, UTC date-times with a Z, allowed values), and rows that add up to the run's
 * measured spend exactly.
 */
class FocusFileTest {

    /** FOCUS 1.2's mandatory columns (specification/columns, "MUST be present"). */
    private static final Set<String> MANDATORY = Set.of("BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
            "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
            "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit",
            "ProviderName", "PublisherName", "ServiceCategory", "ServiceName");
    private static final Set<String> DECIMALS = Set.of("BilledCost", "ContractedCost", "EffectiveCost", "ListCost", "PricingQuantity",
            "ConsumedQuantity", "ContractedUnitPrice", "ListUnitPrice");
    private static final Set<String> DATE_TIMES = Set.of("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart");

    @TempDir
    Path dir;

    @Test
    void theMeasuredSpendIsFocusRowsThatAddUpToItExactly() throws Exception {
        SyntheticRun.write(dir, 3);
        RunData run = RunData.load(dir);
        BigDecimal written = FocusFile.write(run);
        assertEquals(0, run.costs().total().compareTo(written));

        CsvMapper csv = new CsvMapper();
        List<Map<String, String>> rows;
        try (MappingIterator<Map<String, String>> it = csv.readerFor(Map.class).with(CsvSchema.emptySchema().withHeader())
                .readValues(RunFile.FOCUS.in(dir).toFile())) {
            rows = it.readAll();
        }
        assertFalse(rows.isEmpty());
        assertTrue(rows.get(0).keySet().containsAll(MANDATORY), "every mandatory column: " + rows.get(0).keySet());
        assertEquals(FocusFile.COLUMNS, List.copyOf(rows.get(0).keySet()));
        BigDecimal sum = BigDecimal.ZERO;
        long tokens = 0;
        for (Map<String, String> r : rows) {
            for (String c : DECIMALS) {
                new BigDecimal(r.get(c)); // a decimal, or this throws
            }
            for (String c : DATE_TIMES) {
                assertTrue(r.get(c).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), c + " " + r.get(c));
            }
            Instant start = Instant.parse(r.get("ChargePeriodStart"));
            Instant end = Instant.parse(r.get("ChargePeriodEnd"));
            assertTrue(start.isBefore(end) && !start.isBefore(Instant.parse(r.get("BillingPeriodStart")))
                    && !end.isAfter(Instant.parse(r.get("BillingPeriodEnd"))), "a charge period inside its billing period: " + r);
            assertEquals("Usage", r.get("ChargeCategory"));
            assertEquals("", r.get("ChargeClass"), "null: not a correction");
            assertEquals("AI and Machine Learning", r.get("ServiceCategory"));
            assertEquals("Generative AI", r.get("ServiceSubcategory"));
            assertEquals("USD", r.get("BillingCurrency"));
            assertTrue(r.get("ChargeDescription").endsWith("of " + SyntheticRun.MODEL + ", standard billing"), r.get("ChargeDescription"));
            BigDecimal billed = new BigDecimal(r.get("BilledCost"));
            assertEquals(0, billed.compareTo(new BigDecimal(r.get("EffectiveCost"))));
            assertEquals(0, billed.compareTo(new BigDecimal(r.get("ContractedCost"))));
            // the synthetic model is not in the list: its list cost is its own price's
            assertEquals(0, billed.compareTo(new BigDecimal(r.get("ListCost"))));
            assertEquals(0, billed.compareTo(new BigDecimal(r.get("ContractedUnitPrice")).multiply(new BigDecimal(r.get("PricingQuantity")))),
                    "unit price x quantity: " + r);
            assertEquals(0, new BigDecimal(r.get("PricingQuantity")).compareTo(new BigDecimal(r.get("ConsumedQuantity")).movePointLeft(6)));
            JsonNode tags = new ObjectMapper().readTree(r.get("Tags"));
            assertEquals(run.manifest().runId(), tags.get("soaklab_run").asText());
            sum = sum.add(billed);
            tokens += Long.parseLong(r.get("ConsumedQuantity"));
        }
        assertEquals(0, run.costs().total().compareTo(sum), "the rows add up to the measured spend exactly");
        assertEquals(Cost.format(run.costs().total()), Cost.format(sum), "and to the cent as printed");
        long measured = run.costs().tokensByKind().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(measured, tokens, "every measured token is in a row");
    }
}
