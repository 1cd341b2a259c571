/** Reads a run folder back, streaming, into per-window and whole-run statistics. */
package io.soaklab.internal.analysis;
