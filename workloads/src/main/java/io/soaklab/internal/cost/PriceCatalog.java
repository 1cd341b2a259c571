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
    private final Map<String, ModelPrice> byId = new LinkedHashMap<>();
    private final Map<String, ModelPrice> byAlias = new LinkedHashMap<>();
    private final String text;
    private final PriceCatalog own;

    private PriceCatalog(String name, String version, List<ModelPrice> models, String text, PriceCatalog own) {
        this.name = name;
        this.version = version;
        this.text = text;
        this.own = own;
        for (ModelPrice m : models) {
            byId.put(key(m.model()), m);
            for (String a : m.aliases()) {
                byAlias.put(key(a), m);
            }
        }
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
        if (yaml.isBlank()) {
            throw new IllegalArgumentException(source + " is empty");
        }
        try {
            File f = YAML.readValue(yaml, File.class);
            if (f == null || f.models() == null || f.models().isEmpty() || f.models().contains(null)) {
                throw new IllegalArgumentException(source + ": 'models' must list at least one model, each with its prices");
            }
            Set<String> seen = new HashSet<>();
            for (ModelPrice m : f.models()) {
                if (!seen.add(key(m.model()))) {
                    throw new IllegalArgumentException(source + ": model '" + m.model() + "' is listed twice");
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

    /** This catalog with {@code own}'s entries replacing (or adding to) its own. */
    public PriceCatalog with(PriceCatalog own) {
        List<ModelPrice> merged = new ArrayList<>(byId.values());
        merged.removeIf(m -> own.byId.containsKey(key(m.model())));
        merged.addAll(own.byId.values());
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
        PriceCatalog list = read(RunFile.PRICES.in(dir));
        return Files.exists(RunFile.PRICES_OWN.in(dir)) ? list.with(read(RunFile.PRICES_OWN.in(dir))) : list;
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

    /** Every model, in the catalog's order. */
    public List<ModelPrice> models() {
        return List.copyOf(byId.values());
    }


    /**
     * The prices of {@code model}: by its id, an alias, or its id without a dated snapshot suffix.
     *
     * @throws IllegalArgumentException naming the catalog and how to add the model
     */
    public ModelPrice price(String model) {
        String k = key(model);
        ModelPrice p = byId.containsKey(k) ? byId.get(k) : byAlias.get(k);
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

    /** The tariff of {@code model} under {@code billing}. */
    public Tariff tariff(String model, Billing billing) {
        return new Tariff(price(model), billing);
    }

    private static String key(String model) {
        String m = model.strip().toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        return slash >= 0 ? m.substring(slash + 1) : m; // openai/gpt-5.4, models/gemini-2.5-pro
    }
}
