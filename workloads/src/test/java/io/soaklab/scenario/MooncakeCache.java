package io.soaklab.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.soaklab.internal.text.TokenEstimator;
import java.util.ArrayList;
import java.util.List;

/**
 * What the embedded endpoint, caching as OpenAI does (prefixes at message ends, from 1024 tokens, read in steps of 128), reads
 * from its cache for each request of a Mooncake trace sent in order: the longest run of leading block messages (hash id and
 * length) an earlier request began with, where that prefix was long enough to be cached.
 */
final class MooncakeCache {

    static final int MIN_TOKENS = 1024;
    static final int STEP = 128;

    private MooncakeCache() {
    }

    static long[] expected(List<JsonNode> trace) {
        List<long[]> earlierIds = new ArrayList<>();
        List<int[]> earlierLengths = new ArrayList<>();
        long[] cached = new long[trace.size()];
        for (int k = 0; k < trace.size(); k++) {
            JsonNode line = trace.get(k);
            long[] ids = new long[line.get("hash_ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = line.get("hash_ids").get(i).asLong();
            }
            int[] lengths = MooncakePrompt.lengths(line.get("input_length").asInt(), ids.length);
            long best = 0;
            for (int e = 0; e < earlierIds.size(); e++) {
                long tokens = TokenEstimator.TOKENS_PER_REQUEST;
                for (int m = 0; m < lengths.length && m < earlierLengths.get(e).length; m++) {
                    if (ids[m] != earlierIds.get(e)[m] || lengths[m] != earlierLengths.get(e)[m]) {
                        break;
                    }
                    tokens += TokenEstimator.TOKENS_PER_MESSAGE + lengths[m];
                    if (tokens >= MIN_TOKENS) {
                        best = Math.max(best, tokens);
                    }
                }
            }
            cached[k] = best / STEP * STEP;
            earlierIds.add(ids);
            earlierLengths.add(lengths);
        }
        return cached;
    }
}
