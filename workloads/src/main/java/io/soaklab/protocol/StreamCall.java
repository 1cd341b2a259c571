package io.soaklab.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;

/**
 * One streamed model call, whatever the protocol: reads the event stream as bytes arrive, times
 * every content chunk, holds the reply to its {@link ReplyBounds}, enforces soaklab's timeouts and
 * turns whatever happens into one {@link CallResult}, classified by {@link Outcomes}. A subclass
 * only reads its protocol's events ({@link #event}) and whole replies ({@link #wholeReply}),
 * reporting what it finds through the protected methods.
 *
 * <p>All parsing runs on the connection's event loop. Timeouts fire on the timer thread and are
 * decided again on the event loop, so the state below is only ever mutated by one thread; the
 * fields read from other threads (the timer, {@link #progress}) are volatile.
 */
abstract class StreamCall implements AsyncHandler<Void>, SseParser.Listener, TimerTask {

    private static final int MAX_EVENT_BYTES = 16 << 20;
    private static final int MAX_BODY_BYTES = 16 << 20;
    private static final int MAX_ERROR_BODY_BYTES = 8 << 10;
    private static final int MAX_DETAIL_CHARS = 300;

    /** The future of a call, which can say how far the call has got while it is still open. */
    static final class Future extends CompletableFuture<CallResult> {
        private final StreamCall call;

        private Future(StreamCall call) {
            this.call = call;
        }

        /** The call so far, {@code nowNanos} being the end of the run. */
        CallResult progress(long nowNanos) {
            return call.progress(nowNanos);
        }
    }

    private final StreamingClient client;
    private final long intended;
    private final long sent;
    private final long firstTokenTimeout;
    private final long idleTimeout;
    private final long totalTimeout;
    private final ReplyBounds bounds;
    private final Future result = new Future(this);
    private final AtomicBoolean finished = new AtomicBoolean();
    private final SseParser parser = new SseParser(this, MAX_EVENT_BYTES);
    private final ReplyParts reply;

    private volatile ListenableFuture<Void> httpFuture;
    private volatile Channel channel;
    private volatile Timeout deadline;
    // Times below are nanoseconds after `sent`; -1 until reached. Other threads read the volatile ones.
    private volatile long firstTokenAt = -1;
    private volatile long firstToolAt = -1;
    private volatile long lastTokenAt = -1;
    private volatile long headersAt = -1;
    private volatile int status;
    /** Written before {@link #lastTokenAt} on every token: a reader of that volatile sees it at least as new. */
    private int chunks;
    /** Finished by the protocol's terminator: the rest is read to the end so the connection is reused. */
    private boolean finishedByTerminator;
    private long connectStart = -1;
    private long connectNanos = -1;
    private long arrival;
    private long bodyBytes;
    private String requestId;
    private boolean eventStream;
    private ByteArrayOutputStream body;
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
    private final EnumSet<CallFlag> flags = EnumSet.noneOf(CallFlag.class);
    private ErrorClass failure;
    private String failureDetail;
    private long retryAfterNanos = -1;
    private Boolean shouldRetry;
    private byte[] wholeBody;

    StreamCall(StreamingClient client, long intended, long sent, int maxTokens) {
        this.client = client;
        this.intended = intended;
        this.sent = sent;
        this.bounds = ReplyBounds.of(maxTokens);
        this.reply = new ReplyParts(bounds.maxChars());
        ClientConfig config = client.config();
        this.firstTokenTimeout = nanosOrInfinite(config.timeouts().firstToken().toNanos());
        this.idleTimeout = nanosOrInfinite(config.timeouts().idle().toNanos());
        this.totalTimeout = nanosOrInfinite(config.timeouts().call().toNanos());
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
        chunks++;
        lastTokenAt = at;
        if (chunks > bounds.maxChunks()) {
            runaway(chunks + " content chunks against a cap of " + bounds.cap() + " tokens");
        }
    }

    /** Appends the current string value of {@code p} to the reply text, without allocating. */
    protected final void appendText(JsonParser p) throws IOException {
        reply.text(p);
        checkChars();
    }

    /** Appends the current string value of {@code p} to the reasoning text. */
    protected final void appendReasoning(JsonParser p) throws IOException {
        reply.reasoning(p);
        checkChars();
    }

    protected final void finishReason(String reason) {
        finishReason = reason;
    }

    /** A tool call begins: its position in the reply, its id and name (either may come later, or never). */
    protected final void toolCall(int index, String id, String name) {
        if (firstToolAt < 0) {
            firstToolAt = arrival - sent;
        }
        reply.toolCall(index, id, name);
    }

