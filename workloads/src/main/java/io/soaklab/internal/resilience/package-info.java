/** How an agent's client recovers: retries with backoff and jitter, a retry budget, a circuit breaker. */
package io.soaklab.internal.resilience;
