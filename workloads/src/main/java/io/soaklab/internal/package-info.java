/**
 * soaklab's own code, not its API: the run folder's format ({@code layout}, {@code record}), costs,
 * resilience, text, and (in the other modules) the analysis, the report and the launcher. Public
 * types here are public for soaklab's other packages and modules; they change without notice. The
 * API is {@code io.soaklab.run}, {@code scenario}, {@code load}, {@code protocol}, {@code sim},
 * {@code bench} and {@code cli} (README, "Your own benchmark").
 */
package io.soaklab.internal;
