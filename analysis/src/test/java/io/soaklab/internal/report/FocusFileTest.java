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

    /**
     * A window that straddles an hour: each call is charged to the hour it was sent in, for its
     * role, so an hour's and a role's rows hold exactly their calls' tokens.
     */
    @Test
    void eachCallFallsInTheHourItWasSentInTaggedWithItsRole() throws Exception {
        Path own = java.nio.file.Files.writeString(dir.resolve("own.yaml"), String.join("\n", "version: test", "models:",
                "  - model: hourly-1", "    effective: \"2026-01-01\"", "    source: FocusFileTest",
                "    prices: {input: 1.00, cached_input: 0.10, cache_write_5m: 1.25, cache_write_1h: 2.00, output: 10.00, reasoning: 10.00}", ""));
        Path run = dir.resolve("run");
        io.soaklab.run.RunConfig config = io.soaklab.run.RunConfig.builder().concurrency(1).window(java.time.Duration.ofMinutes(10))
                .duration(java.time.Duration.ofMinutes(10)).prices(own).priceAs("hourly-1").build();
        io.soaklab.internal.cost.PriceCatalog catalog = io.soaklab.internal.cost.PriceCatalog.load(own);
        catalog.writeTo(java.nio.file.Files.createDirectories(run));
        io.soaklab.run.RunManifest manifest = io.soaklab.run.RunManifest.create(run, config,
                new io.soaklab.run.RunManifest.Endpoint(java.net.URI.create("http://127.0.0.1:9/v1"), true));
        manifest.write(run);
        long anchor = 1_000_000_000L;
        // 10:55:00 UTC: calls 3 and 4 of this window are sent after 11:00
        Instant windowStart = Instant.parse("2026-12-02T10:55:00Z");
        io.soaklab.internal.record.TimeBase time = new io.soaklab.internal.record.TimeBase(
                java.time.temporal.ChronoUnit.MICROS.between(Instant.EPOCH, windowStart), anchor);
        long minute = 60_000_000_000L;
        String[] roles = {"coordinator", "specialist", "coordinator", "specialist", "coordinator"};
        long[] sentAt = {0, 2 * minute, 4 * minute, 6 * minute, 8 * minute}; // 10:55, 10:57, 10:59, 11:01, 11:03
        try (io.soaklab.internal.record.RunRecorder recorder = io.soaklab.internal.record.RunRecorder.open(run, time,
                config.tariff(catalog))) {
            recorder.beginWindow(false);
            for (int i = 0; i < roles.length; i++) {
                io.soaklab.protocol.Usage usage = new io.soaklab.protocol.Usage(1_000_000L * (i + 1), 100_000, 0, 0,
                        io.soaklab.protocol.Usage.Source.SERVER);
                recorder.recordCall(new io.soaklab.protocol.CallResult(anchor + sentAt[i], 0, -1, 1_000_000, 2_000_000, 3_000_000, 200,
                        io.soaklab.protocol.ErrorClass.OK, null, usage, "x", 1, 0, 0, "stop", null, List.of(), -1, null, -1, "", 0, -1,
                        Set.of()), io.soaklab.internal.record.CallInfo.single(0, i, roles[i], 0, anchor + sentAt[i]));
            }
            recorder.endWindow();
        }
        manifest.withWindowsCompleted(1).ended(io.soaklab.run.RunStatus.COMPLETE, null).write(run);

        RunData data = RunData.load(run);
        FocusFile.write(data);
        List<Map<String, String>> rows;
        try (MappingIterator<Map<String, String>> it = new CsvMapper().readerFor(Map.class).with(CsvSchema.emptySchema().withHeader())
                .readValues(RunFile.FOCUS.in(run).toFile())) {
            rows = it.readAll();
        }
        // input: (1+3+5) M tokens of the coordinator, 1 and 3 before 11:00 (4 M: $4), 5 after ($5); specialist 2 before, 4 after
        Map<String, BigDecimal> input = new java.util.TreeMap<>();
        for (Map<String, String> r : rows) {
            String role = new ObjectMapper().readTree(r.get("Tags")).get("role").asText();
            if (r.get("SkuId").equals("hourly-1:input")) {
                input.merge(r.get("ChargePeriodStart") + " " + role, new BigDecimal(r.get("BilledCost")), BigDecimal::add);
            }
        }
        assertEquals(Map.of("2026-12-02T10:00:00Z coordinator", new BigDecimal("4"), "2026-12-02T10:00:00Z specialist", new BigDecimal("2"),
                "2026-12-02T11:00:00Z coordinator", new BigDecimal("5"), "2026-12-02T11:00:00Z specialist", new BigDecimal("4")),
                input.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stripTrailingZeros())));
        BigDecimal coordinator = BigDecimal.ZERO;
        for (Map<String, String> r : rows) {
            if (new ObjectMapper().readTree(r.get("Tags")).get("role").asText().equals("coordinator")) {
                coordinator = coordinator.add(new BigDecimal(r.get("BilledCost")));
            }
        }
        assertEquals(0, data.costs().byRole().get("coordinator").compareTo(coordinator), "a role's rows add up to its spend");
        assertEquals(0, new BigDecimal("12").compareTo(coordinator), "9 M input ($9) and 0.3 M output ($3)");
    }
}
