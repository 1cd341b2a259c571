package io.soaklab.protocol;

import static io.soaklab.internal.text.InvalidSetting.checkValue;
import static io.soaklab.internal.text.InvalidSetting.required;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How to reach a model endpoint, and the timeouts that bound every call.
 *
 * <pre>{@code
 * ClientConfig config = ClientConfig.builder(URI.create("http://127.0.0.1:8080/v1"))
 *         .model("llama-3.1-8b")
 *         .firstTokenTimeout(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 *
 * <p>A {@link Duration#ZERO} timeout is disabled. The API key is never printed by {@link #toString()}.
 *
 * @param baseUrl           the API root, e.g. {@code https://api.openai.com/v1}
 * @param model             the model name sent with every request
 * @param apiKey            the key sent as a bearer token, or {@code null}
 * @param timeouts          how long a call may take, phase by phase
 * @param maxTokensField    the request field that carries the output cap
 */
public record ClientConfig(
        URI baseUrl,
        String model,
        String apiKey,
        Timeouts timeouts,
        String maxTokensField) {

    public ClientConfig {
        String scheme = required(baseUrl, "endpoint").getScheme();
        checkValue(scheme != null && (scheme.equals("http") || scheme.equals("https")) && baseUrl.getHost() != null,
                "%s must be an http:// or https:// URL with a host", ", was '" + baseUrl + "'", "endpoint");
        required(model, "model");
        required(timeouts, "timeouts");
        if (maxTokensField == null) {
            maxTokensField = defaultMaxTokensField(baseUrl);
        }
        checkValue(maxTokensField.equals("max_tokens") || maxTokensField.equals("max_completion_tokens"),
                "%s must be max_tokens or max_completion_tokens", ", was '" + maxTokensField + "'", "max_tokens_field");
    }

    /** A builder with the default timeouts. */
    public static Builder builder(URI baseUrl) {
        return new Builder(baseUrl);
    }

    /**
     * OpenAI's own API rejects {@code max_tokens} for reasoning models and wants
     * {@code max_completion_tokens}; most OpenAI-compatible servers (vLLM, llama.cpp, Ollama) have
     * long accepted {@code max_tokens}.
     */
    static String defaultMaxTokensField(URI baseUrl) {
        String host = baseUrl.getHost() == null ? "" : baseUrl.getHost().toLowerCase(Locale.ROOT);
        return host.endsWith("openai.com") || host.endsWith("openai.azure.com") ? "max_completion_tokens" : "max_tokens";
    }

    @Override
    public String toString() {
        return "ClientConfig[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "(set)")
                + ", " + timeouts + ", maxTokensField=" + maxTokensField + "]";
    }

    /** Builder for {@link ClientConfig}. */
    public static final class Builder {
        private final URI baseUrl;
        private String model = "default";
        private String apiKey;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private String maxTokensField;

        private Builder(URI baseUrl) {
            this.baseUrl = baseUrl;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = timeouts;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            return timeouts(timeouts.withConnect(timeout));
        }

        public Builder firstTokenTimeout(Duration timeout) {
            return timeouts(timeouts.withFirstToken(timeout));
        }

        public Builder idleTimeout(Duration timeout) {
            return timeouts(timeouts.withIdle(timeout));
        }

        /** The longest a whole call may take ({@link Timeouts#call()}). */
        public Builder totalTimeout(Duration timeout) {
            return timeouts(timeouts.withCall(timeout));
        }

        /** {@code max_tokens} or {@code max_completion_tokens}; by default chosen from the host. */
        public Builder maxTokensField(String field) {
            this.maxTokensField = field;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(baseUrl, model, apiKey, timeouts, maxTokensField);
        }
    }
}
