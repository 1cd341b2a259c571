/** A soak run: its configuration, its folder and files, and its lifecycle. */
package io.soaklab.run;
