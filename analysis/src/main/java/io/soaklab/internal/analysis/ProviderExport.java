package io.soaklab.internal.analysis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soaklab.internal.cost.TokenKind;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A provider's own account of what was used and billed, as its admin API exports it: OpenAI's
 * organization usage ({@code GET /v1/organization/usage/completions}) and costs
 * ({@code GET /v1/organization/costs}), Anthropic's usage report
 * ({@code GET /v1/organizations/usage_report/messages}) and cost report
 * ({@code GET /v1/organizations/cost_report}). A file holds one page of the response, several pages
 * (a JSON array of pages, or one page a line), as they were saved; which of the four it is is read
 * from its content, never its name. Fields the reader does not use are ignored; a missing required
 * one is an error naming the page, bucket and result.
 *
 * <pre>{@code
 * ProviderExport export = ProviderExport.read(List.of(Path.of("usage.jsonl"), Path.of("costs.json")));
 * long requests = export.usage().stream().mapToLong(ProviderExport.UsageRow::requests).sum();
 * }</pre>
 */
public final class ProviderExport {

    /** Whose export. */
    public enum Provider {
        OPENAI("openai", "OpenAI"), ANTHROPIC("anthropic", "Anthropic");

        private final String id;
        private final String title;

        Provider(String id, String title) {
            this.id = id;
            this.title = title;
        }

        /** As the catalog names the provider: {@code openai}, {@code anthropic}. */
        public String id() {
            return id;
        }

        /** As people name it. */
        public String title() {
            return title;
        }
    }

    /** What an export counts: tokens used, or money billed. */
    public enum Kind { USAGE, COST }

    /**
     * One result of a usage bucket: one model's (when the export is grouped by model) tokens in one
     * time bucket.
     *
     * @param start       the bucket's start
     * @param end         its end (exclusive)
     * @param model       the model as the export names it, or null when the export is not grouped by model
     * @param tier        the service tier it names ({@code batch} for OpenAI's {@code batch: true}), or null when it names none
     * @param longContext true when Anthropic's {@code context_window} says {@code 200k-1M}
     * @param tokens      tokens by kind: fresh input, cache reads, cache writes (OpenAI's 30-minute and 12-hour writes as the
     *                    5-minute and 1-hour kinds), output (reasoning included: no export splits it off)
     * @param requests    requests counted ({@code num_model_requests}), or -1 where the export counts none (Anthropic's)
     * @param audioTokens audio tokens the export reports apart (OpenAI), which the catalog does not price
     * @param where       the file, page, bucket and result, for messages
     */
    public record UsageRow(Instant start, Instant end, String model, String tier, boolean longContext, Map<TokenKind, Long> tokens,
                           long requests, long audioTokens, String where) {
        public UsageRow {
            tokens = Collections.unmodifiableMap(new EnumMap<>(tokens));
        }
    }

    /**
     * One line of a cost bucket.
     *
     * @param start    the bucket's start
     * @param end      its end (exclusive)
     * @param model    the model it charges, or null when the export does not say (not grouped by line item or description,
     *                 or a charge that is not a model's)
     * @param kind     the kind of token it charges, or null for any other charge (web search, code execution...)
     * @param label    the export's own words for it (OpenAI's {@code line_item}, Anthropic's {@code description}), or null
     * @param amount   the amount, in whole currency units (Anthropic's cents already divided by 100)
     * @param currency ISO 4217, upper case
     * @param where    the file, page, bucket and result, for messages
     */
    public record CostRow(Instant start, Instant end, String model, TokenKind kind, String label, BigDecimal amount, String currency,
                          String where) {
    }

    /**
     * One file as read.
     *
     * @param file     the file
     * @param provider whose export it is
     * @param kind     usage or cost
     * @param start    the earliest bucket's start, or null without buckets
     * @param end      the latest bucket's end, or null without buckets
     * @param pages    pages read
     * @param buckets  buckets read, empty ones included
     */
    public record Part(Path file, Provider provider, Kind kind, Instant start, Instant end, int pages, int buckets) {
    }

    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Provider provider;
    private final List<Part> parts;
    private final List<UsageRow> usage;
    private final List<CostRow> costs;

