package io.soaklab.internal.record;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reading of the run folder's smaller JSON-lines files (episodes, events, generator health): each
 * line parsed into a tree, decimals kept exact, and a line that is not a whole JSON object reported
 * as bad. The call lines, ten to a hundred times more numerous, are streamed by {@link CallLine}.
 */
final class TreeLine {

    private static final ObjectReader EXACT = new ObjectMapper().reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** Receives each line as a tree, and each bad line. */
    interface Handler {
        void line(JsonNode line) throws IOException;

        void bad(long number, boolean last, String why) throws IOException;
    }

    private TreeLine() {
    }

    static boolean read(Path file, Handler handler) throws IOException {
        return LineFile.read(file, (text, number, last) -> {
            JsonNode n;
            try {
                n = EXACT.readTree(text);
            } catch (IOException e) {
                handler.bad(number, last, e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse(""));
                return;
            }
            if (n == null || !n.isObject()) {
                handler.bad(number, last, "not a JSON object");
                return;
            }
            handler.line(n);
        });
    }

    static boolean warmup(JsonNode n) {
        return LineHead.WARMUP.equals(n.path(LineHead.PHASE).asText());
    }
}
