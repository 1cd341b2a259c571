package io.soaklab.scenario;

import java.util.Locale;

/** The formats of a trace soaklab replays, told apart by the first line that reads as either. */
enum TraceFormat {
    /** Mooncake's: one request a line, {@code timestamp} (ms), {@code input_length}, {@code output_length}, {@code hash_ids}. */
    MOONCAKE,
    /** A log of OpenAI chat-completions requests: one a line, the body itself or under {@code body}/{@code request}. */
    OPENAI;

    /** {@code mooncake} or {@code openai}. */
    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
