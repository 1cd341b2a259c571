package io.soaklab.internal.servermetrics;

/**
 * Which inference server wrote a {@code /metrics} page, told by the prefix most of its families carry.
 * A page with none of the prefixes is {@link #UNKNOWN}; its series are kept raw, none canonical.
 */
enum ServerKind {
    /** vLLM: {@code vllm:num_requests_running}, … */
    VLLM("vllm:", null),
    /** SGLang: {@code sglang:num_running_reqs}, …; some releases wrote {@code sglang_} instead. */
    SGLANG("sglang:", "sglang_"),
    /** Hugging Face text-generation-inference's router: {@code tgi_queue_size}, … */
    TGI("tgi_", null),
    /** llama.cpp's {@code llama-server --metrics}: {@code llamacpp:requests_processing}, … */
    LLAMA_CPP("llamacpp:", null),
    /** soaklab's own live metrics. */
    SOAKLAB("soaklab_", null),
    UNKNOWN(null, null);

    private final String prefix;
    private final String otherPrefix;

    ServerKind(String prefix, String otherPrefix) {
        this.prefix = prefix;
        this.otherPrefix = otherPrefix;
    }

    /** The prefix of this server's family names; null for {@link #UNKNOWN}. */
    String prefix() {
        return prefix;
    }

    /** Whether {@code family} carries this server's prefix (or its other spelling). */
    boolean names(String family) {
        return prefix != null && (family.startsWith(prefix) || (otherPrefix != null && family.startsWith(otherPrefix)));
    }

    /** {@code family} spelled with this server's usual prefix ({@code sglang_token_usage} → {@code sglang:token_usage}). */
    String usualSpelling(String family) {
        if (otherPrefix != null && family.startsWith(otherPrefix)) {
            return prefix + family.substring(otherPrefix.length());
        }
        return family;
    }

    /** The server most of {@code scrape}'s families name; {@link #UNKNOWN} if none does. A tie goes to the earlier kind. */
    static ServerKind detect(Scrape scrape) {
        ServerKind[] kinds = values();
        int[] counts = new int[kinds.length];
        for (Family f : scrape.families()) {
            for (int k = 0; k < kinds.length; k++) {
                if (kinds[k].names(f.name())) {
                    counts[k]++;
                    break;
                }
            }
        }
        ServerKind best = UNKNOWN;
        int most = 0;
        for (int k = 0; k < kinds.length; k++) {
            if (counts[k] > most) {
                most = counts[k];
                best = kinds[k];
            }
        }
        return best;
    }
}
