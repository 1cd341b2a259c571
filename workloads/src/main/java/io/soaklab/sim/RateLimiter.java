package io.soaklab.sim;

import java.time.Instant;
import java.util.Locale;

/**
 * Rate limits as providers apply them: token buckets of a per-minute capacity, refilled
 * continuously. A request is admitted only if every bucket can give what it asks; then it takes
 * from all of them at once.
 */
final class RateLimiter {

    /**
     * The outcome of one admission, with what the rate-limit headers say; {@code retryAfterNanos}
     * is -1 when the request can never fit.
     */
    record Decision(boolean admitted, String exhausted, long retryAfterNanos, Bucket.View requests, Bucket.View tokens,
                    Bucket.View input, Bucket.View output) {
    }

    /** One bucket. Guarded by the limiter. */
    static final class Bucket {
        /** What a bucket looked like after a decision: for the headers. */
        record View(long limit, long remaining, long resetNanos) {
        }

        final String name;
        final long capacity;
        final double perNano;
        double level;
        long last;

        Bucket(String name, long perMinute, long now) {
            this.name = name;
            this.capacity = perMinute;
            this.perNano = perMinute / 60e9;
            this.level = perMinute;
            this.last = now;
        }

        void refill(long now) {
            level = Math.min(capacity, level + (now - last) * perNano);
            last = now;
        }

        long waitFor(long amount) {
            return level >= amount ? 0 : (long) Math.ceil((amount - level) / perNano);
        }

        View view() {
            return new View(capacity, (long) Math.floor(level), (long) Math.ceil((capacity - level) / perNano));
        }
    }

    private final Bucket requests;
    private final Bucket tokens;
    private final Bucket input;
    private final Bucket output;

    RateLimiter(SimConfig.Limits limits) {
        long now = System.nanoTime();
        requests = limits.requestsPerMinute() > 0 ? new Bucket("requests", limits.requestsPerMinute(), now) : null;
        tokens = limits.tokensPerMinute() > 0 ? new Bucket("tokens", limits.tokensPerMinute(), now) : null;
        input = limits.inputTokensPerMinute() > 0 ? new Bucket("input tokens", limits.inputTokensPerMinute(), now) : null;
        output = limits.outputTokensPerMinute() > 0 ? new Bucket("output tokens", limits.outputTokensPerMinute(), now) : null;
    }

    /**
     * Admits a request of {@code promptTokens} ({@code cachedTokens} of them read from cache, which
     * providers do not count against input tokens per minute) and an output cap.
     */
    synchronized Decision admit(long promptTokens, long cachedTokens, long maxOutputTokens, long now) {
        Bucket[] buckets = {requests, tokens, input, output};
        long[] asks = {1, promptTokens + maxOutputTokens, promptTokens - cachedTokens, maxOutputTokens};
        long wait = 0;
        String exhausted = null;
        for (int i = 0; i < buckets.length; i++) {
            Bucket b = buckets[i];
            if (b == null) {
                continue;
            }
            b.refill(now);
            if (asks[i] > b.capacity) {
                // larger than the bucket: it never fits, and no wait would help
                return new Decision(false, b.name, -1, view(requests), view(tokens), view(input), view(output));
            }
            long w = b.waitFor(asks[i]);
            if (w > wait) {
                wait = w;
                exhausted = b.name;
            }
        }
        if (wait == 0) {
            for (int i = 0; i < buckets.length; i++) {
                if (buckets[i] != null) {
                    buckets[i].level -= asks[i];
                }
            }
        }
        return new Decision(wait == 0, exhausted, wait, view(requests), view(tokens), view(input), view(output));
    }

    /** Gives back output tokens reserved but not generated (Anthropic settles at the actual count). */
    synchronized void refundOutput(long unused, long now) {
        if (output != null && unused > 0) {
            output.refill(now);
            output.level = Math.min(output.capacity, output.level + unused);
        }
    }

    /** What the buckets hold now, without taking anything: for responses refused before admission. */
    synchronized Decision snapshot(long now) {
        for (Bucket b : new Bucket[] {requests, tokens, input, output}) {
            if (b != null) {
                b.refill(now);
            }
        }
        return new Decision(true, null, 0, view(requests), view(tokens), view(input), view(output));
    }

    private static Bucket.View view(Bucket b) {
        return b == null ? null : b.view();
    }

    /** {@code 1.5s}, {@code 250ms}, {@code 6m0s}: how OpenAI's reset headers read. */
    static String goDuration(long nanos) {
        if (nanos < 1_000_000_000L) {
            return Math.max(0, nanos / 1_000_000) + "ms";
        }
        double seconds = nanos / 1e9;
        if (seconds < 60) {
            return trim(String.format(Locale.ROOT, "%.3f", seconds)) + "s";
        }
        long minutes = (long) (seconds / 60);
        return minutes + "m" + trim(String.format(Locale.ROOT, "%.3f", seconds - minutes * 60)) + "s";
    }

    /** RFC 3339 time at which a bucket is full again: how Anthropic's reset headers read. */
    static String rfc3339(long nanosFromNow) {
        // rounded up: a reset announced early would invite a retry that fails
        return Instant.now().plusNanos(nanosFromNow + 999_999_999L).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static String trim(String decimal) {
        String s = decimal.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
