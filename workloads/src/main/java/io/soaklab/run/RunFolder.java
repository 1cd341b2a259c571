package io.soaklab.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Where runs live: {@code results/<UTC yyyyMMdd-HHmmss>-<scenario>}. */
public final class RunFolder {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private RunFolder() {
    }

    /** The default folder for a run of {@code scenario} started at {@code now}, under {@code results}. */
    public static Path defaultPath(Path results, String scenario, Instant now) {
        return results.resolve(STAMP.format(now) + "-" + scenario);
    }

    /**
     * Creates {@code dir} for a new run.
     *
     * @throws IllegalArgumentException when it already holds a run
     */
    public static Path create(Path dir) throws IOException {
        if (RunManifest.exists(dir)) {
            throw new IllegalArgumentException("run folder " + dir + " already holds a run; choose another --out");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a folder");
        }
        return Files.createDirectories(dir);
    }
}
