package io.soaklab.internal.run;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A run's configuration refused, naming the settings at fault as {@code run.json} does
 * ({@code concurrency}, {@code max_in_flight}...): the message of the configuration, not of one of
 * its front ends. The command line says the same with its own flag names ({@link #message(UnaryOperator)}).
 *
 * <pre>{@code
 * throw new InvalidSetting("%s is required with %s", "", "model", "endpoint");
 * // getMessage(): "model is required with endpoint"; the CLI: "--model is required with --endpoint"
 * }</pre>
 */
public final class InvalidSetting extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String template;
    private final String[] settings;
    private final String detail;

    /**
     * @param template the message, {@code %s} standing for each setting in turn (no other {@code %})
     * @param detail   text appended as it is, e.g. {@code ", was 0"}: a value the user gave
     * @param settings the settings it names, as {@code run.json} names them
     */
    public InvalidSetting(String template, String detail, String... settings) {
        super(String.format(template, (Object[]) settings) + detail);
        this.template = template;
        this.settings = settings.clone();
        this.detail = detail;
    }

    /** The message with each setting named by {@code name}: e.g. a command line's flag for it. */
    public String message(UnaryOperator<String> name) {
        return String.format(template, Arrays.stream(settings).map(name).toArray()) + detail;
    }
}
