package io.soaklab.internal.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.internal.analysis.ProviderExport.CostRow;
import io.soaklab.internal.analysis.ProviderExport.Kind;
import io.soaklab.internal.analysis.ProviderExport.Part;
import io.soaklab.internal.analysis.ProviderExport.Provider;
import io.soaklab.internal.analysis.ProviderExport.UsageRow;
import io.soaklab.internal.cost.TokenKind;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The four export formats, each read by the fields its provider documents (docs/costs.md names the
 * pages): which one a file is, from its buckets and results; then its rows.
 */
final class ExportReaders {

    private static final String OPENAI_USAGE = "organization.usage.completions.result";
    private static final String OPENAI_COST = "organization.costs.result";
    private static final String NEITHER = " is neither an OpenAI usage or costs export ({\"object\": \"page\", \"data\": [{\"object\": \"bucket\","
            + " \"start_time\": ..., \"results\": [...]}]}) nor an Anthropic usage or cost report ({\"data\": [{\"starting_at\": ...,"
            + " \"results\": [...]}]})";
    /** OpenAI's cost line items for a model's tokens, {@code MODEL, CONCEPT}: the concepts and the kinds they bill. */
    private static final Map<String, TokenKind> OPENAI_CONCEPTS = Map.of("input", TokenKind.FRESH_INPUT, "cached input", TokenKind.CACHE_READ,
            "cache writes", TokenKind.CACHE_WRITE_5M, "cache writes - 12hr", TokenKind.CACHE_WRITE_1H, "output", TokenKind.OUTPUT);
    /** Anthropic's cost report {@code token_type}s and the kinds they bill. */
    private static final Map<String, TokenKind> ANTHROPIC_TOKEN_TYPES = Map.of("uncached_input_tokens", TokenKind.FRESH_INPUT,
            "cache_read_input_tokens", TokenKind.CACHE_READ, "cache_creation.ephemeral_5m_input_tokens", TokenKind.CACHE_WRITE_5M,
            "cache_creation.ephemeral_1h_input_tokens", TokenKind.CACHE_WRITE_1H, "output_tokens", TokenKind.OUTPUT);

    private ExportReaders() {
    }

    /** One file's part and rows. */
    record Read(Part part, List<UsageRow> usage, List<CostRow> costs) {
    }

    /** A place in a file, for messages: {@code usage.json: page 2, bucket 1, result 3}. */
    private record At(Path file, int page, int bucket, int result) {
        @Override
        public String toString() {
            return file + ": page " + page + (bucket > 0 ? ", bucket " + bucket : "") + (result > 0 ? ", result " + result : "");
        }

        IllegalArgumentException missing(String field) {
            return new IllegalArgumentException(this + ": '" + field + "' is missing");
        }
    }

    static Read read(Path file, List<JsonNode> pages) {
        Provider provider = null;
        Kind kind = null;
        for (JsonNode page : pages) { // the first result, or bucket, says which format this is
            for (JsonNode bucket : page.path("data")) {
                Provider p = bucket.has("start_time") ? Provider.OPENAI : bucket.has("starting_at") ? Provider.ANTHROPIC : null;
                provider = provider == null ? p : provider;
                for (JsonNode result : results(bucket)) {
                    kind = kind == null ? kindOf(file, p, result) : kind;
                }
            }
        }
        if (provider == null) {
            throw new IllegalArgumentException(file + NEITHER);
        }
        if (kind == null) {
            throw new IllegalArgumentException(file + " holds " + provider.title() + " buckets without a single result: nothing to reconcile");
        }
        List<UsageRow> usage = new ArrayList<>();
        List<CostRow> costs = new ArrayList<>();
        Instant start = null;
        Instant end = null;
        int buckets = 0;
        for (int p = 0; p < pages.size(); p++) {
            JsonNode page = pages.get(p);
            if (!page.isObject() || !page.path("data").isArray()) {
                throw new IllegalArgumentException(new At(file, p + 1, 0, 0) + ": not a page of the export (no 'data' list)");
            }
            for (int b = 0; b < page.path("data").size(); b++) {
                JsonNode bucket = page.path("data").get(b);
                At at = new At(file, p + 1, b + 1, 0);
                Instant from = provider == Provider.OPENAI ? epoch(bucket, "start_time", at) : instant(bucket, "starting_at", at);
                Instant to = provider == Provider.OPENAI ? epoch(bucket, "end_time", at) : instant(bucket, "ending_at", at);
                start = start == null || from.isBefore(start) ? from : start;
                end = end == null || to.isAfter(end) ? to : end;
                buckets++;
                JsonNode results = results(bucket);
                for (int r = 0; r < results.size(); r++) {
                    At where = new At(file, p + 1, b + 1, r + 1);
                    JsonNode result = results.get(r);
                    if (kindOf(file, provider, result) != kind) {
                        throw new IllegalArgumentException(where + ": a " + kindOf(file, provider, result).name().toLowerCase(Locale.ROOT)
                                + " result in a " + kind.name().toLowerCase(Locale.ROOT) + " export: keep usage and costs in files of their own");
                    }
                    if (provider == Provider.OPENAI && kind == Kind.USAGE) {
                        usage.add(openAiUsage(result, from, to, where));
                    } else if (provider == Provider.OPENAI) {
                        costs.add(openAiCost(result, from, to, where));
                    } else if (kind == Kind.USAGE) {
                        usage.add(anthropicUsage(result, from, to, where));
                    } else {
                        costs.add(anthropicCost(result, from, to, where));
                    }
                }
            }
        }
        return new Read(new Part(file, provider, kind, start, end, pages.size(), buckets), usage, costs);
    }

