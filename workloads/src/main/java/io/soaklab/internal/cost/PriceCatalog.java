package io.soaklab.internal.cost;

import io.soaklab.internal.layout.RunFile;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The dated price table: soaklab's own list prices ({@code prices.yaml} in this package), and on
 * top of them a file of your own (negotiated prices, a self-hosted model's cost per token), whose
 * entries replace the list's for the same model.
 *
 * <pre>{@code
 * PriceCatalog catalog = PriceCatalog.load(Path.of("our-prices.yaml"));   // null: the list prices only
 * Tariff tariff = catalog.tariff("gpt-5.4", Billing.STANDARD);
 * }</pre>
 */
public final class PriceCatalog {

    /** The copy of the list prices a run folder keeps. */
    public static final String FILE = RunFile.PRICES.fileName();
    /** The copy of one's own price file a run folder keeps, when the run had one. */
    public static final String OWN_FILE = RunFile.PRICES_OWN.fileName();

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES) // 3.00 stays 3.00 through a tree
            .build();
    /** A dated snapshot id: the catalog's {@code gpt-5.1} prices {@code gpt-5.1-2025-11-13}. */
    private static final Pattern SNAPSHOT = Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{8})$");

    /** Jackson's word for a required field that is not there. */
    private static final Pattern MISSING = Pattern.compile("Missing required creator property '(\\w+)'.*");

    private record File(String catalog, String version, List<ModelPrice> models) {
        @JsonCreator
        static File read(@JsonProperty("catalog") String catalog, @JsonProperty(value = "version", required = true) String version,
                         @JsonProperty(value = "models", required = true) List<ModelPrice> models) {
            return new File(catalog == null ? "prices" : catalog, version, models);
        }
    }

    private final String name;
    private final String version;
    /** Each model's price versions, oldest first. */
    private final Map<String, List<ModelPrice>> byId = new LinkedHashMap<>();
    private final Map<String, List<ModelPrice>> byAlias = new LinkedHashMap<>();
    private final String text;
    private final PriceCatalog own;

    private PriceCatalog(String name, String version, List<ModelPrice> models, String text, PriceCatalog own) {
        this.name = name;
        this.version = version;
        this.text = text;
        this.own = own;
        for (ModelPrice m : models) {
            byId.computeIfAbsent(key(m.model()), k -> new ArrayList<>()).add(m);
        }
        byId.values().forEach(versions -> versions.sort(java.util.Comparator.comparing(ModelPrice::effective)));
        byId.values().forEach(versions -> versions.forEach(v -> v.aliases().forEach(a -> byAlias.put(key(a), versions))));
    }

    /** soaklab's list prices. */
    public static PriceCatalog builtIn() {
        try (InputStream in = PriceCatalog.class.getResourceAsStream(FILE)) {
            if (in == null) {
                throw new IllegalStateException("the price catalog " + FILE + " is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "soaklab's price catalog");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The list prices with {@code ownFile}'s entries on top; {@code ownFile} null for the list prices alone. */
    public static PriceCatalog load(Path ownFile) {
        PriceCatalog list = builtIn();
        return ownFile == null ? list : list.with(read(ownFile));
    }

    /**
     * Reads a price file.
     *
     * @throws IllegalArgumentException one line naming the file, the place and the problem
     */
    public static PriceCatalog read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), "price file " + file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("price file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read price file " + file + ": " + e.getMessage());
        }
    }

    static PriceCatalog parse(String yaml, String source) {
        return parse(yaml, source, false);
    }

    /**
     * @param earlierRules read as soaklab did before every token kind had to be priced (a run folder's
     *                     copy from then): a missing cache-read or cache-write price is the input price,
     *                     a missing one-hour write the five-minute one, a missing reasoning price the output
     *                     price, so that the run's costs read as they were recorded
     */
    private static PriceCatalog parse(String yaml, String source, boolean earlierRules) {
        if (yaml.isBlank()) {
            throw new IllegalArgumentException(source + " is empty");
        }
        try {
            File f;
            if (earlierRules) {
                com.fasterxml.jackson.databind.JsonNode tree = YAML.readTree(yaml);
                tree.path("models").forEach(m -> {
                    fillAsBefore(m.path("prices"));
                    fillAsBefore(m.path("priority"));
                    fillAsBefore(m.path("long_context").path("prices"));
                });
                f = YAML.treeToValue(tree, File.class);
            } else {
                f = YAML.readValue(yaml, File.class);
            }
            if (f == null || f.models() == null || f.models().isEmpty() || f.models().contains(null)) {
                throw new IllegalArgumentException(source + ": 'models' must list at least one model, each with its prices");
            }
            Set<String> seen = new HashSet<>();
            for (ModelPrice m : f.models()) {
                if (!seen.add(key(m.model()) + " " + m.effective())) {
                    throw new IllegalArgumentException(source + ": model '" + m.model() + "' is listed twice with prices effective " + m.effective());
                }
            }
            return new PriceCatalog(f.catalog(), f.version(), f.models(), yaml, null);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = root instanceof IllegalArgumentException || root instanceof NullPointerException ? root.getMessage() : e.getOriginalMessage();
            String where = at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ": " : "";
            if (why != null) {
                why = MISSING.matcher(why).replaceFirst("'$1' is missing");
            }
            throw new IllegalArgumentException(source + ": " + where + (why == null ? "a value is missing" : why.lines().findFirst().orElse(why)));
        }
    }

    /** The rule soaklab priced a missing kind by until 2026-12-02, applied to one price map. */
    private static void fillAsBefore(com.fasterxml.jackson.databind.JsonNode prices) {
        if (prices instanceof com.fasterxml.jackson.databind.node.ObjectNode p && p.has("input") && p.has("output")) {
            p.putIfAbsent("cached_input", p.get("input"));
            p.putIfAbsent("cache_write_5m", p.get("input"));
            p.putIfAbsent("cache_write_1h", p.get("cache_write_5m"));
            p.putIfAbsent("reasoning", p.get("output"));
        }
    }

    /** This catalog with {@code own}'s entries replacing (or adding to) its own. */
    public PriceCatalog with(PriceCatalog own) {
        List<ModelPrice> merged = new ArrayList<>();
        byId.forEach((model, versions) -> {
            if (!own.byId.containsKey(model)) {
                merged.addAll(versions); // one's own entries replace every version of the model
            }
        });
        own.byId.values().forEach(merged::addAll);
        return new PriceCatalog(name, version, merged, text, own);
    }

    /** Keeps this catalog in a run folder: the list prices, and one's own file if there is one. */
    public void writeTo(Path dir) throws IOException {
        Files.writeString(RunFile.PRICES.in(dir), text);
        if (own != null) {
            Files.writeString(RunFile.PRICES_OWN.in(dir), own.text);
        }
    }

    /** The catalog a run folder kept, or null when it kept none (a run of an older soaklab). */
    public static PriceCatalog readFrom(Path dir) {
        if (!Files.exists(RunFile.PRICES.in(dir))) {
            return null;
        }
        PriceCatalog list = readKept(RunFile.PRICES.in(dir));
        return Files.exists(RunFile.PRICES_OWN.in(dir)) ? list.with(readKept(RunFile.PRICES_OWN.in(dir))) : list;
    }

    /** A run folder's copy of a price file, read by the rules of the soaklab that kept it. */
    private static PriceCatalog readKept(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), "price file " + file, true);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read price file " + file + ": " + e.getMessage());
        }
    }

    /**
     * The catalog's name and version, e.g. {@code soaklab list prices 2026-11-21}, or with one's own
     * file {@code soaklab list prices 2026-11-21 + acme 2026-Q4}.
     */
    public String describe() {
        return name + " " + version + (own == null ? "" : " + " + own.describe());
    }

    /** The version, e.g. {@code 2026-11-21}, or with one's own file's {@code 2026-11-21 + 2026-Q4}. */
    public String version() {
        return own == null ? version : version + " + " + own.version;
    }

    /** Every model in the catalog's order, each at the prices in force today (or its last version). */
    public List<ModelPrice> models() {
        LocalDate today = today();
        return byId.values().stream().map(versions -> inForce(versions, today)).toList();
    }

    /** Every version of {@code model}'s prices, oldest first. */
    public List<ModelPrice> versions(String model) {
        return List.copyOf(versionsOf(model));
    }

    /** The day of today in UTC: the day a call made now is priced at. */
    public static LocalDate today() {
        return LocalDate.now(java.time.ZoneOffset.UTC);
    }


    /**
     * The prices of {@code model}: by its id, an alias, or its id without a dated snapshot suffix.
     *
     * @throws IllegalArgumentException naming the catalog and how to add the model
     */
    public ModelPrice price(String model) {
        return price(model, today());
    }

    /**
     * The prices of {@code model} in force on {@code day}: the last version that took effect by then
     * (before its first version, the first).
     *
     * @throws IllegalArgumentException when the model is not listed, or its last version ended before {@code day}
     */
    public ModelPrice price(String model, LocalDate day) {
        ModelPrice p = inForce(versionsOf(model), day);
        if (p.until() != null && day.isAfter(p.until())) {
            throw new IllegalArgumentException(p.model() + "'s prices in " + describe() + " ended on " + p.until()
                    + " and none follow them: add the prices in force on " + day + " to a file of your own (--prices FILE)");
        }
        return p;
    }

    private static ModelPrice inForce(List<ModelPrice> versions, LocalDate day) {
        ModelPrice found = versions.get(0);
        for (ModelPrice v : versions) {
            if (!v.effective().isAfter(day)) {
                found = v;
            }
        }
        return found;
    }

    private List<ModelPrice> versionsOf(String model) {
        String k = key(model);
        List<ModelPrice> p = byId.containsKey(k) ? byId.get(k) : byAlias.get(k);
        if (p == null) {
            String base = SNAPSHOT.matcher(k).replaceFirst("");
            p = byId.containsKey(base) ? byId.get(base) : byAlias.get(base);
        }
        if (p == null) {
            throw new IllegalArgumentException("no prices for model '" + model + "' in " + describe() + " ("
                    + byId.size() + " models; 'soaklab prices' lists them). Price it as a listed model with --price-as MODEL, or add it"
                    + " to a file of your own and pass --prices FILE (format: docs/costs.md)");
        }
        return p;
    }

    /** The tariff of {@code model} under {@code billing}, at today's prices. */
    public Tariff tariff(String model, Billing billing) {
        return new Tariff(price(model), billing);
    }

    /** The tariff of {@code model} under {@code billing}, at the prices in force on {@code day}. */
    public Tariff tariff(String model, Billing billing, LocalDate day) {
        return new Tariff(price(model, day), billing);
    }

    /** The day {@code model} is shut down, where any of its versions says so, or null. */
    public LocalDate retires(String model) {
        return versionsOf(model).stream().map(ModelPrice::retires).filter(java.util.Objects::nonNull).reduce((a, b) -> b).orElse(null);
    }

    private static String key(String model) {
        String m = model.strip().toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        return slash >= 0 ? m.substring(slash + 1) : m; // openai/gpt-5.4, models/gemini-2.5-pro
    }
}