    ProviderExport(Provider provider, List<Part> parts, List<UsageRow> usage, List<CostRow> costs) {
        this.provider = provider;
        this.parts = List.copyOf(parts);
        this.usage = List.copyOf(usage);
        this.costs = List.copyOf(costs);
    }

    /**
     * Reads one provider's exports: usage, cost, or one of each.
     *
     * @throws IllegalArgumentException one line: a file that is missing, not JSON, of neither provider's format, missing a
     *                                  required field, or of another provider than the files before it
     */
    public static ProviderExport read(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no export to reconcile");
        }
        List<Part> parts = new ArrayList<>();
        List<UsageRow> usage = new ArrayList<>();
        List<CostRow> costs = new ArrayList<>();
        Provider provider = null;
        for (Path file : files) {
            ExportReaders.Read r = ExportReaders.read(file, pages(file));
            if (provider != null && r.part().provider() != provider) {
                throw new IllegalArgumentException(file + " is " + article(r.part().provider()) + " export and " + parts.get(0).file() + " "
                        + article(provider) + " one: reconcile one provider at a time");
            }
            provider = r.part().provider();
            parts.add(r.part());
            usage.addAll(r.usage());
            costs.addAll(r.costs());
        }
        return new ProviderExport(provider, parts, usage, costs);
    }

    private static String article(Provider p) {
        return p == Provider.OPENAI ? "an OpenAI" : "an Anthropic";
    }

    /** The file's pages: one JSON value, an array of them, or one a line (JSONL). */
    private static List<JsonNode> pages(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--reconcile " + file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + " is not text (UTF-8 JSON expected)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        List<JsonNode> pages = new ArrayList<>();
        try (MappingIterator<JsonNode> values = MAPPER.readerFor(JsonNode.class).readValues(text)) {
            while (values.hasNextValue()) {
                JsonNode v = values.nextValue();
                if (v.isArray()) {
                    v.forEach(pages::add);
                } else {
                    pages.add(v);
                }
            }
        } catch (IOException | RuntimeException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            var at = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getLocation() : null;
            throw new IllegalArgumentException(file + " is not JSON" + (at != null && at.getLineNr() > 0 ? " (line " + at.getLineNr() + ": "
                    + Objects.toString(why, "").lines().findFirst().orElse("") + ")" : ""));
        }
        if (pages.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty");
        }
        return pages;
    }

    /** Whose export this is. */
    public Provider provider() {
        return provider;
    }

    /** The files, in the order given. */
    public List<Part> parts() {
        return parts;
    }

    /** Every usage result, in file order. */
    public List<UsageRow> usage() {
        return usage;
    }

    /** Every cost line, in file order. */
    public List<CostRow> costs() {
        return costs;
    }

    /** True when a file of this kind was read. */
    public boolean has(Kind kind) {
        return parts.stream().anyMatch(p -> p.kind() == kind);
    }

    /** The earliest start of a bucket of this kind, or null. */
    public Instant start(Kind kind) {
        return parts.stream().filter(p -> p.kind() == kind && p.start() != null).map(Part::start).min(Instant::compareTo).orElse(null);
    }

    /** The latest end of a bucket of this kind, or null. */
    public Instant end(Kind kind) {
        return parts.stream().filter(p -> p.kind() == kind && p.end() != null).map(Part::end).max(Instant::compareTo).orElse(null);
    }

    /** What was read, in a few words: {@code OpenAI usage export (2 pages, 2 buckets)}. */
    public String describe() {
        List<String> out = new ArrayList<>();
        for (Part p : parts) {
            out.add(p.provider().title() + " " + p.kind().name().toLowerCase(java.util.Locale.ROOT) + " export (" + count(p.pages(), "page") + ", "
                    + count(p.buckets(), "bucket") + ")");
        }
        return String.join(" and ", out);
    }

    private static String count(int n, String noun) {
        return n + " " + (n == 1 ? noun : noun + "s");
    }
}
