/** Crash-safe recording of a run: HdrHistogram interval logs per window and one JSON line per call. */
package io.soaklab.internal.record;
