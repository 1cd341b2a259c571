package io.soaklab.internal.run;

import io.soaklab.internal.text.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * When the shards of one soak start, as {@code --start-at} gives it: an instant
 * ({@code 2026-12-03T05:00:00Z}), a time from now ({@code +90s}), or a time from now that the
 * first shard to come decides for all ({@code +90s@/results/soak/start-at}): it writes now + 90 s
 * into the file, created atomically (a hard link of a finished file, which fails when one is there
 * already, on local disks and NFS alike), and every later shard reads that instant. A Kubernetes
 * Indexed Job's pods, sharing a volume, so agree on one start without anyone computing it.
 *
 * <pre>{@code
 * Instant start = StartAt.resolve("+2m@/results/soak/start-at", Instant.now());
 * }</pre>
 */
public final class StartAt {

    /** How long a shard waits for another's start file to be written, when it finds it empty. */
    private static final Duration WRITING = Duration.ofSeconds(5);

    private StartAt() {
    }

    /**
     * The start {@code spec} names, {@code now} being the time it is resolved at.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    public static Instant resolve(String spec, Instant now) {
        String s = spec.strip();
        if (!s.startsWith("+")) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--start-at '" + s + "': write an instant (2026-12-03T05:00:00Z), a time from now (+90s), "
                        + "or a time from now the first shard writes for all (+90s@FILE)");
            }
        }
        int at = s.indexOf('@');
        Duration after;
        try {
            after = Durations.parse(at < 0 ? s.substring(1) : s.substring(1, at));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--start-at '" + s + "': " + e.getMessage());
        }
        Instant mine = now.plus(after);
        if (at < 0) {
            return mine;
        }
        String name = s.substring(at + 1).strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("--start-at '" + s + "': name the file after @");
        }
        try {
            return shared(Path.of(name), mine);
        } catch (IOException e) {
            throw new IllegalArgumentException("--start-at '" + s + "': cannot use " + name + " (" + e.getMessage() + ")");
        }
    }

    /** The instant in {@code file}, written as {@code mine} by this process when there was none. */
    static Instant shared(Path file, Instant mine) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path draft = Files.createTempFile(dir, ".start-at-", ".tmp");
        try {
            Files.writeString(draft, mine + "\n", StandardCharsets.UTF_8);
            try {
                Files.createLink(file, draft);
                return mine; // this shard came first
            } catch (FileAlreadyExistsException another) {
                return read(file);
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
                try { // a file system without hard links: a new file, which readers may find still empty for an instant
                    Files.writeString(file, mine + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    return mine;
                } catch (FileAlreadyExistsException another) {
                    return read(file);
                }
            }
        } finally {
            Files.deleteIfExists(draft);
        }
    }

    private static Instant read(Path file) throws IOException {
        long deadline = System.nanoTime() + WRITING.toNanos();
        while (true) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (NoSuchFileException gone) {
                throw new IOException("it was there a moment ago and is gone");
            }
            if (!text.isEmpty()) {
                try {
                    return Instant.parse(text);
                } catch (DateTimeParseException e) {
                    throw new IOException("it holds '" + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "', not an instant");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("it stayed empty for " + Durations.format(WRITING));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading it");
            }
        }
    }
}
