package io.soaklab.internal.servermetrics;

import java.util.Map;

/**
 * One sample line of an exposition: its full name ({@code vllm:e2e_request_latency_seconds_bucket}), the
 * family it belongs to ({@code vllm:e2e_request_latency_seconds}), its labels in the order the server
 * wrote them (immutable), its value and its timestamp in milliseconds, {@link #NO_TIMESTAMP} if it had none.
 */
record Sample(String name, String family, Map<String, String> labels, double value, long timestampMillis) {

    /** The timestamp of a sample that carried none. */
    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    boolean hasTimestamp() {
        return timestampMillis != NO_TIMESTAMP;
    }

    /** The value of label {@code name}, or null. */
    String label(String name) {
        return labels.get(name);
    }

    /** The part of the name after the family's: {@code _bucket}, {@code _total}, … or empty. */
    String suffix() {
        return name.substring(family.length());
    }
}
