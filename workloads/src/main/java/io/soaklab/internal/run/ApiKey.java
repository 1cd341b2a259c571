package io.soaklab.internal.run;

/** The API key a run uses: read from the environment variable its configuration names, never stored or printed. */
public final class ApiKey {

    private ApiKey() {
    }

    /**
     * The key in environment variable {@code envName}; null when the run names none.
     *
     * @throws IllegalArgumentException when the variable is not set
     */
    public static String fromEnvironment(String envName) {
        if (envName == null || envName.isBlank()) {
            return null;
        }
        String key = System.getenv(envName);
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("environment variable " + envName + " (named by --api-key-env) is not set");
        }
        return key;
    }
}
