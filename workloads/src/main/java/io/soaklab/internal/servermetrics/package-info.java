/**
 * An inference server's own {@code /metrics}, read: a hand-written parser for the Prometheus text
 * format 0.0.4 and OpenMetrics 1.0 text ({@link io.soaklab.internal.servermetrics.Exposition}), the
 * histogram quantile PromQL computes, taken over a window's increase
 * ({@link io.soaklab.internal.servermetrics.HistogramQuantile}), and the canonical names soaklab keeps
 * per window for vLLM, SGLang, TGI and llama.cpp's server
 * ({@link io.soaklab.internal.servermetrics.CanonicalMetric}, {@link io.soaklab.internal.servermetrics.ServerNames}).
 * The scraper, its storage and its report live here too; docs/server-metrics.md has the mapping table.
 */
package io.soaklab.internal.servermetrics;
