package io.sparkadvisor.findings;

/** WARN for a problem that costs the job, INFO for a hint. */
public enum Severity {
  WARN,
  INFO
}
