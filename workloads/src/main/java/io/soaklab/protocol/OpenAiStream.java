package io.soaklab.protocol;

import static io.soaklab.protocol.JsonFields.eachField;
import static io.soaklab.protocol.JsonFields.longOr;
import static io.soaklab.protocol.JsonFields.numberIn;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.JsonFields.ContentReader;
import io.soaklab.protocol.JsonFields.FieldReader;
import java.io.IOException;

/**
 * The events of an OpenAI Chat Completions stream: {@code data:} chunks whose choices carry
 * {@code delta}s (text, reasoning, tool-call fragments), a usage chunk, and {@code [DONE]}; and what
 * compatible servers add: errors as {@code {"error": ...}} chunks or (older vLLM) as a top-level
 * {@code {"object": "error", ...}}, usage in chunks that also carry content, llama.cpp's
 * {@code timings} (its prefix-cache hits, where it reports no {@code cached_tokens}).
 */
final class OpenAiStream extends StreamCall {

    private long prompt = -1;
    private long completion = -1;
    private long cached;
    private boolean cachedReported;
    private long reasoning;
    /** llama.cpp's {@code timings.prompt_n}: prompt tokens it evaluated (the rest came from its cache), -1 when not seen. */
    private long timingsEvaluated = -1;

    OpenAiStream(StreamingClient client, long intended, long sent, int maxTokens) {
        super(client, intended, sent, maxTokens);
    }

    @Override
    protected void event(SseParser.Event event) throws IOException {
        if (event.dataEquals("[DONE]")) {
            done();
            return;
        }
        if (event.typeEquals("error")) {
            outcome.serverError("error event: ", event.data(), 0, event.dataLength());
            return;
        }
        chunkToken = false;
        chunkIsError = false;
        if (!eachField(event, "chunk", chunkField, outcome)) {
            return;
        }
        if (chunkIsError) {
            outcome.serverError("error in stream: ", event.data(), 0, event.dataLength());
        }
        if (chunkToken) {
            reply.token();
        }
        usageFromTimings();
    }

    /** Whether the chunk being read carried content, and whether it said it is an error object. */
    private boolean chunkToken;
    private boolean chunkIsError;

    private final FieldReader chunkField = (p, field, value) -> {
        switch (field) {
            case "choices" -> chunkToken |= value == JsonToken.START_ARRAY && readChoices(p, "delta");
            case "usage" -> readUsage(p, value);
            case "timings" -> timingsEvaluated = numberIn(p, value, "prompt_n", timingsEvaluated);
            case "error" -> outcome.errorMember(p, value, "stream");
            case "object" -> chunkIsError = value == JsonToken.VALUE_STRING && isError(p); // every chunk has one: no String per chunk
            default -> p.skipChildren();
        }
    };

    @Override
    protected void wholeReply(JsonParser p) throws IOException {
        eachField(p, JsonToken.START_OBJECT, replyField);
        usageFromTimings();
    }

    private final FieldReader replyField = (p, field, value) -> {
        switch (field) {
            case "choices" -> {
                if (value != JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else if (readChoices(p, "message")) {
                    reply.token(); // the whole reply is one chunk, arriving at the end
                }
            }
            case "usage" -> readUsage(p, value);
            case "timings" -> timingsEvaluated = numberIn(p, value, "prompt_n", timingsEvaluated);
            case "error" -> outcome.errorMember(p, value, "reply");
            case "object" -> {
                if (value == JsonToken.VALUE_STRING && isError(p)) {
                    byte[] whole = wholeBody();
                    outcome.serverError("error in reply: ", whole, 0, whole.length);
                }
            }
            default -> p.skipChildren();
        }
    };

    /** Which member of the choices being read holds their content: {@code delta}, or a whole reply's {@code message}. */
    private String choicePart;

    /** Reads a {@code choices} array; true when some choice's {@code part} carried generated content. */
    private boolean readChoices(JsonParser p, String part) throws IOException {
        choicePart = part;
        boolean token = false;
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
            token |= choice.read(p, element);
        }
        return token;
    }

    private final ContentReader choice = new ContentReader() {
        @Override
        public void field(JsonParser p, String field, JsonToken value) throws IOException {
            if (field.equals(choicePart) && value == JsonToken.START_OBJECT) {
                content |= delta.read(p, value);
            } else if (field.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
                reply.finishReason(p.getText());
            } else {
                p.skipChildren();
            }
        }
    };

