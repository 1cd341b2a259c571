package io.soaklab.internal.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.soaklab.internal.layout.RunFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code sweep.jsonl}: a capacity sweep's stage, written when the stage begins (so
 * that a sweep killed mid-stage still says what its last windows were). The file's only writer
 * and reader. A stage is the run's windows {@code first_window ..} of which the first
 * {@code settle_windows} are left out (the load moving to its level and settling) and the next
 * {@code windows} measured; a reader takes the measured windows the run has.
 *
 * <pre>{@code
 * for (StageLine s : StageLine.read(runDir)) System.out.println(s.level() + ": windows " + s.firstMeasured() + ".." + s.endWindow());
 * }</pre>
 *
 * @param stage         its number, from 0
 * @param level         users, or arrivals a second
 * @param search        how it was chosen: {@code ladder} (the geometric ladder up) or {@code bisect}
 * @param firstWindow   the run's window (from 0) in which its level was set
 * @param settleWindows windows left out before measuring
 * @param windows       measured windows planned
 * @param startUs       when its level was set, epoch µs
 */
public record StageLine(int stage, double level, Search search, int firstWindow, int settleWindows, int windows, long startUs) {

    /** How a stage's level was chosen. */
    public enum Search {
        /** The ladder up from the sweep's lowest level, before any stage missed. */
        @JsonProperty("ladder") LADDER,
        /** Between the highest stage that met every objective and the lowest that missed one. */
        @JsonProperty("bisect") BISECT
    }

    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** The first window measured. */
    public int firstMeasured() {
        return firstWindow + settleWindows;
    }

    /** The window after its last measured one. */
    public int endWindow() {
        return firstMeasured() + windows;
    }

    /** Appends {@code line} to {@code dir}'s file and forces it to disk. */
    public static void append(Path dir, StageLine line) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(RunFile.SWEEP.in(dir), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(false);
        }
    }

    /** Whether {@code dir} holds a sweep's stages. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(RunFile.SWEEP.in(dir));
    }

    /**
     * The stages in {@code dir}, in order; a damaged line (a kill while writing) is left out. Empty
     * when the folder is not a sweep's.
     */
    public static List<StageLine> read(Path dir) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(RunFile.SWEEP.in(dir), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<StageLine> out = new ArrayList<>();
        for (String l : lines) {
            if (l.isBlank()) {
                continue;
            }
            try {
                StageLine s = JSON.readValue(l, StageLine.class);
                if (s.search != null && s.windows >= 0 && s.settleWindows >= 0 && s.firstWindow >= 0) {
                    out.add(s);
                }
            } catch (IOException damaged) {
                // a line cut off by a kill: that stage never measured
            }
        }
        return List.copyOf(out);
    }
}
