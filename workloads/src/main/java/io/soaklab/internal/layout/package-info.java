/**
 * The run folder's layout: every file it holds, by name ({@link io.soaklab.internal.layout.RunFile}), and the
 * format's version. A leaf package: every other one may name a file, and only each file's owner opens it.
 */
package io.soaklab.internal.layout;
