package io.soaklab.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    /** Collects events as "type|data" strings. */
    static final class Collector implements SseParser.Listener {
        final List<String> events = new ArrayList<>();
        int comments;

        @Override
        public void onEvent(SseParser.Event event) {
            events.add(event.type() + "|" + event.dataAsString());
        }

        @Override
        public void onComment() {
            comments++;
        }
    }

    static byte[] fixture() throws IOException {
        try (InputStream in = SseParserTest.class.getResourceAsStream("openai-stream.txt")) {
            return in.readAllBytes();
        }
    }

    private static Collector parse(byte[] bytes, int... splits) {
        Collector c = new Collector();
        SseParser parser = new SseParser(c, 1 << 20);
        int from = 0;
        for (int split : splits) {
            parser.feed(ByteBuffer.wrap(bytes, from, split - from));
            from = split;
        }
        parser.feed(ByteBuffer.wrap(bytes, from, bytes.length - from));
        assertFalse(parser.finish(), "a complete stream leaves nothing behind");
        return c;
    }

    @Test
    void anErrorFieldLineIsAnEventOfItsOwnEvenWithoutData() {
        List<String> seen = new ArrayList<>();
        SseParser parser = new SseParser(e -> seen.add(e.hasErrorField() + "|" + e.errorField() + "|" + e.dataAsString()), 1 << 20);
        byte[] stream = "error: {\"code\":400}\n\ndata: [DONE]\n\nerror:\n\n".getBytes(StandardCharsets.UTF_8);
        parser.feed(stream, 0, stream.length);
        assertEquals(List.of("true|{\"code\":400}|", "false|null|[DONE]", "true||"), seen,
                "llama.cpp's 'error:' line is dispatched, not dropped as an unknown field; an empty one is still an error");
    }

    @Test
    void recordedOpenAiStreamGivesTheSameEventsWhereverItIsSplit() throws IOException {
        byte[] stream = fixture();
        Collector whole = parse(stream);
        assertEquals(11, whole.events.size(), "role chunk, 7 content chunks, finish chunk, usage chunk, [DONE]");
        assertEquals("null|[DONE]", whole.events.get(10));
        assertEquals(1, whole.comments);
        for (int split = 1; split < stream.length; split++) {
            Collector parts = parse(stream, split);
            assertEquals(whole.events, parts.events, "split at byte " + split);
            assertEquals(1, parts.comments, "split at byte " + split);
        }
    }

    @Test
    void everyThreeWaySplitAndByteAtATimeAgree() throws IOException {
        byte[] stream = fixture();
        List<String> expected = parse(stream).events;
        for (int a = 1; a < stream.length; a += 7) {
            for (int b = a + 1; b < stream.length; b += 61) {
                assertEquals(expected, parse(stream, a, b).events, "splits at " + a + " and " + b);
            }
        }
        Collector c = new Collector();
        SseParser parser = new SseParser(c, 1 << 20);
        for (byte value : stream) {
            parser.feed(new byte[] {value}, 0, 1);
        }
        assertEquals(expected, c.events);
    }

    @Test
    void crlfAndCrLineEndsAreTheSameAsLf() throws IOException {
        String lf = new String(fixture(), StandardCharsets.UTF_8);
        List<String> expected = parse(lf.getBytes(StandardCharsets.UTF_8)).events;
        byte[] crlf = lf.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] cr = lf.replace("\n", "\r").getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < crlf.length; split += 3) {
            assertEquals(expected, parse(crlf, split).events, "CRLF split at " + split);
        }
        assertEquals(expected, parse(cr).events);
    }

    @Test
    void multiLineDataIsJoinedAndFieldsFollowTheSpecification() {
        String text = "\uFEFFevent: message_start\ndata: {\"a\":\ndata:1}\nid: 7\nretry: 100\nunknown: x\n\n"
                + "data\n\n"               // a field with no colon: empty data, one LF, dispatched as ""
                + ":comment\n"
                + "event: ping\n\n"         // no data: not dispatched
                + "data:  two spaces\n\n";  // only one leading space is removed
        Collector c = new Collector();
        SseParser parser = new SseParser(c, 1024);
        parser.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("message_start|{\"a\":\n1}", "null|", "null| two spaces"), c.events);
        assertEquals(1, c.comments);
        assertEquals(3, parser.events());
    }

    @Test
    void anEventWithoutItsBlankLineIsDroppedAtTheEnd() {
        Collector c = new Collector();
        SseParser parser = new SseParser(c, 1024);
        parser.feed(ByteBuffer.wrap("data: one\n\ndata: two\n".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(parser.finish());
        assertEquals(List.of("null|one"), c.events);
    }

    @Test
    void dataIsExposedWithoutCopyingAndComparesAsAscii() {
        SseParser.Listener check = event -> {
            assertTrue(event.dataEquals("[DONE]"));
            assertFalse(event.dataEquals("[DONE"));
            assertTrue(event.typeEquals("done"));
            assertArrayEquals("[DONE]".getBytes(StandardCharsets.US_ASCII),
                    java.util.Arrays.copyOf(event.data(), event.dataLength()));
        };
        SseParser parser = new SseParser(check, 64);
        parser.feed(ByteBuffer.wrap("event: done\ndata: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(1, parser.events());
    }

    @Test
    void anOversizedEventIsRefusedInsteadOfBufferedForever() {
        SseParser parser = new SseParser(new Collector(), 100);
        byte[] endless = new byte[101];
        java.util.Arrays.fill(endless, (byte) 'x');
        assertThrows(SseParser.OversizeException.class, () -> parser.feed(endless, 0, endless.length));

        SseParser data = new SseParser(new Collector(), 100);
        byte[] lines = "data: 0123456789012345678901234567890123456789\n".repeat(3).getBytes(StandardCharsets.US_ASCII);
        assertThrows(SseParser.OversizeException.class, () -> data.feed(lines, 0, lines.length));
    }

    @Test
    void directBuffersAreReadToo() throws IOException {
        byte[] stream = fixture();
        ByteBuffer direct = ByteBuffer.allocateDirect(stream.length);
        direct.put(stream).flip();
        Collector c = new Collector();
        SseParser parser = new SseParser(c, 1 << 20);
        parser.feed(direct);
        assertEquals(parse(stream).events, c.events);
        assertEquals(0, direct.remaining());
    }
}
