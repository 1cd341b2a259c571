/** Synthetic text of a known token length, and token counting for usage a server did not report. */
package io.soaklab.text;
