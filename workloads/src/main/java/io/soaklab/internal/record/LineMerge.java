package io.soaklab.internal.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Merges the same JSON-lines file of several shards' run folders into one, streaming: one line of
 * each shard in memory at a time, whatever the files' lengths. Lines leave in the order of a time
 * each carries (the sum of the fields named, e.g. {@code intended_us + e2e_us}: when a call ended,
 * which is the order a shard wrote them in), a shard's own order kept; equal times go by shard. A
 * line that is not a JSON object (the last line of a shard killed while writing it) is left out and
 * counted. Used by each file's owner, which names the file and its time. Each shard costs an open
 * file and about 50 KB of buffers, whatever its length.
 */
public final class LineMerge {

    private static final JsonFactory JSON = new JsonFactory();

    /** Which lines of which shard go into the merged file. */
    public interface Keep {
        /** Every line. */
        Keep ALL = (shard, line) -> true;

        boolean keep(int shard, String line);
    }

    /** What a merge did. */
    public record Result(long lines, long damaged, int files) {
    }

    private LineMerge() {
    }

    /**
     * Merges {@code inputs} (a missing one is skipped) into {@code output}, in the order of the time
     * {@code timeFields} add up to (none: shard after shard).
     *
     * @param gzip  the files are gzip-compressed
     * @param keep  which lines to keep ({@link Keep#ALL})
     */
    public static Result merge(List<Path> inputs, Path output, boolean gzip, Keep keep, String... timeFields) throws IOException {
        List<Source> sources = new ArrayList<>();
        PriorityQueue<Source> heads = new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Integer.compare(a.shard, b.shard));
        long lines = 0;
        long damaged = 0;
        try {
            for (int i = 0; i < inputs.size(); i++) {
                BufferedReader in = open(inputs.get(i), gzip);
                if (in != null) {
                    Source s = new Source(i, in, timeFields);
                    sources.add(s);
                    if (s.advance(keep)) {
                        heads.add(s);
                    }
                }
            }
            if (sources.isEmpty()) {
                return new Result(0, 0, 0);
            }
            OutputStream raw = Files.newOutputStream(output);
            try (Writer out = new BufferedWriter(new OutputStreamWriter(gzip ? new GZIPOutputStream(raw, 1 << 16) : raw, StandardCharsets.UTF_8),
                    1 << 16)) {
                Source s;
                while ((s = heads.poll()) != null) {
                    out.write(s.line);
                    out.write('\n');
                    lines++;
                    if (s.advance(keep)) {
                        heads.add(s);
                    }
                }
            }
            for (Source source : sources) {
                damaged += source.damaged;
            }
            return new Result(lines, damaged, sources.size());
        } finally {
            for (Source s : sources) {
                s.in.close();
            }
        }
    }

    /** The text of top-level field {@code name} of a JSON line, or null when it has none (or is not JSON). */
    public static String text(String line, String name) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = name.equals(p.currentName());
                JsonToken value = p.nextToken();
                if (wanted) {
                    return value.isScalarValue() ? p.getValueAsString() : null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** Calls {@code each} with every non-blank line of {@code file} (none when it is missing). */
    public static void lines(Path file, IOConsumer each) throws IOException {
        try (BufferedReader in = open(file, false)) {
            if (in == null) {
                return;
            }
            String text;
            while ((text = in.readLine()) != null) {
                if (!text.isBlank()) {
                    each.accept(text);
                }
            }
        }
    }

    /** A consumer of lines that may fail to read. */
    public interface IOConsumer {
        void accept(String line) throws IOException;
    }

    private static BufferedReader open(Path file, boolean gzip) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException missing) {
            return null;
        }
        try {
            // a compressed file cut off by a kill ends where its last whole block did: every line before it is kept
            return new BufferedReader(new InputStreamReader(gzip ? new EndAtCut(new GZIPInputStream(in, 1 << 13)) : in, StandardCharsets.UTF_8), 1 << 13);
        } catch (IOException notGzip) {
            in.close();
            throw new IOException(file + ": " + notGzip.getMessage(), notGzip);
        }
    }

    /** One shard's file, a line ahead. */
    private static final class Source {
        final int shard;
        final BufferedReader in;
        final String[] timeFields;
        String line;
        long time;
        long damaged;

        Source(int shard, BufferedReader in, String[] timeFields) {
            this.shard = shard;
            this.in = in;
            this.timeFields = timeFields;
        }

        /** Reads the next line to keep; false at the end. */
        boolean advance(Keep keep) throws IOException {
            String text;
            try {
                while ((text = in.readLine()) != null) {
                    if (text.isBlank()) {
                        continue;
                    }
                    long t = time(text);
                    if (t == Long.MIN_VALUE) {
                        damaged++;
                        continue;
                    }
                    if (keep.keep(shard, text)) {
                        line = text;
                        time = t;
                        return true;
                    }
                }
            } catch (java.io.EOFException cutOff) {
                damaged++; // a compressed file cut off by a kill: what came before it is kept
            }
            line = null;
            return false;
        }

        /** The line's time, or {@link Long#MIN_VALUE} when it is not a whole JSON object. */
        private long time(String text) {
            long sum = 0;
            try (JsonParser p = JSON.createParser(text)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return Long.MIN_VALUE;
                }
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                        for (String f : timeFields) {
                            if (f.equals(name)) {
                                sum += p.getValueAsLong();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                    return Long.MIN_VALUE;
                }
                return sum;
            } catch (IOException notJson) {
                return Long.MIN_VALUE;
            }
        }
    }
}
