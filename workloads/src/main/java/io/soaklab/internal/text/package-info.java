/** Text in and out: synthetic text of a known token length, token counting, the probe language, duration notation, latencies for a reader. */
package io.soaklab.internal.text;
