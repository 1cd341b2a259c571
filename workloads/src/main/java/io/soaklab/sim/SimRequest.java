package io.soaklab.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.soaklab.protocol.Api;
import io.soaklab.protocol.ChatRequest;
import io.soaklab.internal.text.Probes;
import io.soaklab.internal.text.TokenEstimator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request as the endpoint acts on it, whatever its protocol: its prompt size (counted by
 * {@link SimTokenizer} with {@link TokenEstimator}'s framing), its cacheable prefix boundaries,
 * the tools it offers, and a hash of everything, so that the same request always gets the same
 * reply.
 *
 * @param api          the protocol it came in
 * @param model        the model it named, or null
 * @param promptTokens input tokens
 * @param maxTokens    the output cap it asked for, or -1
 * @param stream       whether it asked for a stream
 * @param includeUsage whether it asked for streamed usage (OpenAI; Anthropic always sends it)
 * @param hash         identifies the whole request
 * @param prefixes     prefix boundaries, in order: every message's end (OpenAI), every block's (Anthropic)
 * @param explicitCache true when the cache is written at the client's {@code cache_control} breakpoints (Anthropic)
 * @param tools        tools the model may call
 * @param thinkingBudget the thinking budget ({@code budget_tokens}) of a request that enables thinking (Anthropic), else 0
 * @param toolChoice   whether the model must, may or must not call a tool
 * @param probe        the long-context probe question its last message asks, or null
 * @param minTokens    the fewest output tokens before the reply may end (vLLM's {@code min_tokens}), 0 for none
 * @param ignoreEos    whether the reply runs on to its cap (vLLM's {@code ignore_eos})
 */
record SimRequest(Api api, String model, long promptTokens, int maxTokens, boolean stream, boolean includeUsage, long hash,
                  Prefixes prefixes, boolean explicitCache, List<Tool> tools, int thinkingBudget, ChatRequest.ToolChoice toolChoice,
                  Probe probe, int minTokens, boolean ignoreEos) {

    /**
     * A probe question: the key asked, the value planted for it (null when none was), where it was
     * planted (0 at the start of the prompt, 1 at its end), and another planted value to answer
     * wrongly with (null when there is none).
     */
    record Probe(String key, String value, double depth, String distractor) {
    }

    static final JsonFactory JSON = new JsonFactory();

    /** A tool the request offers: its name and its parameters' names and JSON types. */
    record Tool(String name, List<String> params, List<String> types) {
    }

    /**
     * Prefix boundaries: hash and token count up to each, whether the client put a cache breakpoint
     * there ({@code cache_control}, Anthropic), and whether that breakpoint caches for an hour.
     */
    static final class Prefixes {
        long[] hashes = new long[8];
        long[] tokens = new long[8];
        boolean[] hour = new boolean[8];
        boolean[] breakpoint = new boolean[8];
        int count;
        int breakpoints;

        void add(long hash, long tokenCount, boolean isBreakpoint, boolean oneHour) {
            if (count == hashes.length) {
                hashes = Arrays.copyOf(hashes, count * 2);
                tokens = Arrays.copyOf(tokens, count * 2);
                hour = Arrays.copyOf(hour, count * 2);
                breakpoint = Arrays.copyOf(breakpoint, count * 2);
            }
            hashes[count] = hash;
            tokens[count] = tokenCount;
            hour[count] = oneHour;
            breakpoint[count] = isBreakpoint;
            breakpoints += isBreakpoint ? 1 : 0;
            count++;
        }
    }

    /** A request the endpoint refuses with HTTP 400 and its protocol's error shape. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final String param;
        final String code;

        Invalid(String message, String param) {
            this(message, param, null);
        }

        Invalid(String message, String param, String code) {
            super(message, null, false, false);
            this.param = param;
            this.code = code;
        }
    }

    /**
     * Accumulates a prompt's tokens and its running hash while a protocol reads it, and notes the
     * probe facts it passes and a probe question.
     */
    static final class Counter {
        long tokens = TokenEstimator.TOKENS_PER_REQUEST;
        long hash = 0xcbf29ce484222325L;
        private int messages;
        private final java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, Long> factAt = new java.util.HashMap<>();
        private String asked;
        private int askedIn = -1;

        void text(String s) {
            if (Probes.mayHoldFacts(s)) {
                java.util.regex.Matcher m = Probes.facts(s);
                int counted = 0;
                long offset = tokens;
                while (m.find()) {
                    offset += SimTokenizer.count(s.substring(counted, m.start()));
                    counted = m.start();
                    facts.put(m.group(1), m.group(2));
                    factAt.put(m.group(1), offset);
                }
            }
            String key = Probes.asked(s);
            if (key != null) {
                asked = key;
                askedIn = messages;
            }
            tokens += SimTokenizer.count(s);
            mix(s.hashCode());
        }

        void message() {
            messages++;
            tokens += TokenEstimator.TOKENS_PER_MESSAGE;
            mix(0x5eed);
        }

        /** The probe asked by the last message, if any. */
        Probe probe() {
            if (asked == null || askedIn != messages) {
                return null;
            }
            String value = facts.get(asked);
            String distractor = null;
            for (java.util.Map.Entry<String, String> f : facts.entrySet()) {
                if (!f.getKey().equals(asked)) {
                    distractor = f.getValue();
                    break;
                }
            }
            double depth = value == null ? 0.5 : (double) factAt.get(asked) / Math.max(1, tokens);
            return new Probe(asked, value, Math.min(1, depth), distractor);
        }

        void mix(int value) {
            long h = (hash ^ value) * 0x100000001b3L;
            hash = h ^ (h >>> 29);
        }

        /** Counts any JSON value at the parser: its strings and names, one token per other scalar. */
        void value(JsonParser p, JsonToken first) throws IOException {
            int depth = 0;
            JsonToken t = first;
            do {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case FIELD_NAME, VALUE_STRING -> text(p.getText());
                    default -> {
                        tokens++;
                        mix(p.getText().hashCode());
                    }
                }
                if (depth > 0) {
                    t = p.nextToken();
                }
            } while (depth > 0);
        }
    }

    /** Reads a tool's {@code parameters} / {@code input_schema}: the names and types of its properties. */
    static Tool readToolSchema(String name, JsonParser p, JsonToken value, Counter counter) throws IOException {
        List<String> params = new ArrayList<>();
        List<String> types = new ArrayList<>();
        if (value != JsonToken.START_OBJECT) {
            counter.value(p, value);
            return new Tool(name, params, types);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            counter.text(field);
            JsonToken v = p.nextToken();
            if (field.equals("properties") && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String param = p.currentName();
                    counter.text(param);
                    JsonToken pv = p.nextToken();
                    String type = "string";
                    if (pv == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            counter.text(f);
                            JsonToken fv = p.nextToken();
                            if (f.equals("type") && fv == JsonToken.VALUE_STRING) {
                                type = p.getText();
                                counter.text(type);
                            } else {
                                counter.value(p, fv);
                            }
                        }
                    } else {
                        counter.value(p, pv);
                    }
                    params.add(param);
                    types.add(type);
                }
            } else {
                counter.value(p, v);
            }
        }
        return new Tool(name, params, types);
    }

    static int intOrInvalid(JsonParser p, JsonToken value, String field) throws IOException, Invalid {
        if (value == JsonToken.VALUE_NULL) {
            return -1;
        }
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new Invalid("Invalid type for '" + field + "': expected an integer.", field);
        }
        int n = p.getIntValue();
        if (n < 1) {
            throw new Invalid("Invalid '" + field + "': integer below minimum value. Expected a value >= 1, but got "
                    + n + " instead.", field);
        }
        return n;
    }

    /** A count that may be zero ({@code min_tokens}): a whole number from 0 on, or null for none. */
    static int countOrInvalid(JsonParser p, JsonToken value, String field) throws IOException, Invalid {
        if (value == JsonToken.VALUE_NULL) {
            return 0;
        }
        if (value != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0 || p.getLongValue() > Integer.MAX_VALUE) {
            throw new Invalid("Invalid '" + field + "': expected a whole number of 0 or more.", field);
        }
        return p.getIntValue();
    }

    /** OpenAI's {@code tool_choice}: a string, or an object naming a function (which forces a call). */
    static ChatRequest.ToolChoice openAiToolChoice(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return switch (p.getText()) {
                case "required" -> ChatRequest.ToolChoice.REQUIRED;
                case "none" -> ChatRequest.ToolChoice.NONE;
                default -> ChatRequest.ToolChoice.AUTO;
            };
        }
        p.skipChildren();
        return value == JsonToken.START_OBJECT ? ChatRequest.ToolChoice.REQUIRED : ChatRequest.ToolChoice.AUTO;
    }

    /** Anthropic's {@code tool_choice}: {@code {"type": "auto" | "any" | "tool" | "none"}}. */
    static ChatRequest.ToolChoice anthropicToolChoice(JsonParser p, JsonToken value) throws IOException {
        String type = textField(p, value, "type");
        if (type == null) {
            return ChatRequest.ToolChoice.AUTO;
        }
        return switch (type) {
            case "any", "tool" -> ChatRequest.ToolChoice.REQUIRED;
            case "none" -> ChatRequest.ToolChoice.NONE;
            default -> ChatRequest.ToolChoice.AUTO;
        };
    }

    /**
     * Reads the value at the parser, {@code value} its first token, and returns the text of its string
     * field {@code name} (the last one, when it repeats); null when it has none or is not an object.
     */
    static String textField(JsonParser p, JsonToken value, String name) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals(name) && v == JsonToken.VALUE_STRING) {
                text = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return text;
    }

    static String jsonError(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
