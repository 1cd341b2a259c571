package io.soaklab.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolSpec;
import io.soaklab.internal.resilience.Resilience;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A scenario as its YAML file describes it. Every field but {@code name}, {@code description} and
 * {@code kind} has a default; the schema, with every field, is in {@code docs/scenarios.md}, and
 * the built-in files ({@code soaklab scenarios --show NAME}) are examples of each kind.
 *
 * @param name               short name
 * @param description        one line
 * @param kind               the shape of an episode
 * @param systemPromptTokens size of the system prompt, the same in every episode
 * @param taskTokens         size of the task an episode starts with
 * @param steps              planned model calls of an agent's work (a tool call and its results each)
 * @param maxTokens          output cap of each call
 * @param thinkTime          pause between an agent's calls, besides tool time
 * @param promptCaching      ask for prompt caching where the protocol must be asked (Anthropic)
 * @param cacheTtl           the lifetime of the system prompt's cache breakpoint (Anthropic); the last turn's is five minutes
 * @param reasoning          extended thinking within a budget (Anthropic) or a reasoning effort (OpenAI), or none
 * @param tools              the tools agents may call, simulated by soaklab
 * @param onToolFailure      what an agent does when a tool fails
 * @param context            when and how a long conversation is compacted
 * @param team               kind {@code team}: coordinator and specialists
 * @param probe              kind {@code probe}: facts planted in a long context, then asked for
 * @param resume             kind {@code resume}: sessions separated by gaps, resumed from memory or full history
 * @param chat               kind {@code chat}: short conversational turns
 * @param replay             kind {@code replay}: the recorded trace replayed, and how ({@code docs/replay.md})
 * @param resilience         retries, retry budget and circuit breaker of the client
 */
