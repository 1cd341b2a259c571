/**
 * Every episode as an OpenTelemetry trace, per the GenAI semantic conventions: what the episode
 * runner tells ({@link io.soaklab.internal.trace.EpisodeSpans}), built into spans at each
 * episode's end and sent to a collector over OTLP/HTTP or written as {@code traces.jsonl}
 * ({@link io.soaklab.internal.trace.Tracing}).
 */
package io.soaklab.internal.trace;
