package io.soaklab.internal.record;

import java.io.EOFException;
import java.io.IOException;

/**
 * A gzip stream a killed run cut off (flushed, never finished) ends where it was cut: the
 * decoder reads ahead, and an end-of-stream error there would lose the lines before it.
 */
final class EndAtCut extends java.io.FilterInputStream {
    private boolean cut;

    EndAtCut(java.io.InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        if (cut) {
            return -1;
        }
        try {
            return super.read();
        } catch (EOFException e) {
            cut = true;
            return -1;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (cut) {
            return -1;
        }
        try {
            return super.read(b, off, len);
        } catch (EOFException e) {
            cut = true;
            return -1;
        }
    }

    @Override
    public int available() throws IOException {
        return cut ? 0 : super.available();
    }
}
