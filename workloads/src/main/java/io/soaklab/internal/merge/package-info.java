/** {@code soaklab merge}: the run folders of a soak's shards made one run folder. Internal. */
package io.soaklab.internal.merge;
