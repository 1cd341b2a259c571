package io.soaklab.internal.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** soaklab's own version, stamped into the jar at build time. */
public final class Versions {

    private static final String SOAKLAB = load();

    private Versions() {
    }

    public static String soaklab() {
        return SOAKLAB;
    }

    private static String load() {
        try (InputStream in = Versions.class.getResourceAsStream("/io/soaklab/soaklab-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
