package io.soaklab.protocol;

import java.util.Locale;

/** The wire protocols soaklab speaks. */
public enum Api {
    /** OpenAI Chat Completions ({@code POST /chat/completions}), also vLLM, llama.cpp, Ollama... */
    OPENAI("openai"),
    /** Anthropic Messages ({@code POST /messages}). */
    ANTHROPIC("anthropic");

    private final String wireName;

    Api(String wireName) {
        this.wireName = wireName;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return wireName;
    }

    /** The protocol with this name ({@code openai} or {@code anthropic}). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Api of(String name) {
        for (Api api : values()) {
            if (api.wireName.equals(name.toLowerCase(Locale.ROOT))) {
                return api;
            }
        }
        throw new IllegalArgumentException("unknown API '" + name + "': use openai or anthropic");
    }
}
