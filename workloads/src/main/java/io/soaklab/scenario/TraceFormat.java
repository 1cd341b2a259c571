package io.soaklab.scenario;

/** The formats of a trace soaklab replays, told apart by the first line that reads as either. */
enum TraceFormat {
    /** Mooncake's: one request a line, {@code timestamp} (ms), {@code input_length}, {@code output_length}, {@code hash_ids}. */
    MOONCAKE,
    /** A log of OpenAI chat-completions requests: one a line, the body itself or under {@code body}/{@code request}. */
    OPENAI;

    /** The format, as a message names it. */
    String describe() {
        return this == MOONCAKE ? "Mooncake trace" : "chat-completions request log";
    }
}
