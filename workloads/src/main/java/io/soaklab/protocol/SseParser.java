package io.soaklab.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental parser for {@code text/event-stream} (the WHATWG server-sent events format), fed
 * with bytes as they arrive, split at any point.
 *
 * <p>Lines end in CRLF, LF or CR (a CRLF split between two feeds is one line end); lines that start
 * with {@code :} are comments (keep-alives); {@code data:} lines of one event are joined with LF;
 * an event is dispatched at the blank line that ends it; {@code id} and {@code retry} are ignored.
 * One field the specification does not know is kept: {@code error:}, which llama.cpp's server
 * sends instead of {@code data:} when it refuses a request inside a 200 stream. An event that has
 * only an {@code error} field is dispatched too; dropping it would turn a refusal into a success.
 * Nothing is allocated per event: the {@link Event} handed to the listener is a view over the
 * parser's buffers, valid only during the callback. Not thread-safe: one parser per stream.
 */
final class SseParser {

    /** Receives parsed events. */
    interface Listener {
        /** One complete event. {@code event} is only valid during this call. */
        void onEvent(Event event);

        /** A comment line, typically a keep-alive. */
        default void onComment() {
        }
    }

    /** A view of the event being dispatched. */
    static final class Event {
        private byte[] type = new byte[32];
        private int typeLength;
        private byte[] data = new byte[256];
        private int dataLength;
        private byte[] error;
        private int errorLength;

        /** The event's data bytes (the first {@link #dataLength()} of them). */
        byte[] data() {
            return data;
        }

        int dataLength() {
            return dataLength;
        }

        boolean dataEquals(String ascii) {
            return equalsAscii(data, dataLength, ascii);
        }

        /** True when the event had an {@code event:} field equal to {@code ascii}. */
        boolean typeEquals(String ascii) {
            return equalsAscii(type, typeLength, ascii);
        }

        /** The event type, or {@code null} when the event had none (allocates; not for hot paths). */
        String type() {
            return typeLength == 0 ? null : new String(type, 0, typeLength, StandardCharsets.UTF_8);
        }

        /** The data as text (allocates; not for hot paths). */
        String dataAsString() {
            return new String(data, 0, dataLength, StandardCharsets.UTF_8);
        }

        /** True when the event had an {@code error:} field line. */
        boolean hasErrorField() {
            return errorLength > 0;
        }

        /** The {@code error:} field's value, lines joined with LF, or null (allocates: errors are rare). */
        String errorField() {
            return errorLength == 0 ? null : new String(error, 0, errorLength - 1, StandardCharsets.UTF_8);
        }

        private static boolean equalsAscii(byte[] bytes, int length, String ascii) {
            if (length != ascii.length()) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (bytes[i] != (byte) ascii.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Thrown when a line or an event exceeds the configured size: the stream is not SSE, or broken. */
    static final class OversizeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OversizeException(int limit) {
            super("server-sent event larger than " + limit + " bytes");
        }
    }

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final Listener listener;
    private final int maxEventBytes;
    private final Event event = new Event();
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean skipLineFeed;
    private boolean firstLine = true;
    private byte[] scratch;
    private long events;
    private long comments;

    SseParser(Listener listener, int maxEventBytes) {
        this.listener = listener;
        this.maxEventBytes = maxEventBytes;
    }

    /** Consumes all remaining bytes of {@code buffer}. */
    void feed(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            feed(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            buffer.position(buffer.limit());
            return;
        }
        if (scratch == null) {
            scratch = new byte[8192];
        }
        while (buffer.hasRemaining()) {
            int n = Math.min(scratch.length, buffer.remaining());
            buffer.get(scratch, 0, n);
            feed(scratch, 0, n);
        }
    }

    void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (skipLineFeed) {
                skipLineFeed = false;
                if (bytes[i] == '\n') {
                    i++;
                    continue;
                }
            }
            int j = i;
            while (j < end && bytes[j] != '\n' && bytes[j] != '\r') {
                j++;
            }
            appendToLine(bytes, i, j - i);
            if (j == end) {
                return;
            }
            skipLineFeed = bytes[j] == '\r';
            endLine();
            i = j + 1;
        }
    }

