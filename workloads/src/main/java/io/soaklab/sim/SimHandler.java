package io.soaklab.sim;

import io.netty.buffer.ByteBuf;
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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** Routes one connection's requests: {@code /v1/models} and {@code /v1/chat/completions}. */
final class SimHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final SimConfig config;
    private final EndpointStats stats;
    private final AtomicLong sequence;

    SimHandler(SimConfig config, EndpointStats stats, AtomicLong sequence) {
        this.config = config;
        this.stats = stats;
        this.sequence = sequence;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long arrival = System.nanoTime();
        stats.requests.increment();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            reject(ctx, false, HttpResponseStatus.BAD_REQUEST, "Malformed HTTP request.", "invalid_request_error", null);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (config.apiKey() != null && !authorized(request)) {
            reject(ctx, keepAlive, HttpResponseStatus.UNAUTHORIZED, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
            return;
        }
        switch (path) {
            case "/v1/models", "/models" -> {
                if (request.method() != HttpMethod.GET) {
                    notAllowed(ctx, keepAlive, request);
                } else {
                    respond(ctx, keepAlive, HttpResponseStatus.OK, "{\"object\":\"list\",\"data\":[{\"id\":\""
                            + config.model() + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"soaklab\"}]}");
                }
            }
            case "/v1/chat/completions", "/chat/completions" -> {
                if (request.method() != HttpMethod.POST) {
                    notAllowed(ctx, keepAlive, request);
                } else {
                    chat(ctx, keepAlive, request, arrival);
                }
            }
            default -> reject(ctx, keepAlive, HttpResponseStatus.NOT_FOUND,
                    "Unknown request URL: " + request.method() + " " + path + ".", "invalid_request_error", "unknown_url");
        }
    }

    private void chat(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest request, long arrival) {
        ByteBuf content = request.content();
        SimRequest parsed;
        try {
            if (content.hasArray()) {
                parsed = SimRequest.parse(content.array(), content.arrayOffset() + content.readerIndex(),
                        content.readableBytes(), config.outputTokensMax());
            } else {
                byte[] body = ByteBufUtil.getBytes(content);
                parsed = SimRequest.parse(body, 0, body.length, config.outputTokensMax());
            }
        } catch (SimRequest.Invalid e) {
            reject(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, e.getMessage(), "invalid_request_error", e.param);
            return;
        }
        new ChatStream(ctx, config, parsed, stats, keepAlive, arrival, sequence.incrementAndGet()).begin();
    }

    private boolean authorized(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        return header != null && header.equals("Bearer " + config.apiKey());
    }

    private void notAllowed(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest request) {
        reject(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED,
                "Method " + request.method() + " is not allowed here.", "invalid_request_error", "method_not_allowed");
    }

    private void reject(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String message,
                        String type, String codeOrParam) {
        stats.rejected.increment();
        String json = "{\"error\":{\"message\":\"" + escape(message) + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                + (codeOrParam == null ? "null" : "\"" + escape(codeOrParam) + "\"") + "}}";
        respond(ctx, keepAlive, status, json);
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String escape(String s) {
        return new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a client that resets mid-stream is normal under load: no log, no stack trace
    }
}