    /** A bucket's results: {@code results}, or {@code result} as OpenAI's reference for the costs endpoint spells it. */
    private static JsonNode results(JsonNode bucket) {
        return bucket.has("results") ? bucket.path("results") : bucket.path("result");
    }

    /** Usage or cost, from a result's {@code object} (OpenAI) or its fields (Anthropic). */
    private static Kind kindOf(Path file, Provider provider, JsonNode result) {
        if (provider == Provider.OPENAI) {
            String object = result.path("object").asText("");
            if (object.equals(OPENAI_USAGE)) {
                return Kind.USAGE;
            }
            if (object.equals(OPENAI_COST)) {
                return Kind.COST;
            }
            if (object.startsWith("organization.usage.")) {
                throw new IllegalArgumentException(file + " holds " + object + " results: soaklab reconciles completions usage"
                        + " (/v1/organization/usage/completions) and costs (/v1/organization/costs)");
            }
        } else if (provider == Provider.ANTHROPIC) {
            if (result.has("uncached_input_tokens") || result.has("cache_read_input_tokens")) {
                return Kind.USAGE;
            }
            if (result.has("amount")) {
                return Kind.COST;
            }
        }
        throw new IllegalArgumentException(file + NEITHER);
    }

    private static UsageRow openAiUsage(JsonNode r, Instant start, Instant end, At at) {
        long input = tokens(r, "input_tokens", true, at);
        long cached = tokens(r, "input_cached_tokens", false, at);
        long write = tokens(r, "input_cache_write_tokens", false, at); // 30-minute retention
        long write12h = tokens(r, "input_cache_write_12h_tokens", false, at);
        if (cached + write + write12h > input) {
            throw new IllegalArgumentException(at + ": input_tokens (" + input + ") is less than its cached and cache-write parts ("
                    + (cached + write + write12h) + ")");
        }
        Map<TokenKind, Long> tokens = new EnumMap<>(TokenKind.class);
        tokens.put(TokenKind.FRESH_INPUT, input - cached - write - write12h);
        tokens.put(TokenKind.CACHE_READ, cached);
        tokens.put(TokenKind.CACHE_WRITE_5M, write);
        tokens.put(TokenKind.CACHE_WRITE_1H, write12h);
        tokens.put(TokenKind.OUTPUT, tokens(r, "output_tokens", true, at));
        long requests = tokens(r, "num_model_requests", true, at);
        String tier = r.path("batch").asBoolean(false) ? "batch" : text(r, "service_tier");
        if (tier == null && r.path("batch").isBoolean()) {
            tier = "standard"; // grouped by batch, and not batch
        }
        long audio = tokens(r, "input_audio_tokens", false, at) + tokens(r, "output_audio_tokens", false, at);
        return new UsageRow(start, end, text(r, "model"), tier, false, tokens, requests, audio, at.toString());
    }

