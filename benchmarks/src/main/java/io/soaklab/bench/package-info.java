/** The soak as JMH benchmarks, and the launcher that runs them with a run folder and a report. */
package io.soaklab.bench;
