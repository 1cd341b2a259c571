/** The {@code soaklab} command line: run, demo, report, sim and jmh. */
package io.soaklab.cli;
