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

    /** The text of one second: read and replaced whole, so a reader never pairs a second with another's text. */
    private record Stamp(long second, String text) {
    }

    private static volatile Stamp last = new Stamp(Long.MIN_VALUE, "");

    private HttpDate() {
    }

    static void set(HttpHeaders headers) {
        headers.set(HttpHeaderNames.DATE, now());
    }

    static String now() {
        long s = Math.floorDiv(System.currentTimeMillis(), 1000);
        Stamp stamp = last;
        if (stamp.second() != s) {
            stamp = new Stamp(s, DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(s).atOffset(ZoneOffset.UTC)));
            last = stamp; // a racing thread may write its own: the same second's, or a second's later
        }
        return stamp.text();
    }
}
