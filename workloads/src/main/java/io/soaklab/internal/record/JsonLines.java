package io.soaklab.internal.record;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * An append-only JSON-lines file shared by many threads. Lines are serialised by the caller into
 * its own buffer and appended under a short lock; {@link #flush()} runs every second, so a killed
 * process loses at most the last second.
 */
final class JsonLines implements AutoCloseable {

    /** A reusable line buffer whose bytes can be appended without a copy. */
    static final class Line extends ByteArrayOutputStream {
        Line() {
            super(512);
        }

        void appendTo(OutputStream out) throws IOException {
            out.write(buf, 0, count);
        }
    }

    private final FileOutputStream file;
    private final OutputStream out;
    private boolean closed;
    private IOException failure;

    JsonLines(Path path) throws IOException {
        this.file = new FileOutputStream(path.toFile(), true);
        this.out = new BufferedOutputStream(file, 64 << 10);
    }

    /** Appends one complete line (the caller wrote the trailing newline). Dropped after close. */
    synchronized void append(Line line) {
        if (closed || failure != null) {
            return;
        }
        try {
            line.appendTo(out);
        } catch (IOException e) {
            failure = e; // reported at close: a full disk must not kill the load generator mid-call
        }
    }

    synchronized void flush() {
        if (closed || failure != null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.flush();
            file.getFD().sync();
        } finally {
            out.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
