package io.soaklab.internal.text;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A configuration refused, naming the settings at fault as {@code run.json} does
 * ({@code concurrency}, {@code max_in_flight}, {@code latency.decode_tokens_per_second}...): the
 * message of the configuration, not of one of its front ends. The command line says the same with
 * its own flag names ({@link #message(UnaryOperator)}). The one validation rule of soaklab's
 * configuration records ({@code RunConfig}, {@code SimConfig}, {@code ClientConfig}): they check
 * with {@link #check}, {@link #checkValue} and {@link #required}.
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

    /** Refuses the configuration unless {@code ok}: {@code template}'s {@code %s} name {@code settings}. */
    public static void check(boolean ok, String template, String... settings) {
        checkValue(ok, template, "", settings);
    }

    /** As {@link #check}, with {@code detail} (a value the user gave, e.g. {@code ", was 0"}) appended as it is. */
    public static void checkValue(boolean ok, String template, String detail, String... settings) {
        if (!ok) {
            throw new InvalidSetting(template, detail, settings);
        }
    }

    /** {@code value}, refused with "{@code setting} is required" when null. */
    public static <T> T required(T value, String setting) {
        check(value != null, "%s is required", setting);
        return value;
    }

    /** The settings it names, as {@code run.json} names them. */
    public java.util.List<String> settings() {
        return java.util.List.of(settings);
    }

    /** The message with each setting named by {@code name}: e.g. a command line's flag for it. */
    public String message(UnaryOperator<String> name) {
        return String.format(template, Arrays.stream(settings).map(name).toArray()) + detail;
    }
}
