package io.soaklab.internal.record;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a JSON-lines file of a run folder line by line, streaming: blank lines skipped, each line
 * numbered from 1, and the last line told apart (a run killed while writing it leaves it cut off).
 */
final class LineFile {

    /** Receives each non-blank line. */
    interface Handler {
        void line(String text, long number, boolean last) throws IOException;
    }

    private LineFile() {
    }

    /** Reads every line of {@code file}; false when it does not exist. */
    static boolean read(Path file, Handler handler) throws IOException {
        BufferedReader in;
        try {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException missing) {
            return false;
        }
        try (in) {
            long number = 0;
            String text;
            while ((text = in.readLine()) != null) {
                number++;
                if (!text.isBlank()) {
                    handler.line(text, number, !in.ready());
                }
            }
        }
        return true;
    }
}
