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
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;

/**
 * One streamed model call's lifecycle, whatever the protocol, from sending to its one
 * {@link CallResult}: the HTTP layer's handler of the response (connection, status, headers, body
 * as it arrives, end or failure), the event stream fed through the {@link SseParser} to the
 * protocol's reader, soaklab's first-token, idle and total {@link Deadlines} on the client's timer,
 * and the call ended when the client closes or the caller gives up. What the reply delivered is
 * kept by its {@link ReplyAccumulator} ({@link #reply}); how the call ends is decided by its
 * {@link OutcomeClassifier} ({@link #outcome}). A subclass only reads its protocol's events
 * ({@link #event}) and whole replies ({@link #wholeReply}), reporting what it finds to those two.
 *
 * <p>All parsing runs on the connection's event loop. Timeouts fire on the timer thread and are
 * decided again on the event loop, so the state is only ever mutated by one thread; the fields
 * read from other threads (the timer, {@link #progress}) are volatile.
 */
abstract class StreamCall implements AsyncHandler<Void>, SseParser.Listener, TimerTask {

    private static final int MAX_EVENT_BYTES = 16 << 20;
    private static final int MAX_BODY_BYTES = 16 << 20;
    private static final int MAX_ERROR_BODY_BYTES = 8 << 10;

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

    /** How the call ends: a protocol's reader reports errors in the stream, and a stream that is not the protocol. */
    protected final OutcomeClassifier outcome = new OutcomeClassifier();
    /** What the reply delivered: a protocol's reader reports its tokens, text, tool calls, finish reason and usage. */
    protected final ReplyAccumulator reply;

    private final StreamingClient client;
    private final long intended;
    private final long sent;
    private final Deadlines deadlines;
    private final ReplyBounds bounds;
    private final Future result = new Future(this);
    private final AtomicBoolean finished = new AtomicBoolean();
    private final SseParser parser = new SseParser(this, MAX_EVENT_BYTES);

    private volatile ListenableFuture<Void> httpFuture;
    private volatile Channel channel;
    private volatile Timeout deadline;
    /** Nanoseconds after `sent` at which the status and headers arrived; -1 until then. */
    private volatile long headersAt = -1;
    private volatile int status;
    /** Finished by the protocol's terminator: the rest is read to the end so the connection is reused. */
    private boolean finishedByTerminator;
    private long connectStart = -1;
    private long connectNanos = -1;
    private long bodyBytes;
    private String requestId;
    private boolean eventStream;
    private ByteArrayOutputStream body;
    private long retryAfterNanos = -1;
    /** The rate limits a 429's headers stated, or null. */
    private String rateLimits;
    private Boolean shouldRetry;
    private byte[] wholeBody;

    /** Whether the reply is streaming: 0 not yet, 1 streaming (counted by the client), 2 ended. */
    private volatile int streaming;
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<StreamCall> STREAMING =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(StreamCall.class, "streaming");

    StreamCall(StreamingClient client, long intended, long sent, int maxTokens) {
        this.client = client;
        this.intended = intended;
        this.sent = sent;
        this.deadlines = client.deadlines();
        this.bounds = ReplyBounds.of(maxTokens);
        this.reply = new ReplyAccumulator(sent, bounds, client.itlMicros(), outcome);
        // A caller that gives up on the future (a watchdog) must not leave the stream running.
        result.whenComplete((r, t) -> {
            if (t instanceof CancellationException) {
                abort(ErrorClass.CLIENT_ERROR, "the caller gave up on the call", new CancellationException("cancelled"));
            }
        });
    }

    // ---- what a protocol implements ----------------------------------------------------------

    /** Reads one event of the stream. Throw, or report it {@link OutcomeClassifier#malformed}, when it is not the protocol. */
    protected abstract void event(SseParser.Event event) throws IOException;

    /** Reads a whole JSON reply (a server that ignored {@code stream: true}), at its first token. */
    protected abstract void wholeReply(JsonParser p) throws IOException;

    // ---- what a protocol uses ----------------------------------------------------------------

