package io.soaklab.sim;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The {@code Date} header every answer of the embedded endpoint carries, as real servers' do
 * (uvicorn's, hyper's, nginx's): RFC 1123, whole seconds. Shards read it to measure their clocks.
 * Formatted once a second, not per answer.
 */
final class HttpDate {

    private static volatile String text = "";
    private static volatile long second = Long.MIN_VALUE;

    private HttpDate() {
    }

    static void set(HttpHeaders headers) {
        headers.set(HttpHeaderNames.DATE, now());
    }

    static String now() {
        long millis = System.currentTimeMillis();
        long s = Math.floorDiv(millis, 1000);
        if (s != second) {
            text = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(s).atOffset(ZoneOffset.UTC));
            second = s; // after the text: a reader that sees this second sees its text
        }
        return text;
    }
}