    /** A choice's delta (or a whole reply's message). */
    private final ContentReader delta = new ContentReader() {
        @Override
        public void field(JsonParser p, String field, JsonToken value) throws IOException {
            switch (field) {
                case "content" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        content |= reply.text(p);
                    } else if (value == JsonToken.START_ARRAY) {
                        content |= readContentParts(p); // e.g. [{"type":"text","text":...}, {"type":"thinking",...}]
                    } else {
                        p.skipChildren();
                    }
                }
                // reasoning_content: vLLM, DeepSeek, llama.cpp; reasoning: Ollama, OpenRouter. Kept apart from the text.
                case "reasoning_content", "reasoning" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        content |= reply.reasoning(p);
                    } else {
                        content |= value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY;
                        p.skipChildren();
                    }
                }
                case "tool_calls" -> {
                    if (value == JsonToken.START_ARRAY) {
                        for (JsonToken call = p.nextToken(); call != JsonToken.END_ARRAY; call = p.nextToken()) {
                            content = true;
                            readToolCall(p, call);
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "function_call" -> {
                    content |= value == JsonToken.START_OBJECT;
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
    };

    /** The tool call being read: its index, id, name and arguments, as far as this fragment says. */
    private int callIndex;
    private String callId;
    private String callName;
    private String callArguments;

    /** One element of {@code tool_calls} ({@code value} its first token): a whole call, or in a stream a fragment of one. */
    private void readToolCall(JsonParser p, JsonToken value) throws IOException {
        callIndex = 0;
        callId = null;
        callName = null;
        callArguments = null;
        if (!eachField(p, value, toolCallField)) {
            return;
        }
        reply.toolCall(callIndex, callId, callName);
        if (callArguments != null && !callArguments.isEmpty()) {
            reply.toolArguments(callIndex, callArguments);
        }
    }

    private final FieldReader functionField = (p, field, v) -> {
        if (field.equals("name") && v == JsonToken.VALUE_STRING) {
            callName = p.getText();
        } else if (field.equals("arguments") && v == JsonToken.VALUE_STRING) {
            callArguments = p.getText();
        } else {
            p.skipChildren();
        }
    };

    private final FieldReader toolCallField = (p, field, v) -> {
        switch (field) {
            case "index" -> callIndex = v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : callIndex;
            case "id" -> callId = v == JsonToken.VALUE_STRING ? p.getText() : null;
            case "function" -> eachField(p, v, functionField);
            default -> p.skipChildren();
        }
    };

    /** Content as an array of parts, the parser on its start: text is kept, any non-empty part is generated content. */
    private boolean readContentParts(JsonParser p) throws IOException {
        boolean token = false;
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
            if (element == JsonToken.START_OBJECT) {
                token |= contentPart.read(p, element);
            } else {
                token |= element == JsonToken.VALUE_STRING && p.getTextLength() > 0;
                p.skipChildren();
            }
        }
        return token;
    }

    private final ContentReader contentPart = new ContentReader() {
        @Override
        public void field(JsonParser p, String field, JsonToken v) throws IOException {
            if (v == JsonToken.VALUE_STRING && field.equals("text")) {
                content |= reply.text(p);
            } else if (v == JsonToken.VALUE_STRING && field.equals("thinking")) {
                content |= reply.reasoning(p);
            } else {
                p.skipChildren();
            }
        }
    };

    private void readUsage(JsonParser p, JsonToken value) throws IOException {
        if (eachField(p, value, usageField) && prompt >= 0 && completion >= 0) {
            reply.usage(prompt, completion, cached, reasoning, 0, 0);
        }
    }

    private final FieldReader usageField = (p, field, v) -> {
        switch (field) {
            case "prompt_tokens" -> prompt = longOr(p, v, prompt);
            case "completion_tokens" -> completion = longOr(p, v, completion);
            case "prompt_tokens_details" -> {
                long found = numberIn(p, v, "cached_tokens", -1);
                if (found >= 0) {
                    cached = found;
                    cachedReported = true;
                }
            }
            case "completion_tokens_details" -> reasoning = numberIn(p, v, "reasoning_tokens", reasoning);
            default -> p.skipChildren();
        }
    };

    /** True when the current string value is {@code error}, compared in place. */
    private static boolean isError(JsonParser p) throws IOException {
        if (p.getTextLength() != 5) {
            return false;
        }
        char[] c = p.getTextCharacters();
        int o = p.getTextOffset();
        return c[o] == 'e' && c[o + 1] == 'r' && c[o + 2] == 'r' && c[o + 3] == 'o' && c[o + 4] == 'r';
    }

    /**
     * Where the server reported usage but no {@code cached_tokens}, and its {@code timings} say how
     * many prompt tokens it evaluated, the rest came from its cache: those are the cached tokens,
     * flagged as derived there (even when none were).
     */
    private void usageFromTimings() {
        if (timingsEvaluated >= 0 && !cachedReported && prompt >= 0 && completion >= 0) {
            cached = Math.max(0, prompt - Math.min(prompt, timingsEvaluated));
            reply.usage(prompt, completion, cached, reasoning, 0, 0);
            reply.flag(CallFlag.CACHE_FROM_TIMINGS);
        }
    }
}
