/** Model APIs on the wire: the streaming clients, the one SSE parser, and what a call records. */
package io.soaklab.protocol;
