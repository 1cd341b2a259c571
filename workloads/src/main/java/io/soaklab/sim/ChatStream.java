package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.soaklab.text.SyntheticText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One reply in flight. It plans its timing from the {@link SimConfig} and a per-request random
 * stream, then re-schedules itself on the connection's event loop for each due token: no thread
 * waits for a stream, so thousands of streams cost only their scheduled tasks.
 */
final class ChatStream implements Runnable {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOKEN_OPEN = "{\"index\":0,\"delta\":{\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOKEN_SUFFIX = "\"},\"finish_reason\":null}]}\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] WORDS = new byte[SyntheticText.vocabularySize()][];

    static {
        for (int i = 0; i < WORDS.length; i++) {
            WORDS[i] = SyntheticText.word(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private enum Stage { HEADERS, TOKENS, FINISHED }

    private final ChannelHandlerContext ctx;
    private final SimConfig config;
    private final SimRequest request;
    private final EndpointStats stats;
    private final boolean keepAlive;
    private final SplittableRandom random;
    private final long start;
    private final String id;
    private final long created;
    private final String model;
    private final int outputTokens;
    private final String finishReason;
    private final long headersAt;
    private final long firstTokenAt;
    private final long itlNanos;
    private long nextTokenAt;
    private int emitted;
    private Stage stage = Stage.HEADERS;
    private byte[] chunkHead;
    private StringBuilder wholeReply;

    ChatStream(ChannelHandlerContext ctx, SimConfig config, SimRequest request, EndpointStats stats,
               boolean keepAlive, long start, long sequence) {
        this.ctx = ctx;
        this.config = config;
        this.request = request;
        this.stats = stats;
        this.keepAlive = keepAlive;
        this.start = start;
        this.random = new SplittableRandom(config.seed() ^ request.hash());
        this.id = "chatcmpl-sim" + Long.toHexString(request.hash() ^ sequence);
        this.created = System.currentTimeMillis() / 1000;
        this.model = request.model() == null ? config.model() : request.model();
        double drawn = config.outputTokensMedian() * Math.exp(config.outputTokensSigma() * random.nextGaussian());
        long wanted = Math.max(1, Math.round(drawn));
        int cap = Math.min(request.maxTokens(), config.outputTokensMax());
        this.outputTokens = (int) Math.min(wanted, cap);
        this.finishReason = wanted > request.maxTokens() ? "length" : "stop";
        this.headersAt = (long) (config.baseLatency().toNanos() * jitter());
        this.firstTokenAt = headersAt + (long) (request.promptTokens() * 1e9 / config.prefillTokensPerSecond() * jitter());
        this.itlNanos = (long) (1e9 / config.decodeTokensPerSecond());
        this.nextTokenAt = firstTokenAt;
    }

    /** Starts the reply: everything after this happens on the connection's event loop. */
    void begin() {
        stats.opened();
        if (!request.stream()) {
            wholeReply = new StringBuilder(outputTokens * 7);
            for (int i = 0; i < outputTokens; i++) {
                wholeReply.append(SyntheticText.word(random.nextInt(WORDS.length)));
                if (i > 0) {
                    nextTokenAt += (long) (itlNanos * jitter());
                }
            }
            schedule(nextTokenAt); // the whole reply leaves when its last token would have
            return;
        }
        schedule(headersAt);
    }

    @Override
    public void run() {
        if (!ctx.channel().isActive()) {
            stage = Stage.FINISHED;
            stats.active.decrementAndGet();
            stats.abandoned.increment();
            return;
        }
        if (!request.stream()) {
            writeWholeReply();
            return;
        }
        if (stage == Stage.HEADERS) {
            writeHeaders();
            stage = Stage.TOKENS;
            schedule(firstTokenAt);
            return;
        }
        long now = System.nanoTime() - start;
        ByteBuf out = ctx.alloc().buffer(256);
        // Tokens that fell due while the loop was busy go out now, each its own event, in one flush.
        while (emitted < outputTokens && nextTokenAt <= now) {
            writeToken(out);
            emitted++;
            nextTokenAt += (long) (itlNanos * jitter());
        }
        if (emitted < outputTokens) {
            ctx.writeAndFlush(new DefaultHttpContent(out), ctx.voidPromise());
            schedule(nextTokenAt);
            return;
        }
        writeEnd(out);
    }

    private void writeHeaders() {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set("x-request-id", "req_" + id);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.write(response, ctx.voidPromise());
        chunkHead = ("{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                + ",\"model\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(model)) + "\",\"choices\":[")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuf out = ctx.alloc().buffer(chunkHead.length + 96);
        out.writeBytes(DATA).writeBytes(chunkHead)
                .writeBytes("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
                        .getBytes(StandardCharsets.US_ASCII));
        ctx.writeAndFlush(new DefaultHttpContent(out), ctx.voidPromise());
    }

    private void writeToken(ByteBuf out) {
        byte[] word = WORDS[random.nextInt(WORDS.length)];
        out.writeBytes(DATA).writeBytes(chunkHead)
                .writeBytes(TOKEN_OPEN)
                .writeBytes(word)
                .writeBytes(TOKEN_SUFFIX);
        stats.tokens.increment();
    }

    private void writeEnd(ByteBuf out) {
        out.writeBytes(DATA).writeBytes(chunkHead)
                .writeBytes(("{\"index\":0,\"delta\":{},\"finish_reason\":\"" + finishReason + "\"}]}\n\n").getBytes(StandardCharsets.US_ASCII));
        if (request.includeUsage()) {
            out.writeBytes(DATA).writeBytes(chunkHead).writeBytes(("],\"usage\":" + usageObject() + "}\n\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(DONE);
        ctx.write(new DefaultHttpContent(out), ctx.voidPromise());
        finish();
        closeUnlessKeptAlive(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
    }

    private void writeWholeReply() {
        ByteArrayBuilder json = new ByteArrayBuilder(wholeReply.length() + 512);
        try (JsonGenerator g = SimRequest.JSON.createGenerator(json, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", model);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", wholeReply.toString());
            g.writeEndObject();
            g.writeStringField("finish_reason", finishReason);
            g.writeEndObject();
            g.writeEndArray();
            g.writeFieldName("usage");
            g.writeRawValue(usageObject());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stats.tokens.add(outputTokens);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(json.toByteArray()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set("x-request-id", "req_" + id);
        finish();
        closeUnlessKeptAlive(ctx.writeAndFlush(response));
    }

    /** Counted before the last bytes leave, so that a client never sees the end before the count. */
    private void finish() {
        stage = Stage.FINISHED;
        stats.active.decrementAndGet();
        stats.completed.increment();
    }

    private void closeUnlessKeptAlive(ChannelFuture written) {
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private String usageObject() {
        long prompt = request.promptTokens();
        return "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + outputTokens
                + ",\"total_tokens\":" + (prompt + outputTokens)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}";
    }

    private double jitter() {
        double j = config.jitter();
        return j == 0 ? 1.0 : 1.0 + j * (2 * random.nextDouble() - 1);
    }

    private void schedule(long atNanosAfterStart) {
        long delay = atNanosAfterStart - (System.nanoTime() - start);
        if (delay <= 0) {
            ctx.executor().execute(this);
        } else {
            ctx.executor().schedule(this, delay, TimeUnit.NANOSECONDS);
        }
    }
}
