package io.soaklab.internal.run;

import io.soaklab.run.Soak;
import io.soaklab.run.RunConfig;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.ClientConfig;
import io.soaklab.protocol.ErrorClass;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ModelClient;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;

/**
 * One small call to a remote endpoint before a run starts, so that a typo in the URL, a refused key
 * or an unknown model costs one line and exit code 2, not a night. The call is a real streamed chat
 * request ({@value #MAX_TOKENS} output tokens at most) through the run's own client, so it checks
 * exactly what the run will do: the address, the protocol, the key and the model. It is not part of
 * the run's record.
 *
 * <p>Unreachable, 401/403, 404 and a 400/422 about the model are fatal; anything else (429, 5xx, a
 * slow first token) is the endpoint's state, which the soak is there to measure: it is said, and
 * the run goes on.
 *
 * <pre>{@code
 * EndpointCheck.Result r = EndpointCheck.run(config, Duration.ofSeconds(60));
 * if (r.fatal()) throw new IllegalArgumentException(r.line());
 * }</pre>
 *
 * @param fatal true when the run must not start
 * @param line  what the check found, in one line
 * @param result the call's result
 */
public record EndpointCheck(boolean fatal, String line, CallResult result) {

    /** The check's output cap: enough for a reasoning model to say something, too little to cost anything. */
    static final int MAX_TOKENS = 16;
    private static final long POLL_MILLIS = 20;

    /** Checks {@code config}'s endpoint, waiting at most {@code limit} for the answer. */
    public static EndpointCheck run(RunConfig config, Duration limit) {
        String key = ApiKey.fromEnvironment(config.target().apiKeyEnv());
        ClientConfig base = config.target().clientConfig(config.target().endpoint(), key);
        ClientConfig client = ClientConfig.builder(base.baseUrl()).model(base.model()).apiKey(key).maxTokensField(base.maxTokensField())
                .timeouts(base.timeouts().atMost(limit)).build();
        CallResult r;
        try (ModelClient c = ModelClient.of(config.target().api(), client, new Recorder(3))) {
            long sent = System.nanoTime();
            CompletableFuture<CallResult> call = c.send(new ChatRequest(List.of(Message.user("Reply with the one word: ready.")), MAX_TOKENS), sent);
            r = firstToken(c, call, sent, limit);
        }
        return judge(config, r);
    }

    /**
     * The call's result, or, once its first token has come, how far it got: the endpoint answers,
     * and a reply that then stalls or runs on is the soak's to measure, not the check's to wait for.
     */
    private static CallResult firstToken(ModelClient c, CompletableFuture<CallResult> call, long sent, Duration limit) {
        long deadline = sent + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return call.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                CallResult sofar = c.inFlight(call, sent, System.nanoTime());
                if (sofar.firstTokenNanos() >= 0) {
                    call.cancel(false); // closes the stream
                    return new CallResult(sofar.intendedNanos(), sofar.lagNanos(), sofar.connectNanos(), sofar.headersNanos(), sofar.firstTokenNanos(),
                            sofar.e2eNanos(), sofar.status(), ErrorClass.OK, null, sofar.usage(), "", sofar.contentChunks(), 0, 0, null, null,
                            List.of(), -1, null, sofar.firstToolNanos(), "", MAX_TOKENS, -1, java.util.Set.of());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                break;
            }
        }
        // the client's own timeouts end it; a client never fails its future, but a check must not throw if one did
        return call.handle((r, t) -> t == null ? r : CallResult.failure(sent, -1, System.nanoTime() - sent, ErrorClass.CLIENT_ERROR, String.valueOf(t)))
                .join();
    }

    static EndpointCheck judge(RunConfig config, CallResult r) {
        String where = config.target().endpoint().toString();
        String detail = r.errorDetail() == null ? "" : r.errorDetail();
        String skip = " (or skip this check with --no-endpoint-check)";
        if (r.ok() || r.error() == ErrorClass.EMPTY_REPLY) {
            return new EndpointCheck(false, String.format(Locale.ROOT, "endpoint check: %s answered for model %s (HTTP %d, first token after %s)",
                    where, config.target().model(), r.status(), r.firstTokenNanos() < 0 ? "none" : millis(r.firstTokenNanos()) + " ms"), r);
        }
        int status = r.status();
        if (r.error() == ErrorClass.CONNECT_ERROR || r.error() == ErrorClass.TIMEOUT_CONNECT) {
            return new EndpointCheck(true, "cannot reach " + where + ": " + detail + "; check --endpoint" + skip, r);
        }
        if (status == 401 || status == 403) {
            String key = config.target().apiKeyEnv() == null ? "no API key (give --api-key-env NAME)" : "the API key in $" + config.target().apiKeyEnv();
            return new EndpointCheck(true, where + " refused " + key + ": " + detail + skip, r);
        }
        if (r.error() == ErrorClass.STREAM_MALFORMED && status == 200 && detail.startsWith("expected text/event-stream")) {
            return new EndpointCheck(true, where + " answered, but not with a model's stream (" + detail + "): --endpoint is the API root,"
                    + " e.g. https://api.openai.com/v1 or http://host:8000/v1" + skip, r);
        }
        if (status == 404 || status == 405) {
            return new EndpointCheck(true, where + " has no such API or model: " + detail
                    + "; --endpoint is the API root (the part before /chat/completions or /messages), and --model the model's name" + skip, r);
        }
        if ((status == 400 || status == 422) && detail.toLowerCase(Locale.ROOT).contains("model")) {
            return new EndpointCheck(true, where + " refused model '" + config.target().model() + "': " + detail + skip, r);
        }
        return new EndpointCheck(false, "endpoint check: " + r.error().wireName() + (detail.isEmpty() ? "" : " (" + detail + ")")
                + "; the endpoint answers, and the soak will measure how", r);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
