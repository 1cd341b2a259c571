package io.soaklab.internal.record;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file whole: the bytes go to a temporary file beside it, which is then renamed over it,
 * so a reader sees the old file or the new one, never half of one. The temporary file is created
 * like any file the user creates (its mode follows the umask; {@link Files#createTempFile} would
 * make it readable by its owner only, and a team share could not read the report).
 */
public final class AtomicWrite {

    private AtomicWrite() {
    }

    /**
     * @param durable also {@code fsync} the bytes before the rename (a file a crash must not lose)
     */
    public static void replace(Path file, byte[] bytes, boolean durable) throws IOException {
        Path tmp = null;
        for (int attempt = 0; tmp == null; attempt++) {
            Path candidate = file.resolveSibling(file.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.createFile(candidate);
                tmp = candidate;
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                if (attempt >= 100) {
                    throw taken;
                }
            }
        }
        try {
            try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
                out.write(bytes);
                if (durable) {
                    out.getFD().sync();
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp); // only there when the move failed, and that failure is what the caller hears
        }
    }
}