    /** A fragment of a tool call's arguments: the current string value of {@code p}. */
    protected final void toolArguments(int index, JsonParser p) throws IOException {
        toolCall(index, null, null);
        reply.toolArguments(index, p);
        checkChars();
    }

    /** A tool call's whole arguments, in JSON text. */
    protected final void toolArguments(int index, String json) {
        toolCall(index, null, null);
        reply.toolArguments(index, json);
        checkChars();
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

    /** Raises {@code flag} for this call. */
    protected final void flag(CallFlag flag) {
        flags.add(flag);
    }

    /** The server reported an error inside the stream: a stream error, or a context-length refusal by its wording. */
    protected final void streamError(String detail) {
        if (failure == null) {
            failure = Outcomes.ofStreamError(detail);
            failureDetail = detail;
        }
    }

    /** The stream is not the protocol. */
    protected final void malformed(String detail) {
        if (failure == null) {
            failure = ErrorClass.STREAM_MALFORMED;
            failureDetail = detail;
        }
    }

    /**
     * The protocol's terminator ({@code [DONE]}, {@code message_stop}): the call is complete now,
     * whether or not the server ever closes the response. The rest is still read so the connection
     * goes back to the pool; a server that never ends it has its connection closed shortly after.
     */
    protected final void done() {
        finishedByTerminator = true;
        if (failure != null) {
            finish(failure, failureDetail, arrival);
        } else {
            ErrorClass end = Outcomes.ofEnd(true, chunks, finishReason);
            finish(end, Outcomes.describeEnd(end, false, finishReason), arrival);
        }
        client.timer().newTimeout(t -> {
            ListenableFuture<Void> f = httpFuture;
            Channel c = channel;
            if (f != null && !f.isDone() && c != null) {
                c.close();
            }
        }, 2, TimeUnit.SECONDS);
    }

    /** Reads one field of a JSON object; the parser stands on the field's value, {@code value}. */
    @FunctionalInterface
    protected interface FieldReader {
        void field(JsonParser p, String name, JsonToken value) throws IOException;
    }

    /**
     * Reads the object whose first token is {@code value} field by field, each handed to {@code reader}
     * (kept in a field by the caller: nothing is allocated per object); anything but an object is
     * skipped. The one loop every reader of a reply's objects goes through.
     *
     * @return false when the value was not an object
     */
    protected static boolean eachField(JsonParser p, JsonToken value, FieldReader reader) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            reader.field(p, name, p.nextToken());
        }
        return true;
    }

    /**
     * Reads an event's data as one JSON object, field by field; data that is not an object is
     * {@link #malformed} ("{@code what} is not a JSON object").
     *
     * @return false when it was not an object
     */
    protected final boolean eachField(SseParser.Event event, String what, FieldReader reader) throws IOException {
        try (JsonParser p = StreamingClient.JSON.createParser(event.data(), 0, event.dataLength())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                malformed(what + " is not a JSON object: " + event.dataAsString());
                return false;
            }
            return eachField(p, first, reader);
        }
    }

    protected static long longOr(JsonParser p, JsonToken value, long otherwise) throws IOException {
        return value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : otherwise;
    }

    /** The number field {@code name} of the object at the parser ({@code value} its first token), else {@code otherwise}. */
    protected static long numberIn(JsonParser p, JsonToken value, String name, long otherwise) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return otherwise;
        }
        long found = otherwise;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals(name)) {
                found = longOr(p, v, otherwise);
            } else {
                p.skipChildren();
            }
        }
        return found;
    }

    private void checkChars() {
        if (reply.full()) {
            runaway(reply.chars() + " characters of text, reasoning and tool calls against a cap of " + bounds.cap() + " tokens");
        }
    }

    private void runaway(String what) {
        if (failure == null) {
            failure = ErrorClass.RUNAWAY;
            failureDetail = "the reply ran past its bound (" + what + "): soaklab stopped reading it";
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    Future result() {
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

    /**
     * What the call has done by {@code now} while still open: an {@link ErrorClass#OPEN} result with
     * the time points it reached and its age as its latency. Read from another thread: a snapshot.
     */
    CallResult progress(long now) {
        long lag = sent - intended;
        long headers = headersAt;
        long last = lastTokenAt; // volatile, read before chunks: what was counted up to it is seen
        long first = last < 0 ? -1 : firstTokenAt; // a first token that arrived after this read is not in this snapshot
        int n = last < 0 ? 0 : chunks;
        String where = headers < 0 ? "no response yet"
                : first < 0 ? "HTTP " + status + " headers after " + millis(headers) + " ms, no token yet"
                : n + " content chunks, the last " + millis(now - sent - last) + " ms before the run ended";
        return new CallResult(intended, lag, connectNanos, headers < 0 ? -1 : lag + headers, first < 0 ? -1 : lag + first,
                now - intended, status, ErrorClass.OPEN, "still open when the run ended: " + where, Usage.NONE, "", n, 0, 0, null,
                null, java.util.List.of(), -1, null, firstToolAt < 0 ? -1 : lag + firstToolAt, "", bounds.cap(), -1, java.util.Set.of());
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
        int length = part.length();
        bodyBytes += length;
        if (eventStream) {
            try {
                parser.feed(part.getBodyByteBuffer());
            } catch (SseParser.OversizeException e) {
                return fail(ErrorClass.STREAM_MALFORMED, e.getMessage());
            }
            if (failure == null && bodyBytes > bounds.maxBytes()) {
                runaway(bodyBytes + " bytes of stream against a cap of " + bounds.cap() + " tokens");
            }
            // An error in the stream ends the call now, as the SDKs do; the server may never close.
            return failure != null ? State.ABORT : State.CONTINUE;
        }
        int limit = status != 200 ? MAX_ERROR_BODY_BYTES : (int) Math.min(MAX_BODY_BYTES, bounds.maxBytes());
        int room = limit - body.size();
        if (room > 0) {
            byte[] bytes = part.getBodyPartBytes();
            body.write(bytes, 0, Math.min(room, length));
        }
        if (status == 200 && length > room) {
            return fail(bounds.maxBytes() < MAX_BODY_BYTES ? ErrorClass.RUNAWAY : ErrorClass.STREAM_MALFORMED,
                    "reply larger than " + limit + " bytes");
        }
        return State.CONTINUE;
    }

    @Override
    public Void onCompleted() {
        long end = System.nanoTime();
        if (failure != null) {
            finish(failure, failureDetail, end);
        } else if (status != 200) {
            String described = describe(body);
            finish(Outcomes.ofHttpError(status, described), "HTTP " + status + (described.isEmpty() ? "" : ": " + described), end);
        } else if (!eventStream) {
            readWholeReply(end);
        } else {
            String lastError = parser.pendingError();
            if (lastError != null) { // an "error:" line the server closed on, without the blank line that ends an event
                byte[] error = lastError.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                streamError("error in stream: " + ServerErrors.describe(error, 0, error.length));
                finish(failure, failureDetail, end);
                return null;
            }
            boolean dropped = parser.finish();
            ErrorClass ended = Outcomes.ofEnd(false, chunks, finishReason);
            finish(ended, Outcomes.describeEnd(ended, dropped, finishReason), end); // without its terminator: some servers omit it
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
        finish(Outcomes.ofThrowable(t), describe(t), end);
    }

    @Override
    public final void onEvent(SseParser.Event e) {
        if (failure != null || finished.get()) {
            return;
        }
        if (e.hasErrorField()) {
            // llama.cpp's server: "error: {...}" instead of "data:", whatever the event holds besides
            byte[] error = e.errorField().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            streamError("error in stream: " + ServerErrors.describe(error, 0, error.length));
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
        failureDetail = detail;
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
        if (failure != null) {
            finish(failure, failureDetail, end);
            return;
        }
        ErrorClass ended = Outcomes.ofEnd(true, chunks, finishReason); // a whole reply is complete by definition
        finish(ended, Outcomes.describeEnd(ended, false, finishReason), end);
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
        if (error != ErrorClass.RUNAWAY && bounds.overCap(usageSeen ? completionTokens : chunks)) {
            flags.add(CallFlag.OVER_CAP);
        }
        long first = firstTokenAt;
        Redactor redactor = client.redactor();
        result.complete(new CallResult(
                intended,
                lag,
                connectNanos,
                headersAt < 0 ? -1 : lag + headersAt,
                first < 0 ? -1 : lag + first,
                end - intended,
                status,
                error,
                error == ErrorClass.OK ? null : truncate(redactor.redact(detail)),
                usage,
                reply.content(),
                chunks,
                itlSum,
                itlMax,
                redactor.redact(finishReason),
                redactor.redact(requestId),
                reply.calls(),
                retryAfterNanos,
                shouldRetry,
                firstToolAt < 0 ? -1 : lag + firstToolAt,
                usageSeen ? "" : reply.reasoning(), // kept only to count it when usage must be estimated
                bounds.cap(),
                -1,
                flags));
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The server's description of an HTTP error body ({@link ServerErrors}), empty when it sent none. */
    private static String describe(ByteArrayOutputStream body) {
        if (body == null || body.size() == 0) {
            return "";
        }
        byte[] bytes = body.toByteArray();
        return ServerErrors.describe(bytes, 0, bytes.length);
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
