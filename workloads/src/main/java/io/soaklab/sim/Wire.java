package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.soaklab.protocol.Api;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One API protocol as the endpoint speaks it: how requests read, how errors look, which headers
 * carry rate limits, and how a reply is written, streamed or whole.
 */
interface Wire {

    Api api();

    /** Reads a request body. */
    SimRequest parse(byte[] body, int offset, int length, int defaultMaxTokens) throws SimRequest.Invalid;

    /** Null when the request's headers are acceptable, else the 400 message (a required header missing). */
    default String headerProblem(HttpHeaders headers) {
        return null;
    }

    /** Null when {@code headers} carry the right key (or no key is set), else the 401 message. */
    String unauthorized(HttpHeaders headers, String key);

    /** An error body in the protocol's shape; {@code kind} is one of the {@link Failure}s. */
    String error(Failure kind, String message, String param, String code);

    /** Adds the protocol's rate-limit headers. */
    void rateLimitHeaders(HttpHeaders headers, RateLimiter.Decision decision);

    /** The header naming the request id. */
    String requestIdHeader();

    /** The writer of one streamed reply. */
    Emitter emitter(Reply reply);

    /** A whole (non-streamed) reply; {@code thinking} is visible reasoning text, or null. */
    String whole(Reply reply, String text, String thinking, String toolId, String toolName, String toolArgs, Reply.Stop stop,
                 long outputTokens);

    /** Writes one JSON document. */
    @FunctionalInterface
    interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    /** The JSON document {@code body} writes, compact, as a string: every body and usage object the endpoint sends. */
    static String json(int sizeHint, JsonBody body) {
        ByteArrayBuilder json = new ByteArrayBuilder(sizeHint);
        try (JsonGenerator g = SimRequest.JSON.createGenerator(json, JsonEncoding.UTF8)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return new String(json.toByteArray(), StandardCharsets.UTF_8);
    }

    /** The error kinds every protocol can say, each with its HTTP status. */
    enum Failure {
        BAD_REQUEST(400), UNAUTHORIZED(401), NOT_FOUND(404), NOT_ALLOWED(405), RATE_LIMITED(429), SERVER(500),
        BAD_GATEWAY(502), UNAVAILABLE(503), OVERLOADED(529);

        final int status;

        Failure(int status) {
            this.status = status;
        }
    }

    /** Writes one streamed reply's events into buffers, in order; one per reply, on its event loop. */
    interface Emitter {
        /** At the response headers: OpenAI's role chunk, Anthropic's {@code message_start}. */
        void start(ByteBuf out);

        void reasoning(ByteBuf out, byte[] word);

        void text(ByteBuf out, byte[] word);

        void toolStart(ByteBuf out, String id, String name);

        void toolArgs(ByteBuf out, String fragment);

        /** The end: stop reason, usage, terminator. */
        void finish(ByteBuf out, Reply.Stop stop, long outputTokens);

        /** An error inside the stream (the server gives up on the reply). */
        void error(ByteBuf out, boolean overloaded);

        /** A chunk that is not the protocol. */
        void malformed(ByteBuf out);

        /** A keep-alive. */
        void ping(ByteBuf out);
    }
}
