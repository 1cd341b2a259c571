package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;

/**
 * One streamed model call, whatever the protocol: reads the event stream as bytes arrive, times
 * every content chunk, enforces soaklab's timeouts and turns whatever happens into one
 * {@link CallResult}. A subclass only reads its protocol's events ({@link #event}) and whole
 * replies ({@link #wholeReply}), reporting what it finds through the protected methods.
 *
 * <p>All parsing runs on the connection's event loop. Timeouts fire on the timer thread and are
 * decided again on the event loop, so the state below is only ever mutated by one thread; the two
 * fields the timer reads are volatile.
 */
abstract class StreamCall implements AsyncHandler<Void>, SseParser.Listener, TimerTask {

    private static final int MAX_EVENT_BYTES = 16 << 20;
    private static final int MAX_BODY_BYTES = 16 << 20;
    private static final int MAX_ERROR_BODY_BYTES = 8 << 10;
    private static final int MAX_DETAIL_CHARS = 300;

    private final StreamingClient client;
    private final long intended;
    private final long sent;
    private final long firstTokenTimeout;
    private final long idleTimeout;
    private final long totalTimeout;
    private final CompletableFuture<CallResult> result = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final SseParser parser = new SseParser(this, MAX_EVENT_BYTES);
    private final StringBuilder content = new StringBuilder();

    private volatile ListenableFuture<Void> httpFuture;
    private volatile Channel channel;
    private volatile Timeout deadline;
    // Times below are nanoseconds after `sent`; -1 until reached. The timer reads the volatile two.
    private volatile long firstTokenAt = -1;
    private volatile long firstToolAt = -1;
    private volatile long lastTokenAt = -1;
    private long headersAt = -1;
    /** Finished by the protocol's terminator: the rest is read to the end so the connection is reused. */
    private boolean finishedByTerminator;
    private long connectStart = -1;
    private long connectNanos = -1;
    private long arrival;
    private int status;
    private String requestId;
    private boolean eventStream;
    private ByteArrayOutputStream body;
    private int chunks;
    private long itlSum;
    private long itlMax;
    private String finishReason;
    private boolean usageSeen;
    private long promptTokens;
    private long completionTokens;
    private long cachedTokens;
    private long reasoningTokens;
    private long cacheWriteTokens;
    private long cacheWrite1hTokens;
    private ErrorClass failure;
    private String failureDetail;
    private long retryAfterNanos = -1;
    private Boolean shouldRetry;
    /** Tool calls being assembled, by the index the protocol gives them. */
    private final java.util.TreeMap<Integer, String[]> toolCalls = new java.util.TreeMap<>();
    private final java.util.Map<Integer, StringBuilder> toolArguments = new java.util.HashMap<>();
    private byte[] wholeBody;

    StreamCall(StreamingClient client, long intended, long sent) {
        this.client = client;
        this.intended = intended;
        this.sent = sent;
        ClientConfig config = client.config();
        this.firstTokenTimeout = nanosOrInfinite(config.firstTokenTimeout().toNanos());
        this.idleTimeout = nanosOrInfinite(config.idleTimeout().toNanos());
        this.totalTimeout = nanosOrInfinite(config.totalTimeout().toNanos());
        // A caller that gives up on the future (a watchdog) must not leave the stream running.
        result.whenComplete((r, t) -> {
            if (t instanceof CancellationException) {
                abort(ErrorClass.CLIENT_ERROR, "the caller gave up on the call", new CancellationException("cancelled"));
            }
        });
    }

    // ---- what a protocol implements ----------------------------------------------------------

    /** Reads one event of the stream. Throw, or call {@link #malformed}, when it is not the protocol. */
    protected abstract void event(SseParser.Event event) throws IOException;

    /** Reads a whole JSON reply (a server that ignored {@code stream: true}), at its first token. */
    protected abstract void wholeReply(JsonParser p) throws IOException;

    // ---- what a protocol reports -------------------------------------------------------------

    /** A chunk carrying generated content (text, reasoning, a tool-call fragment) arrived. */
    protected final void token() {
        long at = arrival - sent;
        if (firstTokenAt < 0) {
            firstTokenAt = at;
        } else {
            long gap = at - lastTokenAt;
            itlSum += gap;
            if (gap > itlMax) {
                itlMax = gap;
            }
            client.itlMicros().recordValue(gap / 1000);
        }
        lastTokenAt = at;
        chunks++;
    }

