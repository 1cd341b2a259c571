package io.soaklab.protocol;

import static io.soaklab.protocol.JsonFields.eachField;
import static io.soaklab.protocol.JsonFields.longOr;
import static io.soaklab.protocol.JsonFields.numberIn;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
            outcome.streamError("error event: " + ServerErrors.describe(event.data(), 0, event.dataLength()));
            return;
        }
        chunkToken = false;
        chunkIsError = false;
        if (!eachField(event, "chunk", chunkField, outcome)) {
            return;
        }
        if (chunkIsError) {
            outcome.streamError("error in stream: " + ServerErrors.describe(event.data(), 0, event.dataLength()));
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
            case "error" -> {
                if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_FALSE) { // "error": null is no error
                    outcome.streamError("error in stream: " + ServerErrors.errorValue(p, value));
                }
            }
            case "object" -> chunkIsError = value == JsonToken.VALUE_STRING && isError(p); // every chunk has one: no String per chunk
            default -> p.skipChildren();
        }
    };

    @Override
    protected void wholeReply(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "choices" -> {
                    if (value == JsonToken.START_ARRAY) {
                        if (readChoices(p, "message")) {
                            reply.token(); // the whole reply is one chunk, arriving at the end
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "usage" -> readUsage(p, value);
                case "timings" -> timingsEvaluated = numberIn(p, value, "prompt_n", timingsEvaluated);
                case "error" -> {
                    if (value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_FALSE) {
                        outcome.streamError("error in reply: " + ServerErrors.errorValue(p, value));
                    }
                }
                case "object" -> {
                    if (value == JsonToken.VALUE_STRING && isError(p)) {
                        byte[] whole = wholeBody();
                        outcome.streamError("error in reply: " + ServerErrors.describe(whole, 0, whole.length));
                    }
                }
                default -> p.skipChildren();
            }
        }
        usageFromTimings();
    }

    /** Reads a {@code choices} array; true when some choice's {@code delta} carried generated content. */
    private boolean readChoices(JsonParser p, String part) throws IOException {
        boolean token = false;
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
            if (element != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(part) && value == JsonToken.START_OBJECT) {
                    token |= readDelta(p);
                } else if (field.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
                    reply.finishReason(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        return token;
    }

    private boolean readDelta(JsonParser p) throws IOException {
        boolean token = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "content" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        if (p.getTextLength() > 0) {
                            reply.text(p);
                            token = true;
                        }
                    } else if (value == JsonToken.START_ARRAY) {
                        token |= readContentParts(p); // e.g. [{"type":"text","text":...}, {"type":"thinking",...}]
                    } else {
                        p.skipChildren();
                    }
                }
                // reasoning_content: vLLM, DeepSeek, llama.cpp; reasoning: Ollama, OpenRouter. Kept apart from the text.
                case "reasoning_content", "reasoning" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        if (p.getTextLength() > 0) {
                            reply.reasoning(p);
                            token = true;
                        }
                    } else {
                        token |= value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY;
                        p.skipChildren();
                    }
                }
                case "tool_calls" -> {
                    if (value == JsonToken.START_ARRAY) {
                        for (JsonToken call = p.nextToken(); call != JsonToken.END_ARRAY; call = p.nextToken()) {
                            token = true;
                            if (call == JsonToken.START_OBJECT) {
                                readToolCall(p);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                case "function_call" -> {
                    token |= value == JsonToken.START_OBJECT;
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        return token;
    }

    /** One element of {@code tool_calls}: a whole call, or in a stream a fragment of one. */
    private void readToolCall(JsonParser p) throws IOException {
        int index = 0;
        String id = null;
        String name = null;
        String args = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "index" -> index = v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : index;
                case "id" -> id = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "function" -> {
                    String[] function = {null, null};
                    eachField(p, v, (q, f, fv) -> {
                        if (f.equals("name") && fv == JsonToken.VALUE_STRING) {
                            function[0] = q.getText();
                        } else if (f.equals("arguments") && fv == JsonToken.VALUE_STRING) {
                            function[1] = q.getText();
                        } else {
                            q.skipChildren();
                        }
                    });
                    name = function[0] != null ? function[0] : name;
                    args = function[1] != null ? function[1] : args;
                }
                default -> p.skipChildren();
            }
        }
        reply.toolCall(index, id, name);
        if (args != null && !args.isEmpty()) {
            reply.toolArguments(index, args);
        }
    }

    /** Content as an array of parts: text is kept, any non-empty part is generated content. */
    private boolean readContentParts(JsonParser p) throws IOException {
        boolean token = false;
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
            if (element != JsonToken.START_OBJECT) {
                token |= element == JsonToken.VALUE_STRING && p.getTextLength() > 0;
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_STRING && field.equals("text")) {
                    token |= p.getTextLength() > 0;
                    reply.text(p);
                } else if (v == JsonToken.VALUE_STRING && field.equals("thinking")) {
                    token |= p.getTextLength() > 0;
                    reply.reasoning(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return token;
    }

    private void readUsage(JsonParser p, JsonToken value) throws IOException {
        if (eachField(p, value, usageField) && prompt >= 0 && completion >= 0) {
            reply.usage(prompt, completion, cached, reasoning, 0, 0);
        }
    }

    private final FieldReader usageField = this::usageField;

    private void usageField(JsonParser p, String field, JsonToken v) throws IOException {
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
    }

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
