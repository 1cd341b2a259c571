package io.soaklab.protocol;

import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.ValueRecorder;

/**
 * Sends chat requests to a model endpoint as streams and measures them.
 *
 * <p>A call never throws and never hangs: every outcome, including timeouts and protocol faults,
 * completes the future with a {@link CallResult} whose {@link ErrorClass} says what happened. The
 * HTTP layer never replays a request: a retry is the workload's decision, and is counted.
 *
 * <pre>{@code
 * try (ModelClient client = ModelClient.openAi(config, itlRecorder)) {
 *     CallResult r = client.send(request, System.nanoTime()).join();
 * }
 * }</pre>
 */
public interface ModelClient extends AutoCloseable {

    /**
     * Sends {@code request}; latency is measured from {@code intendedNanos} (a
     * {@link System#nanoTime()} value), the moment the load model wanted the call to start.
     */
    CompletableFuture<CallResult> send(ChatRequest request, long intendedNanos);

    /**
     * The exact body {@link #send} puts on the wire for {@code request}: what {@code --record-requests}
     * keeps; null from a client that cannot say (its requests are counted as not recorded).
     *
     * @throws java.io.IOException when the request cannot be encoded (the call would fail as {@code client_error})
     */
    default byte[] body(ChatRequest request) throws java.io.IOException {
        return null;
    }

    /**
     * What {@code call}, sent for {@code intendedNanos} and still open at {@code nowNanos} (the end
     * of the run), has done so far: a result whose outcome is {@link ErrorClass#OPEN}, with the time
     * points it reached and its age as its latency. Nothing is stopped or changed.
     */
    default CallResult inFlight(CompletableFuture<CallResult> call, long intendedNanos, long nowNanos) {
        return CallResult.open(intendedNanos, nowNanos - intendedNanos, "still open when the run ended");
    }

    /**
     * Calls whose reply has begun streaming and not yet ended: mid-stream, where a silence is a gap
     * between tokens, not a wait for the first one; -1 when the client does not say.
     */
    default int streamingCalls() {
        return -1;
    }

    /**
     * When ({@link System#nanoTime()}) the endpoint last sent a byte of any call, to a tenth of a
     * millisecond; with {@link #streamingCalls()}, how a stalled endpoint is seen directly. -1 when
     * the client does not say.
     */
    default long lastByteNanos() {
        return -1;
    }

    /** The model the client asks for, or null when it does not say (local token counts then use {@code o200k_base}). */
    default String model() {
        return null;
    }

    /** Closes connections and threads; calls in flight fail. */
    @Override
    void close();

    /**
     * A client for the OpenAI Chat Completions streaming API (OpenAI, vLLM, llama.cpp, Ollama...).
     *
     * @param itlMicros receives every inter-token gap, in microseconds, as it is observed (called on
     *                  I/O threads; HdrHistogram's {@code Recorder} is a good fit)
     */
    static ModelClient openAi(ClientConfig config, ValueRecorder itlMicros) {
        return new OpenAiChatClient(config, itlMicros);
    }

    /**
     * A client for the Anthropic Messages streaming API ({@code x-api-key}, {@code anthropic-version}
     * 2023-06-01); usage is reported in OpenAI's accounting (see {@link Usage}).
     */
    static ModelClient anthropic(ClientConfig config, ValueRecorder itlMicros) {
        return new AnthropicClient(config, itlMicros);
    }

    /** A client for {@code api}. */
    static ModelClient of(Api api, ClientConfig config, ValueRecorder itlMicros) {
        return api == Api.ANTHROPIC ? anthropic(config, itlMicros) : openAi(config, itlMicros);
    }
}