    /**
     * Ends the stream. An event not closed by a blank line is dropped, as the specification says.
     *
     * @return true when such an incomplete event (or line) was dropped
     */
    boolean finish() {
        boolean dropped = lineLength > 0 || event.dataLength > 0 || event.errorLength > 0;
        lineLength = 0;
        reset();
        return dropped;
    }

    /**
     * The value of an {@code error:} field of an event the stream ended inside (no blank line after
     * it), or null: {@link #finish} drops such an event, as the specification says, but a server
     * that closes right after its error must not have its error lost.
     */
    String pendingError() {
        if (lineLength > 0) {
            endLine(); // a last line without its line end: read as a line, dispatched by nothing
        }
        return event.errorLength == 0 ? null : event.errorField();
    }

    long events() {
        return events;
    }

    long comments() {
        return comments;
    }

    private void appendToLine(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        int needed = lineLength + length;
        if (needed > maxEventBytes) {
            throw new OversizeException(maxEventBytes);
        }
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.min(maxEventBytes, Math.max(needed, line.length * 2)));
        }
        System.arraycopy(bytes, offset, line, lineLength, length);
        lineLength = needed;
    }

    private void endLine() {
        int start = 0;
        if (firstLine) {
            firstLine = false;
            if (lineLength >= 3 && line[0] == UTF8_BOM[0] && line[1] == UTF8_BOM[1] && line[2] == UTF8_BOM[2]) {
                start = 3;
            }
        }
        int length = lineLength - start;
        lineLength = 0;
        if (length == 0) {
            dispatch();
            return;
        }
        if (line[start] == ':') {
            comments++;
            listener.onComment();
            return;
        }
        int colon = -1;
        for (int k = start; k < start + length; k++) {
            if (line[k] == ':') {
                colon = k;
                break;
            }
        }
        int fieldEnd = colon < 0 ? start + length : colon;
        int valueStart = colon < 0 ? start + length : colon + 1;
        if (valueStart < start + length && line[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = start + length - valueStart;
        if (isField(start, fieldEnd, "data")) {
            appendData(valueStart, valueLength);
        } else if (isField(start, fieldEnd, "event")) {
            if (valueLength > event.type.length) {
                event.type = Arrays.copyOf(event.type, valueLength);
            }
            System.arraycopy(line, valueStart, event.type, 0, valueLength);
            event.typeLength = valueLength;
        } else if (isField(start, fieldEnd, "error")) {
            appendError(valueStart, valueLength);
        }
        // "id", "retry" and unknown fields are ignored: soaklab never reconnects a model stream.
    }

    private boolean isField(int from, int to, String name) {
        if (to - from != name.length()) {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            if (line[from + k] != (byte) name.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void appendData(int from, int length) {
        int needed = event.dataLength + length + 1;
        if (needed > maxEventBytes) {
            throw new OversizeException(maxEventBytes);
        }
        if (needed > event.data.length) {
            event.data = Arrays.copyOf(event.data, Math.min(maxEventBytes, Math.max(needed, event.data.length * 2)));
        }
        System.arraycopy(line, from, event.data, event.dataLength, length);
        event.dataLength += length;
        event.data[event.dataLength++] = '\n';
    }

    private void appendError(int from, int length) {
        int needed = event.errorLength + length + 1;
        if (needed > maxEventBytes) {
            throw new OversizeException(maxEventBytes);
        }
        if (event.error == null || needed > event.error.length) {
            event.error = Arrays.copyOf(event.error == null ? new byte[0] : event.error, Math.min(maxEventBytes, Math.max(needed, 256)));
        }
        System.arraycopy(line, from, event.error, event.errorLength, length);
        event.errorLength += length;
        event.error[event.errorLength++] = '\n';
    }

    private void dispatch() {
        if (event.dataLength == 0 && event.errorLength == 0) {
            event.typeLength = 0;
            return;
        }
        if (event.dataLength > 0) {
            event.dataLength--; // the LF after the last data line is not part of the data
        }
        events++;
        try {
            listener.onEvent(event);
        } finally {
            reset();
        }
    }

    private void reset() {
        event.dataLength = 0;
        event.typeLength = 0;
        event.errorLength = 0;
    }
}
