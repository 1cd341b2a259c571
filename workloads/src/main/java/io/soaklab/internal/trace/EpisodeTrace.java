package io.soaklab.internal.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.soaklab.internal.record.CallInfo;
import io.soaklab.internal.record.EpisodeRecord;
import io.soaklab.protocol.CallResult;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.Usage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One episode's trace: what the runner tells of it is kept as it comes (a few references per
 * attempt), and the spans are built at its end, all at once, with the times the episode's timeline
 * gave them: an agent span per lane, a {@code chat} span per attempt, an {@code execute_tool}
 * span per tool run.
 */
final class EpisodeTrace implements EpisodeSpans.Episode {

    private static final class Lane {
        final int parent;
        final String role;
        final long start;
        long end = -1;

        Lane(int parent, String role, long start) {
            this.parent = parent;
            this.role = role;
            this.start = start;
        }
    }

    private record Attempt(int lane, CallInfo info, int maxTokens, List<Message> messages, CallResult result, BigDecimal cost) {
    }

    private record Tool(int lane, String name, long start, long end) {
    }

    private final Tracing tracing;
    private final int user;
    private final long episode;
    private final String scenario;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Attempt> attempts = new ArrayList<>();
    private final List<Tool> tools = new ArrayList<>();

    EpisodeTrace(Tracing tracing, int user, long episode, String scenario, long start) {
        this.tracing = tracing;
        this.user = user;
        this.episode = episode;
        this.scenario = scenario;
        lanes.add(new Lane(-1, null, start));
    }

    @Override
    public synchronized int lane(int parent, String role, long start) {
        lanes.add(new Lane(parent, role, start));
        return lanes.size() - 1;
    }

    @Override
    public synchronized void laneEnd(int lane, long end) {
        lanes.get(lane).end = end;
    }

    @Override
    public synchronized void attempt(int lane, CallInfo info, ChatRequest request, CallResult result, BigDecimal cost) {
        attempts.add(new Attempt(lane, info, request.maxTokens(), tracing.content() ? request.messages() : null, result, cost));
    }

    @Override
    public synchronized void tool(int lane, String name, long start, long end) {
        tools.add(new Tool(lane, name, start, end));
    }

    @Override
    public synchronized void end(EpisodeRecord record) {
        int spans = lanes.size() + attempts.size() + tools.size();
        if (tracing.admit(spans)) {
            try {
                build(record);
            } finally {
                tracing.admitted();
            }
        }
    }

