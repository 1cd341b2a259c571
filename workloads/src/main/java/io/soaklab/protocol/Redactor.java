package io.soaklab.protocol;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Removes the API key from text a server sent back before soaklab keeps any of it: servers echo
 * keys in their error messages ({@code Incorrect API key provided: sk-...}). Every occurrence of
 * the key, and of its URL-encoded form, becomes {@value #REDACTED}.
 */
final class Redactor {

    static final String REDACTED = "[redacted]";
    static final Redactor NONE = new Redactor(null);

    private final String key;
    private final String encoded;

    private Redactor(String key) {
        this.key = key == null || key.isBlank() ? null : key;
        String e = this.key == null ? null : URLEncoder.encode(this.key, StandardCharsets.UTF_8);
        this.encoded = e == null || e.equals(this.key) ? null : e;
    }

    /** A redactor of {@code key}; nothing to redact when it is null or blank. */
    static Redactor of(String key) {
        return key == null || key.isBlank() ? NONE : new Redactor(key);
    }

    /** {@code text} without the key. */
    String redact(String text) {
        if (text == null || key == null) {
            return text;
        }
        String out = text.replace(key, REDACTED);
        return encoded == null ? out : out.replace(encoded, REDACTED);
    }
}
