package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ValueRecorder;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.RequestBuilder;

/**
 * What every streaming model client shares: async-http-client set up deliberately, one timer for
 * every deadline, and the calls in flight. A protocol adds its path, headers, body and event reader.
 */
abstract class StreamingClient implements ModelClient {

    static final JsonFactory JSON = new JsonFactory();

    private final ClientConfig config;
    private final ValueRecorder itlMicros;
    private final HashedWheelTimer timer;
    private final AsyncHttpClient http;
    private final String url;
    private final Set<StreamCall> inFlight = ConcurrentHashMap.newKeySet();
    private final Redactor redactor;
    private final Deadlines deadlines;
    /** The protocol's own headers (authentication, version), sent with every request. */
    private final Map<String, String> headers;
    private final CallFactory calls;
    private volatile boolean closed;
    /** Calls whose reply has begun streaming and not ended. */
    private final java.util.concurrent.atomic.AtomicInteger streaming = new java.util.concurrent.atomic.AtomicInteger();
    /** When the endpoint last sent a byte of any call (to 0.1 ms: written only when it moved on further). */
    private volatile long lastByteNanos = System.nanoTime();
    private static final long HEARD_RESOLUTION_NANOS = 100_000;

    /** Makes the protocol's reader of one call, its reply held to {@code maxTokens}. */
    @FunctionalInterface
    interface CallFactory {
        StreamCall newCall(StreamingClient client, long intended, long sent, int maxTokens);
    }