    /** Appends the current string value of {@code p} to the reply text, without allocating. */
    protected final void appendText(JsonParser p) throws IOException {
        content.append(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    protected final void finishReason(String reason) {
        finishReason = reason;
    }

    /** A tool call begins: its position in the reply, its id and name (either may come later, or never). */
    protected final void toolCall(int index, String id, String name) {
        if (firstToolAt < 0) {
            firstToolAt = arrival - sent;
        }
        String[] call = toolCalls.computeIfAbsent(index, i -> new String[2]);
        if (id != null) {
            call[0] = id;
        }
        if (name != null) {
            call[1] = name;
        }
    }

    /** A fragment of a tool call's arguments: the current string value of {@code p}. */
    protected final void toolArguments(int index, JsonParser p) throws IOException {
        toolCall(index, null, null);
        toolArguments.computeIfAbsent(index, i -> new StringBuilder()).append(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    /** A tool call's whole arguments, in JSON text. */
    protected final void toolArguments(int index, String json) {
        toolCall(index, null, null);
        toolArguments.computeIfAbsent(index, i -> new StringBuilder()).append(json);
    }

    /** The bytes of a whole (non-streamed) reply, for a protocol that needs a raw part of it. */
    protected final byte[] wholeBody() {
        return wholeBody;
    }

    /** Sets usage figures (OpenAI accounting: prompt includes cached and cache-written tokens). */
    protected final void usage(long prompt, long completion, long cached, long reasoning, long cacheWrite, long cacheWrite1h) {
        usageSeen = true;
        promptTokens = prompt;
        completionTokens = completion;
        cachedTokens = cached;
        reasoningTokens = reasoning;
        cacheWriteTokens = cacheWrite;
        cacheWrite1hTokens = cacheWrite1h;
    }

    /** Updates the output count of usage already reported (Anthropic reports it cumulatively). */
    protected final void outputTokens(long completion) {
        usageSeen = true;
        completionTokens = completion;
    }

    /** The server reported an error inside the stream. */
    protected final void streamError(String detail) {
        if (failure == null) {
            failure = ErrorClass.STREAM_ERROR;
            failureDetail = truncate(detail);
        }
    }

    /** The stream is not the protocol. */
    protected final void malformed(String detail) {
        if (failure == null) {
            failure = ErrorClass.STREAM_MALFORMED;
            failureDetail = truncate(detail);
        }
    }

    /**
     * The protocol's terminator ({@code [DONE]}, {@code message_stop}): the call is complete now,
     * whether or not the server ever closes the response. The rest is still read so the connection
     * goes back to the pool; a server that never ends it has its connection closed shortly after.
     */
    protected final void done() {
        finishedByTerminator = true;
        finish(ErrorClass.OK, null, arrival);
        client.timer().newTimeout(t -> {
            ListenableFuture<Void> f = httpFuture;
            Channel c = channel;
            if (f != null && !f.isDone() && c != null) {
                c.close();
            }
        }, 2, TimeUnit.SECONDS);
    }

    /** The message of a JSON {@code {"error": {...}}} object at the parser (shapes of both APIs). */
    protected static String errorObject(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            String text = value == JsonToken.VALUE_STRING ? p.getText() : String.valueOf(value);
            p.skipChildren();
            return text;
        }
        String message = null;
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals("message") && v == JsonToken.VALUE_STRING) {
                message = p.getText();
            } else if (field.equals("type") && v == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return (type == null ? "" : type + ": ") + message;
    }

    protected static long longOr(JsonParser p, JsonToken value, long otherwise) throws IOException {
        return value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : otherwise;
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    CompletableFuture<CallResult> result() {
        return result;
    }

    /** A failure before anything was sent, e.g. a body that cannot be encoded. */
    static CallResult clientFailure(long intended, String detail) {
        long now = System.nanoTime() - intended;
        return CallResult.failure(intended, now, now, ErrorClass.CLIENT_ERROR, truncate(detail));
    }

    void started(ListenableFuture<Void> future) {
        this.httpFuture = future;
        // Before the first token the timer also wakes every idle period, so that once tokens flow
        // the idle deadline is tracked without touching the timer on every token.
        rearm(0);
    }

    void failBeforeSend(RuntimeException e) {
        finish(ErrorClass.CLIENT_ERROR, "cannot send request: " + e.getMessage(), System.nanoTime());
    }

    /** Ends a call still in flight when its client closes. */
    void clientClosed() {
        abort(ErrorClass.CLIENT_ERROR, "the client was closed while the call was in flight", new CancellationException("client closed"));
    }

    // ---- AsyncHandler: called on the I/O thread -------------------------------------------------

    @Override
    public void onTcpConnectAttempt(InetSocketAddress remoteAddress) {
        connectStart = System.nanoTime();
    }

    @Override
    public void onTcpConnectSuccess(InetSocketAddress remoteAddress, Channel connection) {
        if (connectStart >= 0) {
            connectNanos = System.nanoTime() - connectStart;
        }
        channel = connection;
    }

    @Override
    public void onConnectionPooled(Channel connection) {
        channel = connection;
    }

    @Override
    public State onStatusReceived(HttpResponseStatus responseStatus) {
        status = responseStatus.getStatusCode();
        return State.CONTINUE;
    }

    @Override
    public State onHeadersReceived(HttpHeaders headers) {
        headersAt = System.nanoTime() - sent;
        retryHints(headers);
        requestId = headers.get("x-request-id");
        if (requestId == null) {
            requestId = headers.get("request-id"); // Anthropic's name
        }
        if (status != 200) {
            body = new ByteArrayOutputStream(256);
            return State.CONTINUE;
        }
        String type = headers.get("Content-Type");
        String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (lower.startsWith("text/event-stream")) {
            eventStream = true;
        } else if (lower.startsWith("application/json")) {
            body = new ByteArrayOutputStream(1024); // the server ignored stream:true; read the whole reply
        } else {
            return fail(ErrorClass.STREAM_MALFORMED, "expected text/event-stream, got '" + type + "'");
        }
        return State.CONTINUE;
    }

    /** {@code retry-after-ms}, else {@code retry-after} (seconds or an HTTP date); {@code x-should-retry}. */
    private void retryHints(HttpHeaders headers) {
        String ms = headers.get("retry-after-ms");
        String after = headers.get("retry-after");
        try {
            if (ms != null) {
                retryAfterNanos = (long) (Double.parseDouble(ms.strip()) * 1_000_000);
            } else if (after != null) {
                String a = after.strip();
                retryAfterNanos = a.chars().allMatch(Character::isDigit) || a.matches("\\d+\\.\\d*")
                        ? (long) (Double.parseDouble(a) * 1e9)
                        : Math.max(0, java.time.Duration.between(java.time.Instant.now(),
                                java.time.ZonedDateTime.parse(a, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).toNanos());
            }
        } catch (RuntimeException unreadable) {
            retryAfterNanos = -1; // a hint we cannot read is no hint
        }
        String should = headers.get("x-should-retry");
        if (should != null) {
            shouldRetry = Boolean.valueOf(should.strip().equalsIgnoreCase("true"));
        }
    }

    @Override
    public State onBodyPartReceived(HttpResponseBodyPart part) {
        if (finished.get()) {
            return finishedByTerminator ? State.CONTINUE : State.ABORT;
        }
        arrival = System.nanoTime();
        if (eventStream) {
            try {
                parser.feed(part.getBodyByteBuffer());
            } catch (SseParser.OversizeException e) {
                return fail(ErrorClass.STREAM_MALFORMED, e.getMessage());
            }
            // An error in the stream ends the call now, as the SDKs do; the server may never close.
            return failure != null ? State.ABORT : State.CONTINUE;
        }
        int limit = status == 200 ? MAX_BODY_BYTES : MAX_ERROR_BODY_BYTES;
        int room = limit - body.size();
        int length = part.length();
        if (room > 0) {
            byte[] bytes = part.getBodyPartBytes();
            body.write(bytes, 0, Math.min(room, length));
        }
        if (status == 200 && length > room) {
            return fail(ErrorClass.STREAM_MALFORMED, "reply larger than " + MAX_BODY_BYTES + " bytes");
        }
        return State.CONTINUE;
    }

    @Override
    public Void onCompleted() {
        long end = System.nanoTime();
        if (failure != null) {
            finish(failure, failureDetail, end);
        } else if (status != 200) {
            finish(ErrorClass.ofStatus(status), "HTTP " + status + errorMessage(body), end);
        } else if (!eventStream) {
            readWholeReply(end);
        } else {
            boolean dropped = parser.finish();
            if (finishReason != null) {
                finish(ErrorClass.OK, null, end); // ended without its terminator: some servers omit it
            } else {
                finish(ErrorClass.STREAM_TRUNCATED, dropped ? "stream ended inside an event" : "stream ended without its terminator", end);
            }
        }
        return null;
    }

    @Override
    public void onThrowable(Throwable t) {
        long end = System.nanoTime();
        if (failure != null) {
            finish(failure, failureDetail, end); // we aborted the stream ourselves
            return;
        }
        finish(classify(t), describe(t), end);
    }

    @Override
    public final void onEvent(SseParser.Event e) {
        if (failure != null || finished.get()) {
            return;
        }
        try {
            event(e);
        } catch (JsonProcessingException bad) {
            malformed("bad JSON in event: " + bad.getOriginalMessage());
        } catch (IOException bad) {
            malformed("bad event: " + bad.getMessage());
        }
    }

    // ---- timeouts: decided on the timer thread, confirmed on the I/O thread ----------------------

    @Override
    public void run(Timeout timeout) {
        if (finished.get()) {
            return;
        }
        long now = System.nanoTime() - sent;
        ErrorClass kind = expired(now);
        if (kind == null) {
            rearm(now);
            return;
        }
        Channel c = channel;
        if (c == null || c.eventLoop().isShuttingDown()) {
            String detail = describeTimeout(kind, now);
            abort(kind, detail, new CallTimeoutException(kind, detail));
            return;
        }
        // Decide again on the connection's thread: a token may be queued there, parsed before this.
        c.eventLoop().execute(() -> {
            if (finished.get()) {
                return;
            }
            long later = System.nanoTime() - sent;
            ErrorClass still = expired(later);
            if (still == null) {
                rearm(later);
            } else {
                String detail = describeTimeout(still, later);
                abort(still, detail, new CallTimeoutException(still, detail));
            }
        });
    }

    /** The timeout that has passed at {@code now} (nanoseconds after sending), or null. */
    private ErrorClass expired(long now) {
        if (now >= totalTimeout) {
            return ErrorClass.TIMEOUT_TOTAL;
        }
        if (firstTokenAt < 0) {
            return now >= firstTokenTimeout ? ErrorClass.TIMEOUT_FIRST_TOKEN : null;
        }
        return now >= saturatedAdd(lastTokenAt, idleTimeout) ? ErrorClass.TIMEOUT_IDLE : null;
    }

    /** Arms the timer for the nearest deadline; before the first token also every idle period. */
    private void rearm(long now) {
        long next = firstTokenAt < 0
                ? Math.min(Math.min(firstTokenTimeout, totalTimeout), saturatedAdd(now, idleTimeout))
                : Math.min(saturatedAdd(lastTokenAt, idleTimeout), totalTimeout);
        if (next != Long.MAX_VALUE && !finished.get()) {
            deadline = client.timer().newTimeout(this, Math.max(1, next - now), TimeUnit.NANOSECONDS);
        }
    }

    private String describeTimeout(ErrorClass kind, long now) {
        return switch (kind) {
            case TIMEOUT_FIRST_TOKEN -> "no content token within " + millis(firstTokenTimeout) + " ms of sending";
            case TIMEOUT_IDLE -> "no content token for " + millis(now - lastTokenAt) + " ms (idle timeout " + millis(idleTimeout) + " ms)";
            default -> "call exceeded the total timeout of " + millis(totalTimeout) + " ms";
        };
    }

    private void abort(ErrorClass kind, String detail, Exception cause) {
        Channel c = channel;
        Runnable abort = () -> {
            if (finished.get()) {
                return;
            }
            if (failure == null) { // a failure already seen (an error event) is the truer cause
                failure = kind; // set first: closing the channel makes the HTTP layer report a reset
                failureDetail = detail;
            }
            ListenableFuture<Void> f = httpFuture;
            if (f != null) {
                f.abort(cause);
            }
            if (c != null) {
                c.close(); // the server may still be streaming: this connection must not be reused
            }
            onThrowable(cause); // in case the HTTP layer had already let go of this call
        };
        if (c != null && !c.eventLoop().isShuttingDown()) {
            c.eventLoop().execute(abort); // serialise with the parsing on the connection's thread
        } else {
            abort.run();
        }
    }

    // ---- completion --------------------------------------------------------------------------

    private State fail(ErrorClass kind, String detail) {
        failure = kind;
        failureDetail = truncate(detail);
        return State.ABORT;
    }

    private void readWholeReply(long end) {
        arrival = end;
        wholeBody = body.toByteArray();
        try (JsonParser p = StreamingClient.JSON.createParser(wholeBody)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                finish(ErrorClass.STREAM_MALFORMED, "reply is not a JSON object", end);
                return;
            }
            wholeReply(p);
        } catch (IOException e) {
            finish(ErrorClass.STREAM_MALFORMED, "bad JSON in reply: " + e.getMessage(), end);
            return;
        }
        finish(failure == null ? ErrorClass.OK : failure, failureDetail, end);
    }

    private void finish(ErrorClass error, String detail, long end) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        client.done(this);
        Timeout t = deadline;
        if (t != null) {
            t.cancel();
        }
        long lag = sent - intended;
        Usage usage = usageSeen
                ? new Usage(promptTokens, completionTokens, cachedTokens, reasoningTokens, cacheWriteTokens, cacheWrite1hTokens, Usage.Source.SERVER)
                : Usage.NONE;
        long first = firstTokenAt;
        result.complete(new CallResult(
                intended,
                lag,
                connectNanos,
                headersAt < 0 ? -1 : lag + headersAt,
                first < 0 ? -1 : lag + first,
                end - intended,
                status,
                error,
                error == ErrorClass.OK ? null : truncate(detail),
                usage,
                content.toString(),
                chunks,
                itlSum,
                itlMax,
                finishReason,
                requestId,
                calls(),
                retryAfterNanos,
                shouldRetry,
                firstToolAt < 0 ? -1 : lag + firstToolAt));
    }

    private java.util.List<ToolCall> calls() {
        if (toolCalls.isEmpty()) {
            return java.util.List.of();
        }
        java.util.List<ToolCall> out = new java.util.ArrayList<>(toolCalls.size());
        toolCalls.forEach((index, call) -> {
            StringBuilder args = toolArguments.get(index);
            out.add(new ToolCall(call[0] == null ? "call_" + index : call[0], call[1] == null ? "" : call[1],
                    args == null ? "" : args.toString()));
        });
        return out;
    }

    private static ErrorClass classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CallTimeoutException timeout) {
                return timeout.kind();
            }
            if (c instanceof ConnectTimeoutException) {
                return ErrorClass.TIMEOUT_CONNECT;
            }
            if (c instanceof TimeoutException) {
                // async-http-client's own backstops: "Request timeout ..." or "Read timeout ..."
                String m = String.valueOf(c.getMessage());
                return m.startsWith("Read") ? ErrorClass.TIMEOUT_IDLE : ErrorClass.TIMEOUT_TOTAL;
            }
            if (c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof UnresolvedAddressException || c instanceof SSLException) {
                String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
                return m.contains("timed out") ? ErrorClass.TIMEOUT_CONNECT : ErrorClass.CONNECT_ERROR;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return ErrorClass.STREAM_RESET;
            }
        }
        return ErrorClass.CLIENT_ERROR;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The {@code error.message} of an OpenAI- or Anthropic-style error body, else the body's start. */
    private static String errorMessage(ByteArrayOutputStream body) {
        if (body == null || body.size() == 0) {
            return "";
        }
        byte[] bytes = body.toByteArray();
        try (JsonParser p = StreamingClient.JSON.createParser(bytes)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if (field.equals("error") && v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken fv = p.nextToken();
                            if (f.equals("message") && fv == JsonToken.VALUE_STRING) {
                                return ": " + p.getText();
                            }
                            p.skipChildren();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            // not JSON: fall through to the raw text
        }
        return ": " + new String(bytes, StandardCharsets.UTF_8).strip();
    }

    static String truncate(String s) {
        if (s == null) {
            return null;
        }
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "...";
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long nanosOrInfinite(long nanos) {
        return nanos <= 0 ? Long.MAX_VALUE : nanos;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