public record ScenarioSpec(String name, String description, Kind kind, int systemPromptTokens, Dist taskTokens, Dist steps,
                           int maxTokens, Span thinkTime, boolean promptCaching, ChatRequest.CacheTtl cacheTtl, ChatRequest.Reasoning reasoning,
                           List<Tool> tools, OnToolFailure onToolFailure,
                           Context context, Team team, Probe probe, Resume resume, Chat chat, Replay replay,
                           Resilience resilience) {

    /** The shapes an episode can take. */
    public enum Kind {
        /** One agent: calls, tool calls and results, compaction when the context grows past its budget. */
        AGENT,
        /** A coordinator plans, specialists work in parallel, the coordinator merges. */
        TEAM,
        /** Facts planted at known depths of a long context, then asked for; answers checked. */
        PROBE,
        /** Several sessions of agent work separated by gaps, each resumed from carried memory or the full history. */
        RESUME,
        /** Short conversational turns without tools. */
        CHAT,
        /** The requests of a recorded trace (Mooncake, or a log of chat-completions requests), at their recorded times. */
        REPLAY;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static Kind read(String text) {
            return named(Kind.class, text, "kind");
        }
    }

    public ScenarioSpec {
        require(name != null && name.matches("[a-z0-9][a-z0-9._-]*"), "name must be lower-case letters, digits, '.', '_' or '-', was '" + name + "'");
        require(description != null && !description.isBlank(), "description is required");
        Objects.requireNonNull(kind, "kind is required");
        tools = entries(tools, "tools");
        require(systemPromptTokens >= 0 && systemPromptTokens <= 1_000_000, "system_prompt_tokens must be within 0..1000000");
        require(maxTokens >= 1, "max_tokens must be at least 1");
        require(steps.min() >= 1, "steps must be at least 1");
        require(kind != Kind.REPLAY || replay.file() != null, "kind replay needs replay.file, the trace to replay");
        Set<String> names = new HashSet<>();
        for (Tool t : tools) {
            require(names.add(t.name()), "tool '" + t.name() + "' is defined twice");
        }
        for (Tool t : tools) {
            require(t.fallback() == null || (names.contains(t.fallback()) && !t.fallback().equals(t.name())),
                    "tool '" + t.name() + "': fallback '" + t.fallback() + "' is not another tool of this scenario");
        }
        require(onToolFailure.then() != OnToolFailure.Then.FALLBACK || tools.stream().anyMatch(t -> t.fallback() != null),
                "on_tool_failure.then is fallback, but no tool names a fallback");
        SpecAsks.check(kind, promptCaching, Objects.requireNonNull(cacheTtl, "cacheTtl"), Objects.requireNonNull(reasoning, "reasoning"),
                maxTokens, !tools.isEmpty(), context, team, probe, resume);
    }

    /**
     * Why this scenario cannot run on {@code api}, or null: a thinking budget and a one-hour cache
     * lifetime are Anthropic's, a reasoning effort OpenAI's, and an ask is refused rather than dropped.
     */
    public String problemOn(Api api) {
        return SpecAsks.problemOn(this, api);
    }

    /** A call of this scenario: the conversation, its cap and tools, and what the scenario asks of caching and reasoning. */
    ChatRequest request(List<Message> messages, int cap, List<ToolSpec> callTools, ChatRequest.ToolChoice choice) {
        return new ChatRequest(messages, cap, callTools, choice, promptCaching, cacheTtl, reasoning);
    }

    /** The tools as the model is offered them. */
    public List<ToolSpec> wireTools() {
        return tools.stream().map(Tool::wire).toList();
    }

    /** The tool called {@code name}, or null. */
    public Tool tool(String name) {
        for (Tool t : tools) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    @JsonCreator
    static ScenarioSpec read(@JsonProperty(value = "name", required = true) String name,
                             @JsonProperty(value = "description", required = true) String description,
                             @JsonProperty(value = "kind", required = true) Kind kind,
                             @JsonProperty("system_prompt_tokens") Integer systemPromptTokens,
                             @JsonProperty("task_tokens") Dist taskTokens, @JsonProperty("steps") Dist steps,
                             @JsonProperty("max_tokens") Integer maxTokens, @JsonProperty("think_time") Span thinkTime,
                             @JsonProperty("prompt_caching") Boolean promptCaching, @JsonProperty("cache_ttl") String cacheTtl,
                             @JsonProperty("thinking_budget") Integer thinkingBudget, @JsonProperty("reasoning_effort") String reasoningEffort,
                             @JsonProperty("tools") List<Tool> tools,
                             @JsonProperty("on_tool_failure") OnToolFailure onToolFailure, @JsonProperty("context") Context context,
                             @JsonProperty("team") Team team, @JsonProperty("probe") Probe probe, @JsonProperty("resume") Resume resume,
                             @JsonProperty("chat") Chat chat, @JsonProperty("replay") Replay replay,
                             @JsonProperty("resilience") Resilience resilience) {
        return new ScenarioSpec(name, description, kind, or(systemPromptTokens, 1200), or(taskTokens, Dist.uniform(80, 400)),
                or(steps, Dist.uniform(4, 12)), or(maxTokens, 800), or(thinkTime, Span.ZERO), or(promptCaching, true),
                SpecAsks.cacheTtl(cacheTtl), SpecAsks.reasoning(thinkingBudget, reasoningEffort), or(tools, List.of()), or(onToolFailure, OnToolFailure.DEFAULT), or(context, Context.NEVER),
                or(team, Team.DEFAULT), or(probe, Probe.DEFAULT), or(resume, Resume.DEFAULT), or(chat, Chat.DEFAULT),
                or(replay, Replay.NONE), or(resilience, Resilience.none()));
    }

    /**
     * A tool the agents may call. soaklab runs it: it takes {@code latency}, fails or times out with
     * the given probabilities, and returns {@code outputTokens} of output.
     *
     * @param parameters  parameter names and JSON types ({@code string}, {@code integer}, {@code number}, {@code boolean}, {@code array}, {@code object})
     * @param fallback    another tool to use when this one keeps failing (with {@code on_tool_failure.then: fallback})
     */
    public record Tool(String name, String description, Map<String, String> parameters, Dist outputTokens, Span latency,
                       double failureRate, double timeoutRate, Duration timeout, String fallback) {

        private static final Set<String> TYPES = Set.of("string", "integer", "number", "boolean", "array", "object");

        public Tool {
            require(name != null && name.matches("[A-Za-z0-9_-]{1,64}"), "tool name must be 1-64 letters, digits, '_' or '-', was '" + name + "'");
            parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
            for (Map.Entry<String, String> p : parameters.entrySet()) {
                require(p.getValue() != null, "tool '" + name + "': parameter '" + p.getKey() + "' has no type");
                require(TYPES.contains(p.getValue()), "tool '" + name + "': parameter '" + p.getKey() + "' has type '" + p.getValue()
                        + "' (known: string, integer, number, boolean, array, object)");
            }
            require(failureRate >= 0 && timeoutRate >= 0 && failureRate + timeoutRate <= 1,
                    "tool '" + name + "': failure_rate and timeout_rate must be >= 0 and add up to at most 1");
            require(!timeout.isNegative(), "tool '" + name + "': timeout must not be negative");
        }

        @JsonCreator
        static Tool read(@JsonProperty(value = "name", required = true) String name, @JsonProperty("description") String description,
                         @JsonProperty("parameters") Map<String, String> parameters, @JsonProperty("output_tokens") Dist outputTokens,
                         @JsonProperty("latency") Span latency, @JsonProperty("failure_rate") Double failureRate,
                         @JsonProperty("timeout_rate") Double timeoutRate, @JsonProperty("timeout") Duration timeout,
                         @JsonProperty("fallback") String fallback) {
            return new Tool(name, or(description, name), or(parameters, Map.of("input", "string")),
                    or(outputTokens, Dist.logNormal(300, 0.8, 1, 4000)), or(latency, Span.of(Duration.ofMillis(100))),
                    or(failureRate, 0.0), or(timeoutRate, 0.0), or(timeout, Duration.ofSeconds(30)), fallback);
        }

        ToolSpec wire() {
            StringBuilder schema = new StringBuilder("{\"type\":\"object\",\"properties\":{");
            StringBuilder required = new StringBuilder();
            parameters.forEach((p, type) -> {
                String sep = required.length() == 0 ? "" : ",";
                schema.append(sep).append('"').append(p).append("\":{\"type\":\"").append(type).append("\"}");
                required.append(sep).append('"').append(p).append('"');
            });
            schema.append("},\"required\":[").append(required).append("]}");
            return new ToolSpec(name, description, schema.toString());
        }
    }

    /**
     * What an agent does when a tool fails: rerun it up to {@code retries} times, then tell the
     * model (which costs another call), switch to the tool's fallback, or give the task up. With
     * {@code cascade} &gt; 0 each failure in an episode makes the next one likelier by that factor.
     */
    public record OnToolFailure(int retries, Then then, double cascade) {

        static final OnToolFailure DEFAULT = new OnToolFailure(0, Then.TELL_MODEL, 0);

        /** The step after the retries. */
        public enum Then {
            TELL_MODEL, FALLBACK, GIVE_UP;

            @JsonValue
            public String wireName() {
                return name().toLowerCase(Locale.ROOT);
            }

            @JsonCreator
            static Then read(String text) {
                return named(Then.class, text, "on_tool_failure.then");
            }
        }

        public OnToolFailure {
            require(retries >= 0 && retries <= 20, "on_tool_failure.retries must be within 0..20");
            require(cascade >= 0, "on_tool_failure.cascade must not be negative");
        }

        @JsonCreator
        static OnToolFailure read(@JsonProperty("retries") Integer retries, @JsonProperty("then") Then then,
                                  @JsonProperty("cascade") Double cascade) {
            return new OnToolFailure(or(retries, 0), or(then, Then.TELL_MODEL), or(cascade, 0.0));
        }
    }

    /**
     * Compaction, as agent harnesses do it: when the conversation reaches {@code budget} tokens, it is
     * cut down to about {@code compactTo}, by a model-written summary or by dropping the oldest turns.
     * A budget of 0 never compacts.
     */
    public record Context(int budget, int compactTo, Compaction compaction) {

        static final Context NEVER = new Context(0, 0, Compaction.SUMMARIZE);

        /** How a conversation is compacted. */
        public enum Compaction {
            SUMMARIZE, TRUNCATE;

            @JsonValue
            public String wireName() {
                return name().toLowerCase(Locale.ROOT);
            }

            @JsonCreator
            static Compaction read(String text) {
                return named(Compaction.class, text, "compaction");
            }
        }

        public Context {
            require(budget >= 0 && compactTo >= 0, "context budget and compact_to must not be negative");
            require(budget == 0 || (compactTo >= 1 && compactTo < budget), "context.compact_to must be at least 1 and below budget");
        }

        @JsonCreator
        static Context read(@JsonProperty("budget") Integer budget, @JsonProperty("compact_to") Integer compactTo,
                            @JsonProperty("compaction") Compaction compaction) {
            int b = or(budget, 0);
            return new Context(b, or(compactTo, b / 4), or(compaction, Compaction.SUMMARIZE));
        }

        public boolean enabled() {
            return budget > 0;
        }
    }

    /**
     * A team: the coordinator plans ({@code planTokens} of output), {@code specialists} sub-agents
     * work in parallel, each for {@code specialistSteps} steps, then the coordinator merges.
     */
    public record Team(Dist specialists, List<String> roles, Dist specialistSteps, int planTokens, int mergeTokens,
                       int specialistPromptTokens) {

        static final Team DEFAULT = new Team(Dist.uniform(2, 4), List.of("researcher", "coder", "reviewer"), Dist.uniform(2, 5),
                400, 600, 600);

        public Team {
            roles = entries(roles, "team.roles");
            require(!roles.isEmpty(), "team.roles must name at least one role");
            require(specialists.min() >= 1 && specialists.max() <= 64, "team.specialists must be within 1..64");
            require(specialistSteps.min() >= 1, "team.specialist_steps must be at least 1");
            require(planTokens >= 1 && mergeTokens >= 1 && specialistPromptTokens >= 0, "team token sizes must be positive");
            for (String r : roles) {
                require(r.matches("[a-z0-9_-]+") && !r.equals("coordinator"), "team role '" + r + "' must be lower-case and not 'coordinator'");
            }
        }

        @JsonCreator
        static Team read(@JsonProperty("specialists") Dist specialists, @JsonProperty("roles") List<String> roles,
                         @JsonProperty("specialist_steps") Dist specialistSteps, @JsonProperty("plan_tokens") Integer planTokens,
                         @JsonProperty("merge_tokens") Integer mergeTokens,
                         @JsonProperty("specialist_prompt_tokens") Integer specialistPromptTokens) {
            return new Team(or(specialists, DEFAULT.specialists), or(roles, DEFAULT.roles), or(specialistSteps, DEFAULT.specialistSteps),
                    or(planTokens, DEFAULT.planTokens), or(mergeTokens, DEFAULT.mergeTokens),
                    or(specialistPromptTokens, DEFAULT.specialistPromptTokens));
        }
    }

    /**
     * Long-context probes, MRCR-style: a document of one of {@code contextLengths} tokens with
     * {@code facts} distinct key-value facts at random depths; then {@code questions} questions, each
     * for one fact, answered in at most {@code answerTokens}.
     */
    public record Probe(List<Integer> contextLengths, int facts, int questions, int answerTokens) {

        static final Probe DEFAULT = new Probe(List.of(2000, 8000, 32000), 8, 2, 30);

        public Probe {
            contextLengths = entries(contextLengths, "probe.context_lengths");
            require(!contextLengths.isEmpty(), "probe.context_lengths must list at least one length");
            for (int l : contextLengths) {
                require(l >= 200 && l <= 2_000_000, "probe context lengths must be within 200..2000000 tokens, was " + l);
            }
            require(facts >= 1 && facts <= 1000, "probe.facts must be within 1..1000");
            require(questions >= 1 && questions <= facts, "probe.questions must be within 1..facts");
            require(answerTokens >= 10, "probe.answer_tokens must be at least 10");
        }

        @JsonCreator
        static Probe read(@JsonProperty("context_lengths") List<Integer> contextLengths, @JsonProperty("facts") Integer facts,
                          @JsonProperty("questions") Integer questions, @JsonProperty("answer_tokens") Integer answerTokens) {
            return new Probe(or(contextLengths, DEFAULT.contextLengths), or(facts, DEFAULT.facts), or(questions, DEFAULT.questions),
                    or(answerTokens, DEFAULT.answerTokens));
        }
    }

    /**
     * Session persistence: an episode is {@code sessions} sessions of agent work separated by
     * {@code gap}; each resumes from a memory the last one wrote ({@code memoryTokens} at most) or
     * from the full history, by {@code arms}, taken in turn by successive episodes.
     */
    public record Resume(int sessions, Span gap, int memoryTokens, List<String> arms) {

        static final Resume DEFAULT = new Resume(3, Span.of(Duration.ofSeconds(2)), 500, List.of("memory", "full"));

        public Resume {
            arms = entries(arms, "resume.arms");
            require(sessions >= 2 && sessions <= 100, "resume.sessions must be within 2..100");
            require(memoryTokens >= 10, "resume.memory_tokens must be at least 10");
            require(!arms.isEmpty() && Set.of("memory", "full").containsAll(arms), "resume.arms must be memory and/or full");
        }

        @JsonCreator
        static Resume read(@JsonProperty("sessions") Integer sessions, @JsonProperty("gap") Span gap,
                           @JsonProperty("memory_tokens") Integer memoryTokens, @JsonProperty("arms") List<String> arms) {
            return new Resume(or(sessions, DEFAULT.sessions), or(gap, DEFAULT.gap), or(memoryTokens, DEFAULT.memoryTokens),
                    or(arms, DEFAULT.arms));
        }
    }

    /** Chat: {@code turns} user turns of {@code userTokens} each, answered without tools. */
    public record Chat(Dist turns, Dist userTokens) {

        static final Chat DEFAULT = new Chat(Dist.uniform(1, 4), Dist.uniform(20, 80));

        public Chat {
            require(turns.min() >= 1, "chat.turns must be at least 1");
            require(userTokens.min() >= 1, "chat.user_tokens must be at least 1");
        }

        @JsonCreator
        static Chat read(@JsonProperty("turns") Dist turns, @JsonProperty("user_tokens") Dist userTokens) {
            return new Chat(or(turns, DEFAULT.turns), or(userTokens, DEFAULT.userTokens));
        }
    }

    /**
     * Replay: the trace in {@code file}, its timestamps divided by {@code speed} (0: as fast as the concurrency allows, written
     * {@code max}), the part of it from {@code from} to {@code to} (offsets from its first timestamp; {@code to} null for its end),
     * and whether each Mooncake request asks for exactly its recorded output length ({@code ignore_eos}, {@code min_tokens}).
     */
    public record Replay(String file, double speed, Duration from, Duration to, boolean exactOutput, String episode) {

        static final Replay NONE = new Replay(null, 1, Duration.ZERO, null, true, null);

        public Replay {
            require(speed >= 0 && Double.isFinite(speed), "replay.speed must be a number above 0, or max");
            require(from != null && !from.isNegative(), "replay.from must not be negative");
            require(to == null || to.compareTo(from) > 0, "replay.to must be after replay.from");
        }

        /** Whether requests keep the trace's times (scaled by the speed), rather than follow one another as fast as they can. */
        public boolean timed() {
            return speed > 0;
        }

        @JsonCreator
        static Replay read(@JsonProperty("file") String file, @JsonProperty("speed") String speed, @JsonProperty("from") Duration from,
                           @JsonProperty("to") Duration to, @JsonProperty("exact_output") Boolean exactOutput,
                           @JsonProperty("episode") String episode) {
            return new Replay(file, speed(speed), or(from, Duration.ZERO), to, or(exactOutput, true), episode);
        }

        /** A speed as written: a factor such as {@code 2} or {@code 0.5}, or {@code max}; 1 when not given. */
        static double speed(String text) {
            if (text == null) {
                return 1;
            }
            if (text.strip().equalsIgnoreCase("max")) {
                return 0;
            }
            try {
                double speed = Double.parseDouble(text.strip());
                require(speed > 0 && Double.isFinite(speed), "replay.speed must be a number above 0, or max, was '" + text + "'");
                return speed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("replay.speed must be a number above 0, or max, was '" + text + "'");
            }
        }
    }

    /** The constant whose lower-case name is {@code text}, or a message naming them all. */
    private static <E extends Enum<E>> E named(Class<E> type, String text, String what) {
        StringBuilder known = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            String name = e.name().toLowerCase(Locale.ROOT);
            if (name.equals(text)) {
                return e;
            }
            known.append(known.length() == 0 ? "" : ", ").append(name);
        }
        throw new IllegalArgumentException("unknown " + what + " '" + text + "' (known: " + known + ")");
    }

    /** An immutable copy of a list read from a file, every entry present. */
    private static <T> List<T> entries(List<T> list, String what) {
        for (int i = 0; i < list.size(); i++) {
            require(list.get(i) != null, what + "[" + i + "] is empty");
        }
        return List.copyOf(list);
    }

    private static <T> T or(T value, T otherwise) {
        return value == null ? otherwise : value;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
