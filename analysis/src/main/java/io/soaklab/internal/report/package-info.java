/** The run report: report.html and its charts, readable offline by engineers and finance alike. */
package io.soaklab.internal.report;
