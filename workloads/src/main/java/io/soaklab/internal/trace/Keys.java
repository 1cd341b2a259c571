package io.soaklab.internal.trace;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The attribute names a trace of an episode carries: the OpenTelemetry GenAI semantic conventions'
 * ({@code gen_ai.*}, development status, as of semantic-conventions 1.37+), the general ones it
 * uses ({@code error.type}, {@code server.*}), and soaklab's own ({@code soaklab.*}).
 */
final class Keys {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
    static final AttributeKey<String> CONVERSATION = AttributeKey.stringKey("gen_ai.conversation.id");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    /** Input tokens served from the provider's cache; part of {@link #INPUT_TOKENS}, as the conventions count them. */
    static final AttributeKey<Long> CACHE_READ_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    /** Input tokens written to the provider's cache; part of {@link #INPUT_TOKENS} too. */
    static final AttributeKey<Long> CACHE_WRITE_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> TOOL_TYPE = AttributeKey.stringKey("gen_ai.tool.type");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    static final AttributeKey<String> RUN = AttributeKey.stringKey("soaklab.run");
    static final AttributeKey<String> SCENARIO = AttributeKey.stringKey("soaklab.scenario");
    static final AttributeKey<Long> USER = AttributeKey.longKey("soaklab.user");
    static final AttributeKey<Long> EPISODE = AttributeKey.longKey("soaklab.episode");
    static final AttributeKey<String> ROLE = AttributeKey.stringKey("soaklab.role");
    static final AttributeKey<Long> STEP = AttributeKey.longKey("soaklab.step");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("soaklab.attempt");
    static final AttributeKey<Boolean> LAST = AttributeKey.booleanKey("soaklab.last_attempt");
    static final AttributeKey<Long> INTENDED_START = AttributeKey.longKey("soaklab.intended_start");
    static final AttributeKey<Double> LAG_MS = AttributeKey.doubleKey("soaklab.schedule_lag_ms");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("soaklab.outcome");
    static final AttributeKey<Double> COST = AttributeKey.doubleKey("soaklab.cost_usd");
    static final AttributeKey<String> USAGE_SOURCE = AttributeKey.stringKey("soaklab.usage_source");
    static final AttributeKey<Long> REASONING_TOKENS = AttributeKey.longKey("soaklab.reasoning_tokens");
    static final AttributeKey<Long> CALLS = AttributeKey.longKey("soaklab.calls");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("soaklab.attempts");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("soaklab.reason");
    /** True when {@link #INPUT_MESSAGES} was cut to its cap. */
    static final AttributeKey<Boolean> INPUT_CUT = AttributeKey.booleanKey("soaklab.input_messages_truncated");
    /** How many of a call's messages (the oldest) were left out of {@link #INPUT_MESSAGES} to keep it under its cap. */
    static final AttributeKey<Long> INPUT_LEFT_OUT = AttributeKey.longKey("soaklab.input_messages_left_out");
    /** True when {@link #OUTPUT_MESSAGES} was cut to its cap. */
    static final AttributeKey<Boolean> OUTPUT_CUT = AttributeKey.booleanKey("soaklab.output_messages_truncated");

    /** The span event at a call's first token. */
    static final String FIRST_TOKEN = "first_token";

    private Keys() {
    }
}
