/** The embedded endpoint: a real HTTP server on loopback that models an LLM API and its latencies. */
package io.soaklab.sim;
