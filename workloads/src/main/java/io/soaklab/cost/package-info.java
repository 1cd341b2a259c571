/** What a run's tokens cost. */
package io.soaklab.cost;
