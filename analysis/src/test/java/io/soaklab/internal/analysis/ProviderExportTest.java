package io.soaklab.internal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.soaklab.internal.analysis.ProviderExport.Kind;
import io.soaklab.internal.cost.TokenKind;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers' exports as saved, read by their content: the hand-written fixtures of test resources
 * {@code exports/} (an OpenAI usage export of two pages, one a line), the same pages as a JSON array
 * and as one page, and files that are not an export, or miss a field.
 */
class ProviderExportTest {

    @TempDir
    Path tmp;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ProviderExportTest.class.getResource("/" + name).toURI());
    }

    private static ProviderExport export(String... names) throws URISyntaxException {
        Path[] files = new Path[names.length];
        for (int i = 0; i < names.length; i++) {
            files[i] = resource("exports/" + names[i]);
        }
        return ProviderExport.read(List.of(files));
    }

    @Test
    void openAiUsagePagesReadTheSameAsJsonLinesAndAsAnArray() throws Exception {
        ProviderExport lines = export("openai-usage-2-pages.jsonl");
        assertEquals(ProviderExport.Provider.OPENAI, lines.provider());
        assertEquals("OpenAI usage export (2 pages, 2 buckets)", lines.describe());
        assertEquals(5, lines.usage().size());
        assertEquals(1330, lines.usage().stream().mapToLong(ProviderExport.UsageRow::requests).sum());
        assertEquals("batch", lines.usage().get(1).tier());
        assertEquals(LocalDate.of(2026, 11, 30), lines.start(Kind.USAGE).atZone(java.time.ZoneOffset.UTC).toLocalDate());
        assertEquals(LocalDate.of(2026, 12, 2), lines.end(Kind.USAGE).atZone(java.time.ZoneOffset.UTC).toLocalDate());
        // the 30-minute write is its own kind; fresh input is what is neither read nor written
        assertEquals(Map.of(TokenKind.FRESH_INPUT, 800_000L, TokenKind.CACHE_READ, 300_000L, TokenKind.CACHE_WRITE_5M, 100_000L,
                TokenKind.CACHE_WRITE_1H, 0L, TokenKind.OUTPUT, 66_000L), lines.usage().get(3).tokens());

        List<String> pages = Files.readAllLines(resource("exports/openai-usage-2-pages.jsonl"));
        Path array = Files.writeString(tmp.resolve("pages.json"), "[\n" + String.join(",\n", pages) + "\n]\n");
        ProviderExport asArray = ProviderExport.read(List.of(array));
        assertEquals(lines.usage().stream().map(ProviderExport.UsageRow::tokens).toList(),
                asArray.usage().stream().map(ProviderExport.UsageRow::tokens).toList());
        Path one = Files.writeString(tmp.resolve("page.json"), pages.get(0));
        assertEquals(3, ProviderExport.read(List.of(one)).usage().size(), "a single page");
    }

    @Test
    void aFileOfNeitherFormatOrMissingAFieldIsOneLineThatSaysWhere() throws Exception {
        Path neither = Files.writeString(tmp.resolve("export.json"), "{\"object\": \"list\", \"data\": [{\"id\": \"gpt-5\"}]}");
        String message = assertThrows(IllegalArgumentException.class, () -> ProviderExport.read(List.of(neither))).getMessage();
        assertEquals(neither + " is neither an OpenAI usage or costs export ({\"object\": \"page\", \"data\": [{\"object\": \"bucket\", \"start_time\":"
                + " ..., \"results\": [...]}]}) nor an Anthropic usage or cost report ({\"data\": [{\"starting_at\": ..., \"results\": [...]}]})", message);
        Path broken = Files.writeString(tmp.resolve("usage.json"), Files.readAllLines(resource("exports/openai-usage-2-pages.jsonl")).get(1)
                .replace("\"num_model_requests\": 80, ", ""));
        assertEquals(broken + ": page 1, bucket 1, result 2: 'num_model_requests' is missing",
                assertThrows(IllegalArgumentException.class, () -> ProviderExport.read(List.of(broken))).getMessage());
        Path notJson = Files.writeString(tmp.resolve("usage.csv"), "start,end,tokens\n1,2,3\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProviderExport.read(List.of(notJson))).getMessage()
                .startsWith(notJson + " is not JSON"));
        assertEquals("--reconcile " + tmp.resolve("nope.json") + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> ProviderExport.read(List.of(tmp.resolve("nope.json")))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> export("openai-usage-2-pages.jsonl", "anthropic-usage-report.json"))
                .getMessage().endsWith("reconcile one provider at a time"));
    }
}
