package io.soaklab.scenario;

/** The formats of a trace soaklab replays, told apart by the first line that reads as either. */
enum TraceFormat {
    /** Mooncake's: one request a line, {@code timestamp} (ms), {@code input_length}, {@code output_length}, {@code hash_ids}. */
    MOONCAKE,
    /** A log of OpenAI chat-completions requests: one a line, the body itself or under {@code body}/{@code request}. */
    OPENAI,
    /** A soaklab run folder's recorded requests ({@code --record-requests}: {@code requests.jsonl.gz}). */
    SOAKLAB_RUN,
    /** OpenTelemetry GenAI traces in OTLP JSON: chat spans, one session an agent. */
    OTLP;

    /** The format, as a message names it. */
    String describe() {
        return switch (this) {
            case MOONCAKE -> "Mooncake trace";
            case OPENAI -> "chat-completions request log";
            case SOAKLAB_RUN -> "soaklab run's recorded requests";
            case OTLP -> "OpenTelemetry GenAI trace";
        };
    }
}
