package io.soaklab.sim;

import io.soaklab.internal.sim.TruthLine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.soaklab.internal.text.SyntheticText;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request's life in the endpoint, planned at arrival from its own seeded random stream and
 * played out on its connection's event loop: admission (rate limits, context window, faults,
 * queue), headers, a wait for a batch slot, prefill, then one token at a time at the current
 * decode speed, then the end. Nothing waits in a thread; each step schedules the next.
 */
final class Reply {

    /** Why a reply ended. */
    enum Stop {
        END("stop", "end_turn"), LENGTH("length", "max_tokens"), TOOL("tool_calls", "tool_use");

        /** The reason as each API names it: OpenAI's {@code finish_reason}, Anthropic's {@code stop_reason}. */
        final String openAi;
        final String anthropic;

        Stop(String openAi, String anthropic) {
            this.openAi = openAi;
            this.anthropic = anthropic;
        }
    }

    private static final byte[][] WORDS = new byte[SyntheticText.vocabularySize()][];
    /** A reply that "never ends" still stops here, so a forgotten client cannot run the endpoint out of memory. */
    private static final int NEVER_ENDING_CAP = 1_000_000;

    static {
        for (int i = 0; i < WORDS.length; i++) {
            WORDS[i] = SyntheticText.word(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final Engine engine;
    private final ChannelHandlerContext ctx;
    private final Wire wire;
    private final SimRequest request;
    private final boolean keepAlive;
    private final long arrival;
    private final long sequence;
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    /** Draws about the reply itself: its length, words, tool call. */
    private final SplittableRandom content;
    /** Draws about how it is served: faults, cache hits, jitter. */
    private final SplittableRandom random;
    private final SimConfig config;

    // the plan, drawn at admission
    private ReplyPlan plan;
    /** The fault played: the plan's, or queue_full when no slot could be had. */
    private Fault fault = Fault.NONE;
    private long cachedTokens;
    private long cacheWriteTokens;
    private long cacheWrite1hTokens;
    private RateLimiter.Decision limits;
    /** The output cap: the request's, or what the context window leaves. */
    private int cap;

    // the play
    private Wire.Emitter emitter;
    private StringBuilder wholeText;
    private boolean holdingSlot;
    /** No step runs any more (the reply finished, failed or its client left). */
    private boolean ended;
    /** Its resources are released and its truth written: once. */
    private boolean finalized;
    private io.netty.util.concurrent.Future<?> pending;
    private io.netty.channel.ChannelFutureListener onClose;
    /** A stall struck at the last token: the end waits for it. */
    private boolean stalledAtEnd;
    /** A whole (unstreamed) reply's stall has been waited out. */
    private boolean stalled;
    private int emitted;
    private long nextAt;
    private long headersAt = -1;
    private long slotAt = -1;
    private long firstPlanned = -1;
    private long firstActual = -1;
    private long lastPlanned = -1;
    private long lastActual = -1;
    private long plannedItl;
    private long maxLate;
    private double busyAtStart;
    private double latencyFactor = 1;
    private int status = 200;
    /** It asked for a batch slot and was not refused: it reached the engine, and its metrics count it. */
    private boolean scheduled;
    /** Generated tokens already counted in the metrics. */
    private int tokensCounted;
    /** Its tokens in the metrics' KV cache while it holds a slot. */
    private long kvHeld;
    /** The per-token step, built once: a stream schedules it for every token. */
    private final Runnable tickStep = guard(this::tick);

    Reply(Engine engine, ChannelHandlerContext ctx, Wire wire, SimRequest request, boolean keepAlive, long arrival) {
        this.engine = engine;
        this.ctx = ctx;
        this.wire = wire;
        this.request = request;
        this.keepAlive = keepAlive;
        this.arrival = arrival;
        this.config = engine.config;
        this.sequence = engine.sequence.incrementAndGet();
        this.content = new SplittableRandom(engine.replySeed(request.hash()));
        this.random = new SplittableRandom(engine.serviceSeed(request.hash()));
        this.id = "req_sim" + Long.toHexString(random.nextLong() & Long.MAX_VALUE) + Long.toHexString(sequence);
    }

    // ---- what the wires read ---------------------------------------------------------------------

    String id() {
        return (wire.api() == io.soaklab.protocol.Api.OPENAI ? "chatcmpl-" : "msg_") + id.substring(4);
    }

    String messageId() {
        return id();
    }

    long created() {
        return created;
    }

    String model() {
        return request.model() == null ? config.model() : request.model();
    }

    SimRequest request() {
        return request;
    }

    long promptTokens() {
        return request.promptTokens();
    }

    long cachedTokens() {
        return cachedTokens;
    }

    long cacheWriteTokens() {
        return cacheWriteTokens;
    }

    long cacheWrite1hTokens() {
        return cacheWrite1hTokens;
    }

    long reasoningTokens() {
        return plan == null ? 0 : plan.reasoningTokens;
    }

    // ---- admission ---------------------------------------------------------------------------

    /** Starts the reply: everything after this happens on the connection's event loop. */
    void begin() {
        engine.stats.opened();
        // A client that leaves frees what its request holds at once, queued or not, as servers do.
        onClose = f -> gone();
        ctx.channel().closeFuture().addListener(onClose);
        long stall = engine.clock.stallEnd(arrival);
        at(stall > 0 ? stall : arrival, this::admit); // a paused server reads nothing until it resumes
    }

    /** The connection closed: runs on the event loop. */
    private void gone() {
        if (!ended) {
            engine.slots.cancel(this);
            abandon();
        }
    }

    private void admit() {
        long now = System.nanoTime();
        engine.live.add(this);
        latencyFactor = engine.clock.latencyFactor(now);
        int window = config.serving().contextWindow();
        cap = request.maxTokens() > 0 ? request.maxTokens() : (int) Math.max(1, Math.min(config.replies().outputTokensMax(),
                window - request.promptTokens()));
        // before the rate limits: cached input does not count against input tokens per minute
        PrefixCache.Use cache = engine.cache.lookup(request, config.caching(), random, now);
        cachedTokens = cache.read();
        cacheWriteTokens = cache.written();
        cacheWrite1hTokens = cache.writtenForAnHour();
        if (engine.limiter != null) {
            limits = engine.limiter.admit(request.promptTokens(), cachedTokens, cap, now);
            if (!limits.admitted()) {
                reject(Wire.Failure.RATE_LIMITED, Outcome.RATE_LIMITED, SimMessages.rateLimited(model(), limits, request.promptTokens() + cap), "rate_limit_exceeded", limits.retryAfterNanos());
                return;
            }
        }
        if (request.promptTokens() + (request.maxTokens() > 0 ? request.maxTokens() : 0) > window) {
            reject(Wire.Failure.BAD_REQUEST, Outcome.CONTEXT_TOO_LONG, SimMessages.contextTooLong(wire.api(), request, window), "context_length_exceeded", -1);
            return;
        }
        plan = ReplyPlan.draw(config, request, wire.api(), cap, content, random, engine.clock.inBurst(now), engine.clock.burstErrorRate());
        fault = plan.fault;
        Wire.Failure immediate = fault.instead(wire.api());
        if (immediate == null && engine.slots.full(now)) {
            fault = Fault.QUEUE_FULL;
            immediate = fault.instead(wire.api());
        }
        long headers = now + delay(config.latency().base().toNanos());
        if (immediate != null) {
            Wire.Failure failure = immediate;
            Outcome outcome = Outcome.answeredBy(fault);
            at(headers, () -> reject(failure, outcome, SimMessages.failure(failure), null, -1));
            return;
        }
        engine.cache.storeAll(request, config.caching(), now);
        if (fault == Fault.SLOW_FIRST_BYTE) {
            engine.stats.count(fault.wireName());
            headers += config.faults().slowFirstByteFor().toNanos();
        }
        at(headers, this::headers);
    }

    // ---- streaming ---------------------------------------------------------------------------

    private void headers() {
        if (clientLeft()) {
            return;
        }
        headersAt = System.nanoTime();
        if (request.stream()) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpHeaders h = response.headers();
            h.set(wire.requestIdHeader(), id);
            wire.rateLimitHeaders(h, limits);
            HttpDate.set(h);
            h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            if (!keepAlive) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ctx.write(response, ctx.voidPromise());
            emitter = wire.emitter(this);
            ByteBuf out = ctx.alloc().buffer(512);
            emitter.start(out);
            ctx.writeAndFlush(new DefaultHttpContent(out), ctx.voidPromise());
        } else {
            wholeText = new StringBuilder();
        }
        Slots.Grant grant = engine.slots.acquire(this, headersAt);
        scheduled = grant != Slots.Grant.REFUSED;
        switch (grant) {
            case NOW -> prefill();
            case QUEUED -> {
                // a released slot calls slotGranted()
            }
            case REFUSED -> overloadInStream();
        }
    }

    /**
     * Called by {@link Slots} when a slot frees up, from whichever thread freed it. A reply whose
     * client left meanwhile hands the slot straight back.
     */
    void slotGranted() {
        ctx.executor().execute(() -> {
            if (ended) {
                engine.slots.release(System.nanoTime());
            } else {
                at(0, this::prefill);
            }
        });
    }

    private void prefill() {
        long now = System.nanoTime();
        holdingSlot = true;
        slotAt = now;
        kvHeld = request.promptTokens();
        engine.metrics.kv(kvHeld);
        if (config.caching().enabled()) {
            engine.metrics.cacheQueries.inc(request.promptTokens());
            engine.metrics.cacheHits.inc(cachedTokens);
        }
        if (clientLeft()) {
            return;
        }
        busyAtStart = engine.slots.busy(now);
        SimConfig.Latency latency = config.latency();
        double uncached = request.promptTokens() - cachedTokens + cachedTokens * latency.cachedPrefillFraction();
        long prefill = delay((long) (uncached * 1e9 / latency.prefillTokensPerSecond()));
        plannedItl = itl(now, false);
        long hidden = 0;
        if (!plan.reasoningVisible && plan.reasoningTokens > 0) {
            hidden = plan.reasoningTokens * plannedItl; // hidden reasoning happens before the first visible token
            emitted = plan.reasoningTokens;
        }
        nextAt = now + prefill + hidden;
        firstPlanned = nextAt;
        if (!request.stream()) {
            // The whole reply leaves when its last token would have.
            long last = nextAt;
            for (int i = emitted + 1; i < plan.reasoningTokens + plan.visibleTokens; i++) {
                last += itl(now, true);
            }
            lastPlanned = last;
            at(last, this::wholeReply);
            return;
        }
        schedule(nextAt, tickStep);
    }

    private void tick() {
        if (clientLeft()) {
            return;
        }
        long now = System.nanoTime();
        long stall = engine.clock.stallEnd(now);
        if (stall > 0) {
            nextAt += stall - now; // the server is paused: its plan moves on by the pause
            schedule(stall, tickStep);
            return;
        }
        if (!ctx.channel().isWritable()) {
            // The client is not reading: wait instead of buffering its reply in memory.
            schedule(now + TimeUnit.MILLISECONDS.toNanos(10), tickStep);
            return;
        }
        ByteBuf out = ctx.alloc().buffer(256);
        int total = plan.reasoningTokens + plan.visibleTokens;
        int budget = 256; // bounds one flush when a backlog fell due
        // Tokens that fell due while the loop was busy go out now, each its own event, in one flush.
        while (nextAt <= now && budget-- > 0) {
            long late = now - nextAt;
            if (late > maxLate) {
                maxLate = late;
            }
            if (firstActual < 0) {
                firstActual = now;
                firstToken(now);
            } else {
                engine.metrics.itl.observe((now - lastActual) * 1e-9);
            }
            lastPlanned = nextAt;
            lastActual = now;
            emitOne(out);
            emitted++;
            if (emitted == plan.faultAt && fault != Fault.NONE && !injectMidStream(out)) {
                return;
            }
            boolean last = emitted >= total && fault != Fault.NEVER_ENDS || emitted >= NEVER_ENDING_CAP;
            if (last && !stalledAtEnd) {
                finish(out);
                return;
            }
            nextAt += last ? 0 : itl(now, true);
            if (last) {
                countGenerated();
                ctx.writeAndFlush(new DefaultHttpContent(out), ctx.voidPromise());
                at(nextAt, this::finishAfterStall);
                return;
            }
        }
        countGenerated();
        ctx.writeAndFlush(new DefaultHttpContent(out), ctx.voidPromise());
        schedule(nextAt, tickStep);
    }

    private void finishAfterStall() {
        if (clientLeft()) {
            return;
        }
        finish(ctx.alloc().buffer(256));
    }

    private void emitOne(ByteBuf out) {
        engine.stats.tokens.increment();
        if (emitted < plan.reasoningTokens) {
            if (plan.reasoningVisible) {
                emitter.reasoning(out, WORDS[content.nextInt(WORDS.length)]);
            }
            return;
        }
        int visible = emitted - plan.reasoningTokens;
        if (plan.tool != null) {
            if (visible == 0) {
                emitter.toolStart(out, plan.toolId, plan.tool.name());
            } else {
                emitter.toolArgs(out, plan.toolFragments.get(Math.min(visible - 1, plan.toolFragments.size() - 1)));
            }
        } else if (plan.fixedText != null) {
            emitter.text(out, plan.fixedText.get(Math.min(visible, plan.fixedText.size() - 1)));
        } else {
            emitter.text(out, WORDS[content.nextInt(WORDS.length)]);
        }
    }

    /** Injects the planned mid-stream fault; false when it ended the reply. */
    private boolean injectMidStream(ByteBuf out) {
        switch (fault) {
            case RESET -> {
                engine.stats.count(fault.wireName());
                resetConnection(out);
                return false;
            }
            case STALL -> {
                engine.stats.count(fault.wireName());
                nextAt += config.faults().stallFor().toNanos();
                stalledAtEnd = emitted >= plan.reasoningTokens + plan.visibleTokens;
                return true;
            }
            case MALFORMED -> {
                engine.stats.count(fault.wireName());
                emitter.malformed(out);
                return true;
            }
            case OVERLOADED_MID_STREAM -> {
                engine.stats.count(fault.wireName());
                emitter.error(out, true);
                ctx.write(new DefaultHttpContent(out), ctx.voidPromise());
                closeStream(Outcome.ERROR_IN_STREAM);
                return false;
            }
            case NEVER_ENDS -> {
                engine.stats.count(fault.wireName());
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    /** Sends what is written so far, then closes with a reset (RST), not a clean end (FIN). */
    private void resetConnection(ByteBuf out) {
        ended = true;
        try {
            if (ctx.channel().isActive()) {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.writeAndFlush(new DefaultHttpContent(out));
                ctx.close();
            } else {
                out.release();
            }
        } catch (RuntimeException alreadyClosed) {
            ctx.close(); // the client reset first: the connection is gone either way
        } finally {
            end(Outcome.RESET, 200);
        }
    }

    private void finish(ByteBuf out) {
        emitter.finish(out, plan.stop, emitted);
        ctx.write(new DefaultHttpContent(out), ctx.voidPromise());
        closeStream(Outcome.COMPLETE);
    }

    private void closeStream(Outcome outcome) {
        ended = true;
        end(outcome, 200); // counted before the last bytes leave: a client never sees the end before the count
        var written = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void overloadInStream() {
        fault = Fault.QUEUE_FULL;
        engine.stats.count(fault.wireName());
        if (request.stream()) {
            ByteBuf out = ctx.alloc().buffer(256);
            emitter.error(out, true);
            ctx.write(new DefaultHttpContent(out), ctx.voidPromise());
            closeStream(Outcome.ERROR_IN_STREAM);
        } else {
            reject(Wire.Failure.UNAVAILABLE, Outcome.QUEUE_FULL, SimMessages.failure(Wire.Failure.UNAVAILABLE), null, -1);
        }
    }

    private void wholeReply() {
        if (clientLeft()) {
            return;
        }
        long now = System.nanoTime();
        long stall = engine.clock.stallEnd(now);
        if (stall > 0) {
            at(stall, this::wholeReply);
            return;
        }
        switch (fault) {
            case STALL -> {
                if (!stalled) {
                    engine.stats.count(fault.wireName());
                    stalled = true; // once
                    at(now + config.faults().stallFor().toNanos(), this::wholeReply);
                    return;
                }
            }
            case NEVER_ENDS -> {
                engine.stats.count(fault.wireName()); // no reply at all: the slot stays taken until the client leaves
                return;
            }
            case RESET -> {
                engine.stats.count(fault.wireName());
                resetConnection(ctx.alloc().buffer(0));
                return;
            }
            case OVERLOADED_MID_STREAM -> {
                engine.stats.count(fault.wireName());
                Wire.Failure failure = Fault.busy(wire.api());
                reject(failure, Outcome.ERROR_IN_STREAM, SimMessages.failure(failure), null, -1);
                return;
            }
            default -> {
                // malformed is handled as the body is written
            }
        }
        firstActual = now;
        lastActual = now;
        wholeReplyTimes();
        String args = null;
        StringBuilder thinking = null;
        if (plan.reasoningVisible && plan.reasoningTokens > 0) {
            thinking = new StringBuilder();
            for (int i = 0; i < plan.reasoningTokens; i++) {
                thinking.append(SyntheticText.word(content.nextInt(WORDS.length)));
            }
        }
        if (plan.fixedText != null) {
            plan.fixedText.forEach(piece -> wholeText.append(new String(piece, StandardCharsets.US_ASCII)));
        } else if (plan.tool == null) {
            for (int i = 0; i < plan.visibleTokens; i++) {
                wholeText.append(SyntheticText.word(content.nextInt(WORDS.length)));
            }
        } else {
            args = String.join("", plan.toolFragments);
        }
        emitted = plan.reasoningTokens + plan.visibleTokens;
        engine.stats.tokens.add(emitted);
        String body = wire.whole(this, wholeText.toString(), thinking == null ? null : thinking.toString(), plan.toolId,
                plan.tool == null ? null : plan.tool.name(), args, plan.stop, emitted);
        if (fault == Fault.MALFORMED) {
            engine.stats.count(fault.wireName());
            body = body.substring(0, body.length() / 2);
        }
        ended = true;
        end(Outcome.COMPLETE, 200);
        respond(HttpResponseStatus.OK, body, -1);
    }

    // ---- endings -----------------------------------------------------------------------------

    private void reject(Wire.Failure failure, Outcome outcome, String message, String code, long retryAfterNanos) {
        if (clientLeft()) {
            return;
        }
        engine.stats.rejected.increment();
        engine.stats.count(outcome.wireName());
        status = failure.status;
        ended = true;
        String param = failure == Wire.Failure.BAD_REQUEST ? "messages" : null;
        end(outcome, failure.status);
        respond(HttpResponseStatus.valueOf(failure.status), wire.error(failure, message, param, code), retryAfterNanos);
    }

    private void respond(HttpResponseStatus status, String json, long retryAfterNanos) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(wire.requestIdHeader(), id);
        wire.rateLimitHeaders(h, limits);
        HttpDate.set(h);
        if (retryAfterNanos >= 0 && status.code() == 429) {
            h.set("retry-after", Long.toString(Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L)))
                    .set("retry-after-ms", Long.toString(Math.max(1, (retryAfterNanos + 999_999L) / 1_000_000L)));
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Whether the client has gone, the reply then abandoned: a step that finds it so does nothing more. */
    private boolean clientLeft() {
        if (ctx.channel().isActive()) {
            return false;
        }
        abandon();
        return true;
    }

    private void abandon() {
        if (finalized) {
            return;
        }
        ended = true;
        engine.stats.abandoned.increment();
        end(Outcome.ABANDONED, status);
    }

    /** A step failed inside the endpoint: the request is dropped, counted, and its connection closed. */
    private void failed(RuntimeException e) {
        engine.stats.count(Outcome.ENDPOINT_ERROR.wireName());
        ended = true;
        end(Outcome.ENDPOINT_ERROR, 500);
        ctx.close();
    }

    /** Releases what the reply held and writes its truth. Once. */
    private void end(Outcome outcome, int httpStatus) {
        if (finalized) {
            return;
        }
        finalized = true;
        ended = true;
        long now = System.nanoTime();
        if (pending != null) {
            pending.cancel(false);
        }
        ctx.channel().closeFuture().removeListener(onClose);
        engine.stats.active.decrementAndGet();
        if (outcome == Outcome.COMPLETE) {
            engine.stats.completed.increment();
        }
        if (scheduled) {
            countGenerated();
            SimMetrics m = engine.metrics;
            m.finished(outcome != Outcome.COMPLETE ? SimMetrics.Finish.ABORT
                    : plan.stop == Stop.LENGTH ? SimMetrics.Finish.LENGTH : SimMetrics.Finish.STOP);
            m.e2e.observe((now - arrival) * 1e-9);
            if (slotAt >= 0) {
                m.queue.observe((slotAt - headersAt) * 1e-9);
            }
        }
        if (holdingSlot) {
            holdingSlot = false;
            engine.metrics.kv(-kvHeld);
            kvHeld = 0;
            engine.slots.release(now);
        }
        if (engine.limiter != null && limits != null && limits.admitted() && wire.api() == io.soaklab.protocol.Api.ANTHROPIC) {
            engine.limiter.refundOutput(Math.max(0, cap - emitted), now); // Anthropic settles output at the actual count
        }
        engine.live.remove(this);
        TruthLog truth = engine.truth;
        if (truth != null) {
            truth.add(new TruthLine.Entry(id, wire.api().wireName(), truth.epochMicros(arrival), httpStatus, outcome.wireName(), fault.wireName(),
                    request.promptTokens(), cachedTokens, cacheWriteTokens, cacheWrite1hTokens, emitted, Math.min(emitted, reasoningTokens()),
                    since(headersAt, slotAt), since(arrival, headersAt), since(arrival, firstPlanned), since(arrival, firstActual),
                    since(arrival, lastPlanned), since(arrival, lastActual), since(arrival, now), plannedItl / 1000, maxLate / 1000,
                    busyAtStart, latencyFactor));
        }
    }

    /** The endpoint is closing: the reply ends where it is, on its own event loop; the future tells when. */
    io.netty.util.concurrent.Future<?> shutdown() {
        return ctx.executor().submit(() -> {
            if (!finalized) {
                ended = true;
                end(Outcome.ENDPOINT_CLOSED, status);
            }
        });
    }

    // ---- metrics -----------------------------------------------------------------------------

    /** The first generated token: vLLM counts the prompt as processed then, and the TTFT from arrival. */
    private void firstToken(long at) {
        engine.metrics.ttft.observe((at - arrival) * 1e-9);
        engine.metrics.promptTokens.inc(request.promptTokens());
    }

    /** Counts the tokens generated since the last count (once per flushed chunk, and at the end), into the KV cache too. */
    private void countGenerated() {
        int fresh = emitted - tokensCounted;
        if (fresh > 0) {
            tokensCounted = emitted;
            engine.metrics.generationTokens.inc(fresh);
            if (holdingSlot) {
                kvHeld += fresh;
                engine.metrics.kv(fresh);
            }
        }
    }

    /**
     * A whole reply's token times, as the engine generated them: its first token when planned (the body leaves with
     * the last), and its planned gaps, each observed as their mean.
     */
    private void wholeReplyTimes() {
        firstToken(firstPlanned);
        int tokens = plan.visibleTokens + (plan.reasoningVisible ? plan.reasoningTokens : 0);
        if (tokens > 1) {
            double gap = (lastPlanned - firstPlanned) * 1e-9 / (tokens - 1);
            for (int i = 1; i < tokens; i++) {
                engine.metrics.itl.observe(gap);
            }
        }
    }

    private static long since(long from, long to) {
        return from < 0 || to < 0 ? -1 : (to - from) / 1000;
    }

    // ---- timing ------------------------------------------------------------------------------

    /** The gap before the next token: decode rate, slowed by the batch, the context and drift. */
    private long itl(long now, boolean withJitter) {
        SimConfig.Serving serving = config.serving();
        double busy = Math.max(1, engine.slots.busy(now));
        double context = request.promptTokens() + emitted;
        double gap = 1e9 / config.latency().decodeTokensPerSecond() * engine.clock.latencyFactor(now)
                * (1 + serving.batchSlowdown() * (busy - 1)) * (1 + serving.contextSlowdown() * context / 10_000);
        return (long) (withJitter ? gap * jitter() : gap);
    }

    /** A delay, scaled by drift and jitter. */
    private long delay(long nanos) {
        return (long) (nanos * latencyFactor * jitter());
    }

    private double jitter() {
        double j = config.latency().jitter();
        return j == 0 ? 1.0 : 1.0 + j * (2 * random.nextDouble() - 1);
    }

    /** Runs {@code step} on the connection's event loop at {@code nanoTime} (now if past), unless the reply has ended. */
    private void at(long nanoTime, Runnable step) {
        schedule(nanoTime, guard(step));
    }

    /** {@code step}, skipped once the reply has ended, and failing the reply (not the loop) if it throws. */
    private Runnable guard(Runnable step) {
        return () -> {
            if (ended) {
                return;
            }
            try {
                step.run();
            } catch (RuntimeException e) {
                failed(e);
            }
        };
    }

    private void schedule(long nanoTime, Runnable guarded) {
        long delay = nanoTime - System.nanoTime();
        if (delay <= 0 && ctx.executor().inEventLoop()) {
            guarded.run();
        } else if (delay <= 0) {
            pending = null;
            ctx.executor().execute(guarded);
        } else {
            pending = ctx.executor().schedule(guarded, delay, TimeUnit.NANOSECONDS);
        }
    }
}
