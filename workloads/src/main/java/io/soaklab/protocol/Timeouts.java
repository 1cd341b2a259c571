package io.soaklab.protocol;

import io.soaklab.internal.text.InvalidSetting;

import java.time.Duration;

/**
 * How long a call may take, phase by phase; {@link Duration#ZERO} disables one.
 *
 * <pre>{@code
 * Timeouts t = Timeouts.DEFAULT.withFirstToken(Duration.ofSeconds(30));
 * }</pre>
 *
 * @param connect    to establish a connection
 * @param firstToken from sending to the first content chunk
 * @param idle       the longest gap allowed between content chunks after the first
 * @param call       the longest a whole call may take
 */
public record Timeouts(Duration connect, Duration firstToken, Duration idle, Duration call) {

    /** Connect 10 s, first token 2 min, idle 1 min, call 10 min. */
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofMinutes(1),
            Duration.ofMinutes(10));

    public Timeouts {
        requireNonNegative(connect, "timeouts.connect");
        requireNonNegative(firstToken, "timeouts.first_token");
        requireNonNegative(idle, "timeouts.idle");
        requireNonNegative(call, "timeouts.call");
    }

    public Timeouts withConnect(Duration d) {
        return new Timeouts(d, firstToken, idle, call);
    }

    public Timeouts withFirstToken(Duration d) {
        return new Timeouts(connect, d, idle, call);
    }

    public Timeouts withIdle(Duration d) {
        return new Timeouts(connect, firstToken, d, call);
    }

    public Timeouts withCall(Duration d) {
        return new Timeouts(connect, firstToken, idle, d);
    }

    /** Each timeout no longer than {@code limit} (a disabled one becomes {@code limit}). */
    public Timeouts atMost(Duration limit) {
        return new Timeouts(shorter(connect, limit), shorter(firstToken, limit), shorter(idle, limit), shorter(call, limit));
    }

    private static Duration shorter(Duration d, Duration limit) {
        return d.isZero() || d.compareTo(limit) > 0 ? limit : d;
    }

    /** Refuses a missing or negative timeout, naming it as {@code run.json} does. */
    private static void requireNonNegative(Duration d, String setting) {
        InvalidSetting.check(!InvalidSetting.required(d, setting).isNegative(), "%s must not be negative", setting);
    }
}
