package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.text.TokenEstimator;
import java.io.IOException;

/**
 * The parts of a Chat Completions request the endpoint acts on. Prompt tokens are counted by
 * {@link SimTokenizer} with the same framing {@link TokenEstimator} uses; {@code hash} identifies
 * the conversation so that the same request always gets the same reply.
 */
record SimRequest(String model, long promptTokens, int maxTokens, boolean stream, boolean includeUsage, long hash) {

    static final JsonFactory JSON = new JsonFactory();

    /** A request the endpoint rejects with HTTP 400 and OpenAI's error shape. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final String param;

        Invalid(String message, String param) {
            super(message, null, false, false);
            this.param = param;
        }
    }

    static SimRequest parse(byte[] body, int offset, int length, int defaultMaxTokens) throws Invalid {
        String model = null;
        long tokens = TokenEstimator.TOKENS_PER_REQUEST;
        int messages = -1;
        int maxTokens = defaultMaxTokens;
        boolean stream = false;
        boolean includeUsage = false;
        long hash = 0xcbf29ce484222325L;
        try (JsonParser p = JSON.createParser(body, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Invalid("We could not parse the JSON body of your request: expected a JSON object.", null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "model" -> model = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "messages" -> {
                        if (value != JsonToken.START_ARRAY) {
                            throw new Invalid("Invalid type for 'messages': expected an array.", "messages");
                        }
                        messages = 0;
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            messages++;
                            tokens += TokenEstimator.TOKENS_PER_MESSAGE;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.currentName();
                                JsonToken v = p.nextToken();
                                if (f.equals("content")) {
                                    String text = contentText(p, v);
                                    tokens += SimTokenizer.count(text);
                                    hash = mix(hash, text.hashCode());
                                } else if (f.equals("role") && v == JsonToken.VALUE_STRING) {
                                    hash = mix(hash, p.getText().hashCode());
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                    case "max_tokens", "max_completion_tokens" -> {
                        if (value == JsonToken.VALUE_NUMBER_INT) {
                            int requested = p.getIntValue();
                            if (requested < 1) {
                                throw new Invalid("Invalid '" + field + "': integer below minimum value. Expected a value >= 1, but got "
                                        + requested + " instead.", field);
                            }
                            maxTokens = Math.min(requested, defaultMaxTokens);
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw new Invalid("Invalid type for '" + field + "': expected an integer.", field);
                        }
                    }
                    case "stream" -> stream = value == JsonToken.VALUE_TRUE;
                    case "stream_options" -> includeUsage = readIncludeUsage(p, value);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new Invalid("We could not parse the JSON body of your request. (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")", null);
        }
        if (messages < 0) {
            throw new Invalid("Missing required parameter: 'messages'.", "messages");
        }
        if (messages == 0) {
            throw new Invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages");
        }
        return new SimRequest(model, tokens, maxTokens, stream, includeUsage, hash);
    }

    /** Text of a message's content: a string, or the {@code text} of an array of parts. */
    private static String contentText(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return "";
        }
        StringBuilder text = new StringBuilder();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (f.equals("text") && v == JsonToken.VALUE_STRING) {
                    text.append(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        return text.toString();
    }

    private static boolean readIncludeUsage(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        boolean include = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("include_usage")) {
                include = v == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return include;
    }

    private static long mix(long hash, int value) {
        long h = (hash ^ value) * 0x100000001b3L;
        return h ^ (h >>> 29);
    }
}