    /** Builds and ends every span of the episode: children first, each lane's agent span after what it holds. */
    private void build(EpisodeRecord record) {
        Span[] agents = new Span[lanes.size()];
        long[] ends = new long[lanes.size()];
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(i);
            ends[i] = i == EpisodeSpans.MAIN ? Math.max(record.endNanos(), lane.start) : Math.max(lane.end, lane.start);
        }
        for (Attempt a : attempts) {
            stretch(ends, a.lane, a.result.intendedNanos() + Math.max(0, a.result.e2eNanos()));
        }
        for (Tool t : tools) {
            stretch(ends, t.lane, t.end);
        }
        for (int i = lanes.size() - 1; i > EpisodeSpans.MAIN; i--) { // a lane fans out from an earlier one: its end reaches its parent's
            stretch(ends, lanes.get(i).parent, ends[i]);
        }
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(i);
            boolean root = i == EpisodeSpans.MAIN;
            String role = root ? mainRole() : lane.role;
            SpanBuilder b = tracing.tracer().spanBuilder(Operation.INVOKE_AGENT.spanName(root ? scenario : role))
                    .setSpanKind(SpanKind.INTERNAL)
                    .setStartTimestamp(tracing.epochNanos(lane.start), TimeUnit.NANOSECONDS)
                    .setAttribute(Keys.OPERATION, Operation.INVOKE_AGENT.wireName())
                    .setAttribute(Keys.PROVIDER, tracing.provider())
                    .setAttribute(Keys.AGENT_NAME, role)
                    .setAttribute(Keys.REQUEST_MODEL, tracing.model())
                    .setAttribute(Keys.CONVERSATION, tracing.runId() + "/" + user + "/" + episode)
                    .setAttribute(Keys.USER, (long) user)
                    .setAttribute(Keys.EPISODE, episode);
            if (root) {
                b.setNoParent().setAttribute(Keys.SCENARIO, scenario);
            } else {
                b.setParent(Context.root().with(agents[lane.parent]));
            }
            agents[i] = b.startSpan();
        }
        for (Attempt a : attempts) {
            chat(agents[a.lane], a);
        }
        for (Tool t : tools) {
            tracing.tracer().spanBuilder(Operation.EXECUTE_TOOL.spanName(t.name))
                    .setParent(Context.root().with(agents[t.lane]))
                    .setSpanKind(SpanKind.INTERNAL)
                    .setStartTimestamp(tracing.epochNanos(t.start), TimeUnit.NANOSECONDS)
                    .setAttribute(Keys.OPERATION, Operation.EXECUTE_TOOL.wireName())
                    .setAttribute(Keys.TOOL_NAME, t.name)
                    .setAttribute(Keys.TOOL_TYPE, "function")
                    .startSpan()
                    .end(tracing.epochNanos(t.end), TimeUnit.NANOSECONDS);
        }
        for (int i = lanes.size() - 1; i > EpisodeSpans.MAIN; i--) {
            agents[i].end(tracing.epochNanos(ends[i]), TimeUnit.NANOSECONDS);
        }
        Span root = agents[EpisodeSpans.MAIN];
        Usage u = record.tokens();
        root.setAttribute(Keys.OUTCOME, record.ok() ? "ok" : "failed");
        root.setAttribute(Keys.CALLS, record.calls());
        root.setAttribute(Keys.ATTEMPTS, record.attempts());
        root.setAttribute(Keys.COST, record.cost().doubleValue());
        if (u.known()) {
            root.setAttribute(Keys.INPUT_TOKENS, u.promptTokens());
            root.setAttribute(Keys.OUTPUT_TOKENS, u.completionTokens());
        }
        if (!record.ok()) {
            String reason = record.reason() == null ? "failed" : record.reason();
            int colon = reason.indexOf(':');
            root.setAttribute(Keys.ERROR_TYPE, colon < 0 ? reason : reason.substring(0, colon));
            root.setAttribute(Keys.REASON, reason);
            root.setStatus(StatusCode.ERROR, reason);
        }
        root.end(tracing.epochNanos(ends[EpisodeSpans.MAIN]), TimeUnit.NANOSECONDS);
    }

    private void chat(Span agent, Attempt a) {
        CallResult r = a.result;
        CallInfo info = a.info;
        long start = r.intendedNanos();
        SpanBuilder b = tracing.tracer().spanBuilder(Operation.CHAT.spanName(tracing.model()))
                .setParent(Context.root().with(agent))
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(tracing.epochNanos(start), TimeUnit.NANOSECONDS)
                .setAttribute(Keys.OPERATION, Operation.CHAT.wireName())
                .setAttribute(Keys.PROVIDER, tracing.provider())
                .setAttribute(Keys.REQUEST_MODEL, tracing.model())
                .setAttribute(Keys.MAX_TOKENS, (long) a.maxTokens)
                .setAttribute(Keys.ROLE, info.role())
                .setAttribute(Keys.STEP, (long) info.step())
                .setAttribute(Keys.ATTEMPT, (long) info.attempt())
                .setAttribute(Keys.LAST, info.last())
                .setAttribute(Keys.USER, (long) user)
                .setAttribute(Keys.EPISODE, episode)
                .setAttribute(Keys.INTENDED_START, tracing.epochNanos(start))
                .setAttribute(Keys.OUTCOME, r.error().wireName())
                .setAttribute(Keys.COST, a.cost.doubleValue());
        if (tracing.serverAddress() != null) {
            b.setAttribute(Keys.SERVER_ADDRESS, tracing.serverAddress()).setAttribute(Keys.SERVER_PORT, (long) tracing.serverPort());
        }
        if (r.lagNanos() >= 0) {
            b.setAttribute(Keys.LAG_MS, r.lagNanos() / 1e6);
        }
        if (r.status() > 0) {
            b.setAttribute(Keys.HTTP_STATUS, (long) r.status());
        }
        if (r.requestId() != null) {
            b.setAttribute(Keys.RESPONSE_ID, r.requestId());
        }
        if (r.finishReason() != null) {
            b.setAttribute(Keys.FINISH_REASONS, List.of(r.finishReason()));
        }
        Usage u = r.usage();
        if (u.known()) {
            b.setAttribute(Keys.INPUT_TOKENS, u.promptTokens()).setAttribute(Keys.OUTPUT_TOKENS, u.completionTokens())
                    .setAttribute(Keys.USAGE_SOURCE, u.source().wireName());
            if (u.cachedTokens() > 0) {
                b.setAttribute(Keys.CACHE_READ_TOKENS, u.cachedTokens());
            }
            if (u.cacheWriteTokens() > 0) {
                b.setAttribute(Keys.CACHE_WRITE_TOKENS, u.cacheWriteTokens());
            }
            if (u.reasoningTokens() > 0) {
                b.setAttribute(Keys.REASONING_TOKENS, u.reasoningTokens());
            }
        }
        if (a.messages != null) {
            Content.Json in = Content.input(a.messages);
            b.setAttribute(Keys.INPUT_MESSAGES, in.text());
            if (in.leftOut() > 0 || in.cut()) {
                b.setAttribute(Keys.INPUT_CUT, true).setAttribute(Keys.INPUT_LEFT_OUT, (long) in.leftOut());
            }
            Content.Json out = Content.output(r);
            b.setAttribute(Keys.OUTPUT_MESSAGES, out.text());
            if (out.cut()) {
                b.setAttribute(Keys.OUTPUT_CUT, true);
            }
        }
        if (!r.ok()) {
            b.setAttribute(Keys.ERROR_TYPE, r.error().wireName());
        }
        Span span = b.startSpan();
        if (r.firstTokenNanos() >= 0) {
            span.addEvent(Keys.FIRST_TOKEN, tracing.epochNanos(start + r.firstTokenNanos()), TimeUnit.NANOSECONDS);
        }
        if (!r.ok()) {
            String detail = r.errorDetail();
            span.setStatus(StatusCode.ERROR, detail == null ? r.error().wireName() : detail.length() > 200 ? detail.substring(0, 200) : detail);
        }
        span.end(tracing.epochNanos(start + Math.max(0, r.e2eNanos())), TimeUnit.NANOSECONDS);
    }

    /** The main lane's role: the one its calls were made as ({@code coordinator} in a team), else {@code agent}. */
    private String mainRole() {
        for (Attempt a : attempts) {
            if (a.lane == EpisodeSpans.MAIN) {
                return a.info.role();
            }
        }
        return "agent";
    }

    private static void stretch(long[] ends, int lane, long end) {
        ends[lane] = Math.max(ends[lane], end);
    }
}