    /** The bytes of a whole (non-streamed) reply, for a protocol that needs a raw part of it. */
    protected final byte[] wholeBody() {
        return wholeBody;
    }

    /**
     * The protocol's terminator ({@code [DONE]}, {@code message_stop}): the call is complete now,
     * whether or not the server ever closes the response. The rest is still read so the connection
     * goes back to the pool; a server that never ends it has its connection closed shortly after.
     */
    protected final void done() {
        finishedByTerminator = true;
        outcome.ended(true, reply.chunks(), reply.finishReason(), false);
        finish(reply.arrival());
        client.timer().newTimeout(t -> {
            ListenableFuture<Void> f = httpFuture;
            Channel c = channel;
            if (f != null && !f.isDone() && c != null) {
                c.close();
            }
        }, 2, TimeUnit.SECONDS);
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    Future result() {
        return result;
    }

    void started(ListenableFuture<Void> future) {
        this.httpFuture = future;
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
        long last = reply.lastTokenAt(); // volatile, read before chunks: what was counted up to it is seen
        long first = last < 0 ? -1 : reply.firstTokenAt(); // a first token that arrived after this read is not in this snapshot
        int n = last < 0 ? 0 : reply.chunks();
        String where = headers < 0 ? "no response yet"
                : first < 0 ? "HTTP " + status + " headers after " + Deadlines.millis(headers) + " ms, no token yet"
                : n + " content chunks, the last " + Deadlines.millis(now - sent - last) + " ms before the run ended";
        return new CallResult(intended, lag, connectNanos, after(lag, headers), after(lag, first),
                now - intended, status, ErrorClass.OPEN, "still open when the run ended: " + where, Usage.NONE, "", n, 0, 0, null,
                null, List.of(), -1, null, after(lag, reply.firstToolAt()), "", bounds.cap(), -1, Set.of());
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
        client.heard(System.nanoTime());
        status = responseStatus.getStatusCode();
        return State.CONTINUE;
    }

    @Override
    public State onHeadersReceived(HttpHeaders headers) {
        headersAt = System.nanoTime() - sent;
        retryAfterNanos = ServerErrors.retryAfterNanos(headers);
        shouldRetry = ServerErrors.shouldRetry(headers);
        requestId = headers.get("x-request-id");
        if (requestId == null) {
            requestId = headers.get("request-id"); // Anthropic's name
        }
        if (status != 200) {
            if (status == 429) {
                rateLimits = ServerErrors.rateLimits(headers);
            }
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

    @Override
    public State onBodyPartReceived(HttpResponseBodyPart part) {
        if (finished.get()) {
            return finishedByTerminator ? State.CONTINUE : State.ABORT;
        }
        long now = System.nanoTime();
        reply.arrived(now);
        client.heard(now);
        int length = part.length();
        bodyBytes += length;
        if (eventStream) {
            if (streaming == 0 && STREAMING.compareAndSet(this, 0, 1)) {
                client.streaming(1); // mid-stream from here: a silence now is a gap, not a wait for the first token
            }
            try {
                parser.feed(part.getBodyByteBuffer());
            } catch (SseParser.OversizeException e) {
                return fail(ErrorClass.STREAM_MALFORMED, e.getMessage());
            }
            reply.streamed(bodyBytes);
            // An error in the stream ends the call now, as the SDKs do; the server may never close.
            return outcome.failed() ? State.ABORT : State.CONTINUE;
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
        if (!outcome.failed()) {
            if (status != 200) {
                outcome.httpError(status, body, rateLimits);
            } else if (!eventStream) {
                readWholeReply(end);
                return null;
            } else {
                String lastError = parser.pendingError();
                if (lastError != null) { // an "error:" line the server closed on, without the blank line that ends an event
                    outcome.errorLine(lastError);
                } else {
                    boolean dropped = parser.finish(); // ended without its terminator: some servers omit it
                    outcome.ended(false, reply.chunks(), reply.finishReason(), dropped);
                }
            }
        }
        finish(end);
        return null;
    }

    @Override
    public void onThrowable(Throwable t) {
        outcome.threw(t); // unless we aborted the stream ourselves, for a failure already seen
        finish(System.nanoTime());
    }

    @Override
    public final void onEvent(SseParser.Event e) {
        if (outcome.failed() || finished.get()) {
            return;
        }
        if (e.hasErrorField()) {
            outcome.errorLine(e.errorField()); // llama.cpp's server: "error: {...}" instead of "data:"
            return;
        }
        try {
            event(e);
        } catch (JsonProcessingException bad) {
            outcome.malformed("bad JSON in event: " + bad.getOriginalMessage());
        } catch (IOException bad) {
            outcome.malformed("bad event: " + bad.getMessage());
        }
    }

    // ---- timeouts: decided on the timer thread, confirmed on the I/O thread ----------------------

    @Override
    public void run(Timeout timeout) {
        Channel c = channel;
        boolean passed = deadlines.expired(System.nanoTime() - sent, reply.firstTokenAt(), reply.lastTokenAt()) != null;
        if (passed && !finished.get() && c != null && !c.eventLoop().isShuttingDown()) {
            c.eventLoop().execute(this::checkDeadlines); // decide again there: a token may be queued, parsed before this
        } else {
            checkDeadlines();
        }
    }

    /** Ends the call with the timeout that has passed, if one has; else looks again at the next deadline. */
    private void checkDeadlines() {
        if (finished.get()) {
            return;
        }
        long now = System.nanoTime() - sent;
        ErrorClass kind = deadlines.expired(now, reply.firstTokenAt(), reply.lastTokenAt());
        if (kind == null) {
            rearm(now);
        } else {
            String detail = deadlines.describe(kind, now, reply.lastTokenAt());
            abort(kind, detail, new CallTimeoutException(kind, detail));
        }
    }

    /** Arms the timer for the nearest deadline ({@link Deadlines#next}). */
    private void rearm(long now) {
        long next = deadlines.next(now, reply.firstTokenAt(), reply.lastTokenAt());
        if (next != Long.MAX_VALUE && !finished.get()) {
            deadline = client.timer().newTimeout(this, Math.max(1, next - now), TimeUnit.NANOSECONDS);
        }
    }

    private void abort(ErrorClass kind, String detail, Exception cause) {
        Channel c = channel;
        Runnable abort = () -> {
            if (finished.get()) {
                return;
            }
            outcome.stopped(kind, detail); // first: closing the channel makes the HTTP layer report a reset
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
        outcome.fail(kind, detail);
        return State.ABORT;
    }

    private void readWholeReply(long end) {
        reply.arrived(end);
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
        outcome.ended(true, reply.chunks(), reply.finishReason(), false); // a whole reply is complete by definition
        finish(end);
    }

    /** Ends the call as its {@link #outcome} says. */
    private void finish(long end) {
        finish(outcome.kind(), outcome.detail(), end);
    }

    private void finish(ErrorClass error, String detail, long end) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        client.done(this);
        if (STREAMING.getAndSet(this, 2) == 1) {
            client.streaming(-1);
        }
        Timeout t = deadline;
        if (t != null) {
            t.cancel();
        }
        long lag = sent - intended;
        Redactor redactor = client.redactor();
        result.complete(new CallResult(intended, lag, connectNanos, after(lag, headersAt), after(lag, reply.firstTokenAt()), end - intended,
                status, error, error == ErrorClass.OK ? null : OutcomeClassifier.truncate(redactor.redact(detail)), reply.usage(),
                reply.content(), reply.chunks(), reply.itlSum(), reply.itlMax(), redactor.redact(reply.finishReason()),
                redactor.redact(requestId), reply.toolCalls(), retryAfterNanos, shouldRetry, after(lag, reply.firstToolAt()),
                reply.reasoningToEstimate(), bounds.cap(), -1, reply.flags(error)));
    }

    /** A time point {@code at} nanoseconds after sending, as nanoseconds after the intended start; -1 stays -1. */
    private static long after(long lag, long at) {
        return at < 0 ? -1 : lag + at;
    }
}
