package io.soaklab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.layout.RunFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The run folder has one owner per file: the only type that opens it (to write it and to read it
 * back), and its line types' field names are the schema {@code results/README.md} documents. Read
 * from the sources of every module, so a second reader or writer anywhere fails the build.
 */
class RunFolderOwnersTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<Path> SOURCES = List.of(ROOT.resolve("workloads/src/main/java"), ROOT.resolve("analysis/src/main/java"),
            ROOT.resolve("benchmarks/src/main/java"));
    /** Ways to reach a run file by a name of its own instead of through {@link RunFile}: none is allowed outside the owner. */
    private static final Pattern RESOLVE_BY_NAME = Pattern.compile("\\.resolve\\(\\s*((RunManifest|PriceCatalog|CostFiles|WindowsCsv|Report|Soak|EmbeddedEndpoint)\\.[A-Z_]+)\\s*\\)");

    @Test
    void eachRunFileIsOpenedByItsOwnerAlone() throws IOException {
        Map<String, String> sources = sources();
        Map<RunFile, Set<String>> openers = new TreeMap<>();
        for (RunFile f : RunFile.values()) {
            Pattern opens = Pattern.compile("\\bRunFile\\." + f.name() + "\\.in\\(");
            sources.forEach((type, text) -> {
                if (!type.equals(RunFile.class.getName()) && opens.matcher(text).find()) {
                    openers.computeIfAbsent(f, k -> new TreeSet<>()).add(type);
                }
            });
        }
        for (RunFile f : RunFile.values()) {
            assertEquals(Set.of(f.owner()), openers.getOrDefault(f, Set.of()), f + " is opened by its owner, " + f.owner() + ", alone");
        }
    }

    @Test
    void noRunFileIsNamedOutsideTheLayout() throws IOException {
        List<String> found = new ArrayList<>();
        sources().forEach((type, text) -> {
            if (type.equals(RunFile.class.getName())) {
                return;
            }
            for (RunFile f : RunFile.values()) {
                if (text.contains(".resolve(\"" + f.fileName() + "\")")) {
                    found.add(type + " resolves \"" + f.fileName() + "\"");
                }
            }
            for (RunFile f : RunFile.values()) {
                if (text.contains("\"" + f.fileName() + "\"")) {
                    found.add(type + " spells \"" + f.fileName() + "\"");
                }
            }
            Matcher m = RESOLVE_BY_NAME.matcher(text);
            while (m.find()) {
                found.add(type + " resolves " + m.group(1));
            }
        });
        assertEquals(List.of(), found, "run files are named by RunFile and opened by their owners");
    }

    @Test
    void theLineTypesFieldsAreTheSchemaTheReadmeDocuments() throws Exception {
        String readme = Files.readString(ROOT.resolve("results/README.md"));
        Set<String> head = fields("io.soaklab.internal.record.LineHead");
        assertDocumented(readme, RunFile.CALLS, union(head, fields("io.soaklab.internal.record.CallLine")));
        assertDocumented(readme, RunFile.EPISODES, union(head, fields("io.soaklab.internal.record.EpisodeLine")));
        assertDocumented(readme, RunFile.EVENTS, union(head, fields("io.soaklab.internal.record.EventLine")));
        assertDocumented(readme, RunFile.GENERATOR, union(Set.of("phase", "window", "shard"), fields("io.soaklab.internal.record.GeneratorLine")));
        assertDocumented(readme, RunFile.SIM_TRUTH, fields("io.soaklab.internal.sim.TruthLine"));
        assertDocumented(readme, RunFile.RECONCILE, fields("io.soaklab.internal.report.ReconcileFile"));
        assertDocumented(readme, RunFile.TRACE_EXPORT, fields("io.soaklab.internal.trace.ExportSummary"));
    }

    /** Every field the type writes is named in its file's section, and the section names no field the type does not write. */
    private static void assertDocumented(String readme, RunFile file, Set<String> written) {
        String section = section(readme, file);
        Set<String> named = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| ([^|]+)\\|").matcher(section);
        while (row.find()) {
            Matcher code = Pattern.compile("`([a-z0-9_]+)`").matcher(row.group(1));
            while (code.find()) {
                named.add(code.group(1));
            }
        }
        Matcher prose = Pattern.compile("(?m)^`[a-z_]+`.*$").matcher(section); // "`phase`, `window`, ... as above; `role`, `t_us` ..., `type`"
        if (prose.find()) {
            Matcher code = Pattern.compile("`([a-z0-9_]+)`").matcher(prose.group());
            while (code.find()) {
                named.add(code.group(1));
            }
        }
        if (file == RunFile.EVENTS) {
            named.retainAll(written); // the table's rows are event types, with the scenario's own fields
        }
        assertEquals(written, named, "the fields " + file + " holds, and those results/README.md documents");
    }

    private static String section(String readme, RunFile file) {
        String title = "## `" + file.fileName() + "`";
        int start = readme.indexOf(title);
        assertTrue(start >= 0, "results/README.md has a section " + title);
        int end = readme.indexOf("\n## ", start + title.length());
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The field names a line type declares: its static final String constants that name a field, not a value. */
    private static Set<String> fields(String type) throws ReflectiveOperationException {
        Set<String> out = new TreeSet<>();
        for (Field f : Class.forName(type).getDeclaredFields()) {
            if (f.getType() == String.class && Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers())) {
                f.setAccessible(true);
                String v = (String) f.get(null);
                if (v.matches("[a-z0-9_]+") && !Set.of("warmup", "measure", "complete", "session").contains(v)) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    /** Every main source, by its type's name. */
    private static Map<String, String> sources() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path root : SOURCES) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).forEach(p -> {
                    String type = root.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
                    try {
                        out.put(type, Files.readString(p));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        assertTrue(out.containsKey(RunFile.class.getName()), "the sources are found from " + ROOT);
        return out;
    }
}
