/** Text in and out: synthetic text of a known token length, token counting, the probe language, duration notation. */
package io.soaklab.internal.text;