    /**
     * @param path    the protocol's endpoint under the API root, e.g. {@code /chat/completions}
     * @param headers the protocol's own headers (authentication, version)
     * @param calls   the protocol's reader of a call
     */
    StreamingClient(ClientConfig config, ValueRecorder itlMicros, String path, Map<String, String> headers, CallFactory calls) {
        this.config = config;
        this.headers = Map.copyOf(headers);
        this.calls = calls;
        this.itlMicros = itlMicros;
        this.redactor = Redactor.of(config.apiKey());
        this.deadlines = new Deadlines(config.timeouts());
        // One 10 ms wheel serves AHC's own timeouts and soaklab's first-token/idle/total deadlines.
        this.timer = new HashedWheelTimer(daemon("soaklab-timer"), 10, TimeUnit.MILLISECONDS);
        this.timer.start();
        Duration total = config.timeouts().call();
        DefaultAsyncHttpClientConfig.Builder ahc = new DefaultAsyncHttpClientConfig.Builder()
                // AHC replays a request up to 5 times when a pooled connection turns out dead. For a
                // POST to a paid model API that is a silent second bill; retries are the workload's
                // decision, made visibly and counted.
                .setMaxRequestRetry(0)
                // AHC cuts any request at 60 s by default, which would end long generations. soaklab
                // enforces its own total timeout; AHC's stays as a backstop a little later.
                .setRequestTimeout(total.isZero() ? Duration.ofMillis(-1) : total.plusSeconds(5))
                // AHC's 60 s read timeout would fire during a long prefill. soaklab's first-token and
                // idle timeouts measure what matters (content, not keep-alive bytes) and replace it.
                .setReadTimeout(Duration.ofMillis(-1))
                .setConnectTimeout(config.timeouts().connect())
                .setFollowRedirect(false)
                .setKeepAlive(true)
                // Servers drop idle keep-alive connections after a minute or two; retiring ours first
                // avoids sending a request into a connection the server is closing.
                .setPooledConnectionIdleTimeout(Duration.ofSeconds(30))
                // A compressed event stream is buffered by the compressor: token timings would lie.
                .setCompressionEnforced(false)
                .setEnableAutomaticDecompression(false)
                .setNettyTimer(timer)
                .setThreadPoolName("soaklab-io")
                .setThreadFactory(daemon("soaklab-io"))
                .setUserAgent("soaklab");
        this.http = new DefaultAsyncHttpClient(ahc.build());
        String base = config.baseUrl().toString();
        this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    /** The request body for {@code request}. */
    abstract byte[] encode(ChatRequest request) throws IOException;

    /** One tool the request offers, as an object in the protocol's shape ({@link #toolFields} inside it). */
    abstract void writeTool(JsonGenerator g, ToolSpec tool) throws IOException;

    /** The request's {@code tool_choice}, in the protocol's words. */
    abstract void writeToolChoice(JsonGenerator g, ChatRequest.ToolChoice choice) throws IOException;

    /** The request's {@code tools} and {@code tool_choice}; nothing when it offers no tool. */
    final void writeTools(JsonGenerator g, ChatRequest request) throws IOException {
        if (request.tools().isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("tools");
        for (ToolSpec tool : request.tools()) {
            writeTool(g, tool);
        }
        g.writeEndArray();
        writeToolChoice(g, request.toolChoice());
    }

    /** What every protocol says of a tool: its name, its description, and its JSON schema as {@code schemaField}. */
    static void toolFields(JsonGenerator g, ToolSpec tool, String schemaField) throws IOException {
        g.writeStringField("name", tool.name());
        g.writeStringField("description", tool.description());
        g.writeFieldName(schemaField);
        g.writeRawValue(tool.schema());
    }

    @Override
    public final byte[] body(ChatRequest request) throws IOException {
        return encode(request);
    }

    @Override
    public final CompletableFuture<CallResult> send(ChatRequest request, long intendedNanos) {
        byte[] body;
        try {
            body = encode(request);
        } catch (IOException | RuntimeException e) {
            long now = System.nanoTime() - intendedNanos;
            return CompletableFuture.completedFuture(
                    CallResult.failure(intendedNanos, now, now, ErrorClass.CLIENT_ERROR, OutcomeClassifier.truncate("cannot encode request: " + e)));
        }
        RequestBuilder builder = new RequestBuilder("POST")
                .setUrl(url)
                .setHeader("Content-Type", "application/json")
                .setHeader("Accept", "text/event-stream")
                .setBody(body);
        headers.forEach(builder::setHeader);
        StreamCall call = calls.newCall(this, intendedNanos, System.nanoTime(), request.maxTokens());
        inFlight.add(call);
        if (closed) {
            call.clientClosed();
            return call.result();
        }
        try {
            call.started(http.executeRequest(builder.build(), call));
        } catch (RuntimeException e) {
            call.failBeforeSend(e);
        }
        return call.result();
    }

    @Override
    public final CallResult inFlight(CompletableFuture<CallResult> call, long intendedNanos, long nowNanos) {
        return call instanceof StreamCall.Future f ? f.progress(nowNanos) : ModelClient.super.inFlight(call, intendedNanos, nowNanos);
    }

    @Override
    public final void close() {
        closed = true;
        // async-http-client drops calls in flight silently when it closes: end them first, counted.
        for (StreamCall call : inFlight) {
            call.clientClosed();
        }
        try {
            http.close();
        } catch (IOException e) {
            // closing is best effort: connections die with the event loops anyway
        } finally {
            timer.stop();
        }
    }

    void done(StreamCall call) {
        inFlight.remove(call);
    }

    /** A call received bytes at {@code now}: read by {@link #lastByteNanos()}; a write at most every 0.1 ms, whatever the token rate. */
    void heard(long now) {
        if (now - lastByteNanos > HEARD_RESOLUTION_NANOS) {
            lastByteNanos = now;
        }
    }

    /** A call's reply began streaming (+1) or a streaming call ended (-1). */
    void streaming(int change) {
        streaming.addAndGet(change);
    }

    @Override
    public final int streamingCalls() {
        return streaming.get();
    }

    @Override
    public final long lastByteNanos() {
        return lastByteNanos;
    }

    @Override
    public String model() {
        return config.model();
    }

    ClientConfig config() {
        return config;
    }

    ValueRecorder itlMicros() {
        return itlMicros;
    }

    Timer timer() {
        return timer;
    }

    /** soaklab's own deadlines of every call of this client. */
    Deadlines deadlines() {
        return deadlines;
    }

    /** Takes the API key out of whatever the server sent back. */
    Redactor redactor() {
        return redactor;
    }

    /** A generator writing into a buffer sized for {@code request}. */
    static JsonGenerator generator(ByteArrayBuilder out) throws IOException {
        return JSON.createGenerator(out, JsonEncoding.UTF8);
    }

    static ByteArrayBuilder buffer(ChatRequest request) {
        long chars = 128;
        for (Message m : request.messages()) {
            chars += m.content().length() + 32;
        }
        return new ByteArrayBuilder((int) Math.min(Integer.MAX_VALUE - 64, chars + chars / 8));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
