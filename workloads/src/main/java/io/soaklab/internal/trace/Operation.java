package io.soaklab.internal.trace;

/** The GenAI operations a trace of an episode shows: {@code gen_ai.operation.name}, and the first word of a span's name. */
enum Operation {
    /** An agent at work: the episode's root agent, or a sub-agent on a lane of its own. */
    INVOKE_AGENT("invoke_agent"),
    /** One attempt of a model call. */
    CHAT("chat"),
    /** A tool's run, as the scenario plays it on the lane's timeline. */
    EXECUTE_TOOL("execute_tool");

    private final String wireName;

    Operation(String wireName) {
        this.wireName = wireName;
    }

    /** The name the conventions give it. */
    String wireName() {
        return wireName;
    }

    /** A span's name: the operation, then what it acts on ({@code chat gpt-5.4-mini}, {@code execute_tool grep}). */
    String spanName(String target) {
        return target == null || target.isEmpty() ? wireName : wireName + " " + target;
    }
}