    private static CostRow openAiCost(JsonNode r, Instant start, Instant end, At at) {
        JsonNode amount = r.path("amount");
        if (!amount.isObject()) {
            throw at.missing("amount");
        }
        String item = text(r, "line_item");
        String model = null;
        TokenKind kind = null;
        int comma = item == null ? -1 : item.lastIndexOf(", ");
        if (comma > 0) { // "gpt-5.4-mini-2026-03-17, cached input": a model's tokens of one kind
            model = item.substring(0, comma).strip();
            kind = OPENAI_CONCEPTS.get(item.substring(comma + 2).strip().toLowerCase(Locale.ROOT));
        }
        return new CostRow(start, end, model, kind, item, money(amount, "value", at), currency(amount, at), at.toString());
    }

    private static UsageRow anthropicUsage(JsonNode r, Instant start, Instant end, At at) {
        JsonNode creation = r.path("cache_creation");
        if (!creation.isObject()) {
            throw at.missing("cache_creation");
        }
        Map<TokenKind, Long> tokens = new EnumMap<>(TokenKind.class);
        tokens.put(TokenKind.FRESH_INPUT, tokens(r, "uncached_input_tokens", true, at));
        tokens.put(TokenKind.CACHE_READ, tokens(r, "cache_read_input_tokens", true, at));
        tokens.put(TokenKind.CACHE_WRITE_5M, tokens(creation, "ephemeral_5m_input_tokens", true, at, "cache_creation."));
        tokens.put(TokenKind.CACHE_WRITE_1H, tokens(creation, "ephemeral_1h_input_tokens", true, at, "cache_creation."));
        tokens.put(TokenKind.OUTPUT, tokens(r, "output_tokens", true, at));
        boolean longContext = "200k-1M".equalsIgnoreCase(text(r, "context_window"));
        return new UsageRow(start, end, text(r, "model"), text(r, "service_tier"), longContext, tokens, -1, 0, at.toString());
    }

    private static CostRow anthropicCost(JsonNode r, Instant start, Instant end, At at) {
        String type = text(r, "cost_type");
        TokenKind kind = type == null || type.equals("tokens") ? ANTHROPIC_TOKEN_TYPES.get(String.valueOf(text(r, "token_type"))) : null;
        String label = text(r, "description") != null ? text(r, "description") : type;
        // "Cost amount in lowest currency units (e.g. cents) as a decimal string": "123.45" in USD is $1.2345
        return new CostRow(start, end, text(r, "model"), kind, label, money(r, "amount", at).movePointLeft(2), currency(r, at), at.toString());
    }

    private static long tokens(JsonNode r, String field, boolean required, At at) {
        return tokens(r, field, required, at, "");
    }

    private static long tokens(JsonNode r, String field, boolean required, At at, String prefix) {
        JsonNode n = r.path(field);
        if (n.isMissingNode() || n.isNull()) {
            if (required) {
                throw at.missing(prefix + field);
            }
            return 0;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new IllegalArgumentException(at + ": '" + prefix + field + "' must be a whole number of tokens, was " + n);
        }
        return n.asLong();
    }

    private static BigDecimal money(JsonNode r, String field, At at) {
        JsonNode n = r.path(field);
        if (n.isMissingNode() || n.isNull()) {
            throw at.missing(field);
        }
        try {
            return n.isNumber() ? n.decimalValue() : new BigDecimal(n.asText().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(at + ": '" + field + "' must be an amount, was " + n);
        }
    }

    private static String currency(JsonNode r, At at) {
        String c = text(r, "currency");
        if (c == null) {
            throw at.missing("currency");
        }
        return c.toUpperCase(Locale.ROOT);
    }

    private static Instant epoch(JsonNode bucket, String field, At at) {
        JsonNode n = bucket.path(field);
        if (n.isMissingNode() || n.isNull()) {
            throw at.missing(field);
        }
        if (!n.isIntegralNumber()) {
            throw new IllegalArgumentException(at + ": '" + field + "' must be Unix seconds, was " + n);
        }
        return Instant.ofEpochSecond(n.asLong());
    }

    private static Instant instant(JsonNode bucket, String field, At at) {
        String s = text(bucket, field);
        if (s == null) {
            throw at.missing(field);
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(at + ": '" + field + "' must be an RFC 3339 time, was '" + s + "'");
        }
    }

    private static String text(JsonNode r, String field) {
        JsonNode n = r.path(field);
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
