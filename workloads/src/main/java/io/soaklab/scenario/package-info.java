/** Agent workloads: what a session asks the model, step by step, and how its context grows. */
package io.soaklab.scenario;
