package io.soaklab.sim;

import io.soaklab.internal.sim.TruthLine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Routes one connection's requests: {@code /v1/chat/completions} (OpenAI), {@code /v1/messages}
 * (Anthropic) and {@code /v1/models}, each protocol with its own authentication and error shapes,
 * and {@code GET /metrics} (Prometheus, vLLM's names), which is not a model request.
 */
final class SimHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Wire OPENAI = new OpenAiWire();
    private static final Wire ANTHROPIC = new AnthropicWire();

    private final Engine engine;

    SimHandler(Engine engine) {
        this.engine = engine;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long arrival = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals("/metrics") && request.method() == HttpMethod.GET && request.decoderResult().isSuccess()) {
            metrics(ctx, keepAlive, request.headers().get(HttpHeaderNames.ACCEPT)); // not a model request: not counted, not logged
            return;
        }
        engine.stats.requests.increment();
        boolean anthropic = path.endsWith("/messages") || request.headers().contains("anthropic-version");
        Wire wire = anthropic ? ANTHROPIC : OPENAI;
        if (!request.decoderResult().isSuccess()) {
            reject(ctx, arrival, false, wire, Wire.Failure.BAD_REQUEST, "Malformed HTTP request.", null, null);
            return;
        }
        String denied = wire.unauthorized(request.headers(), engine.config.apiKey());
        if (denied != null) {
            reject(ctx, arrival, keepAlive, wire, Wire.Failure.UNAUTHORIZED, denied, null, "invalid_api_key");
            return;
        }
        switch (path) {
            case "/v1/models", "/models" -> {
                if (request.method() != HttpMethod.GET) {
                    notAllowed(ctx, arrival, keepAlive, wire, request);
                } else {
                    respond(ctx, keepAlive, HttpResponseStatus.OK, anthropic
                            ? "{\"data\":[{\"type\":\"model\",\"id\":" + OpenAiWire.quote(engine.config.model())
                                    + ",\"display_name\":\"soaklab embedded endpoint\",\"created_at\":\"2026-01-01T00:00:00Z\"}],"
                                    + "\"has_more\":false,\"first_id\":" + OpenAiWire.quote(engine.config.model()) + ",\"last_id\":"
                                    + OpenAiWire.quote(engine.config.model()) + "}"
                            : "{\"object\":\"list\",\"data\":[{\"id\":" + OpenAiWire.quote(engine.config.model())
                                    + ",\"object\":\"model\",\"created\":0,\"owned_by\":\"soaklab\"}]}");
                }
            }
            case "/v1/chat/completions", "/chat/completions", "/v1/messages", "/messages" -> {
                if (request.method() != HttpMethod.POST) {
                    notAllowed(ctx, arrival, keepAlive, wire, request);
                    return;
                }
                String problem = wire.headerProblem(request.headers());
                if (problem != null) {
                    reject(ctx, arrival, keepAlive, wire, Wire.Failure.BAD_REQUEST, problem, null, null);
                    return;
                }
                reply(ctx, keepAlive, wire, request, arrival);
            }
            default -> reject(ctx, arrival, keepAlive, wire, Wire.Failure.NOT_FOUND,
                    "Unknown request URL: " + request.method() + " " + path + ".", null, "unknown_url");
        }
    }

    private void reply(ChannelHandlerContext ctx, boolean keepAlive, Wire wire, FullHttpRequest request, long arrival) {
        ByteBuf content = request.content();
        SimRequest parsed;
        try {
            int max = engine.config.replies().outputTokensMax();
            if (content.hasArray()) {
                parsed = wire.parse(content.array(), content.arrayOffset() + content.readerIndex(), content.readableBytes(), max);
            } else {
                byte[] body = ByteBufUtil.getBytes(content);
                parsed = wire.parse(body, 0, body.length, max);
            }
        } catch (SimRequest.Invalid e) {
            reject(ctx, arrival, keepAlive, wire, Wire.Failure.BAD_REQUEST, e.getMessage(), e.param, e.code);
            return;
        }
        new Reply(engine, ctx, wire, parsed, keepAlive, arrival).begin();
    }

    /** {@code GET /metrics}: the Prometheus exposition, without authentication, as vLLM serves it. */
    private void metrics(ChannelHandlerContext ctx, boolean keepAlive, String accept) {
        ExpositionFormatWriter writer = SimMetrics.writerFor(accept);
        ByteBuf body = ctx.alloc().buffer(8 << 10);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            engine.metrics.write(writer, out);
        } catch (IOException | RuntimeException e) {
            body.release();
            respond(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"error\":" + OpenAiWire.quote(String.valueOf(e)) + "}");
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        HttpDate.set(response.headers());
        HttpUtil.setKeepAlive(response, keepAlive);
        send(ctx, keepAlive, response);
    }

    private void notAllowed(ChannelHandlerContext ctx, long arrival, boolean keepAlive, Wire wire, FullHttpRequest request) {
        reject(ctx, arrival, keepAlive, wire, Wire.Failure.NOT_ALLOWED, "Method " + request.method() + " is not allowed here.", null,
                "method_not_allowed");
    }

    /**
     * Refuses a request before it becomes a reply. Like every answer, a refusal carries a request id
     * and the rate-limit headers, and is written to the truth log.
     */
    private void reject(ChannelHandlerContext ctx, long arrival, boolean keepAlive, Wire wire, Wire.Failure failure, String message,
                        String param, String code) {
        engine.stats.rejected.increment();
        String outcome = failure.name().toLowerCase(java.util.Locale.ROOT);
        engine.stats.count(outcome);
        String id = "req_sim" + Long.toHexString(engine.sequence.incrementAndGet());
        FullHttpResponse response = response(keepAlive, HttpResponseStatus.valueOf(failure.status), wire.error(failure, message, param, code));
        response.headers().set(wire.requestIdHeader(), id);
        if (engine.limiter != null) {
            wire.rateLimitHeaders(response.headers(), engine.limiter.snapshot(System.nanoTime()));
        }
        TruthLog truth = engine.truth;
        if (truth != null) {
            truth.add(TruthLine.Entry.refused(id, wire.api().wireName(), truth.epochMicros(arrival), failure.status, outcome,
                    (System.nanoTime() - arrival) / 1000));
        }
        send(ctx, keepAlive, response);
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String json) {
        send(ctx, keepAlive, response(keepAlive, status, json));
    }

    private static FullHttpResponse response(boolean keepAlive, HttpResponseStatus status, String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        HttpDate.set(response.headers());
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a client that resets mid-stream is normal under load: no log, no stack trace
    }
}
