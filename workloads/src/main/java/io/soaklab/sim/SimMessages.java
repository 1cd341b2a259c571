package io.soaklab.sim;

import io.soaklab.protocol.Api;

/** The words of the endpoint's refusals, as the APIs it imitates put them. */
final class SimMessages {

    private SimMessages() {
    }

    /** A 429: the limit a request ran into, and when to try again (or that it can never fit). */
    static String rateLimited(String model, RateLimiter.Decision limits, long requested) {
        String what = limits.exhausted();
        if (limits.retryAfterNanos() < 0) {
            return "Request too large for " + model + " on " + what + " per min: requested " + requested
                    + ". Please reduce the length of the messages or completion.";
        }
        long retry = Math.max(1, (limits.retryAfterNanos() + 999_999_999L) / 1_000_000_000L);
        return "Rate limit reached for " + model + " on " + what + " per min. Please try again in " + retry + "s.";
    }

    /** A 400: the prompt and the output cap exceed the context window. */
    static String contextTooLong(Api api, SimRequest request, int window) {
        long prompt = request.promptTokens();
        long out = Math.max(0, request.maxTokens());
        if (api == Api.ANTHROPIC) {
            return "input length and `max_tokens` exceed context limit: " + prompt + " + " + out + " > " + window
                    + ", decrease input length or `max_tokens` and try again";
        }
        return "This model's maximum context length is " + window + " tokens. However, you requested " + (prompt + out)
                + " tokens (" + prompt + " in the messages, " + out + " in the completion). Please reduce the length of the messages or completion.";
    }

    /** A 5xx or 529, in the server's words. */
    static String failure(Wire.Failure failure) {
        return switch (failure) {
            case OVERLOADED -> "Overloaded";
            case UNAVAILABLE -> "The server is overloaded or not ready yet.";
            case BAD_GATEWAY -> "Bad gateway.";
            default -> "The server had an error while processing your request. Sorry about that!";
        };
    }
}
