package io.soaklab.internal.servermetrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The recorded pages under src/test/resources/servermetrics, read and parsed. */
final class Pages {

    private Pages() {
    }

    static String text(String name) {
        try (InputStream in = Pages.class.getResourceAsStream("/servermetrics/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test page " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Scrape scrape(String name) {
        return Exposition.parse(text(name));
    }

    static Family family(Scrape scrape, String name) {
        return scrape.family(name).orElseThrow(() -> new AssertionError("no family " + name));
    }
}
