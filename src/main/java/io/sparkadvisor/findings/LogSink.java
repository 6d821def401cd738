package io.sparkadvisor.findings;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Findings into the driver log through SLF4J: one event each, WARN or INFO, on the logger
 * {@code io.sparkadvisor.findings} so that log4j2 can route them to a file of their own.
 */
public final class LogSink implements FindingSink {
  public static final String LOGGER = "io.sparkadvisor.findings";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  @Override
  public void emit(Finding finding) {
    String line = finding.render();
    if (finding.severity() == Severity.WARN) {
      LOG.warn(line);
    } else {
      LOG.info(line);
    }
  }
}
