/** What a run's tokens cost: the dated price catalog and the one rule that turns usage into money. */
package io.soaklab.internal.cost;
