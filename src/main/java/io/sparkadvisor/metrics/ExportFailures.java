package io.sparkadvisor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Export trouble, kept out of the job's way: the first failure of each registry is one WARN
 * naming the cause; every failure counts in {@code spark.advisor.metrics.export.failures}, so a
 * dashboard shows an exporter that stays down without the driver log filling up.
 */
final class ExportFailures {
  private static final Logger LOG = LoggerFactory.getLogger("io.sparkadvisor.metrics");

  private final MeterRegistry registry;
  private final Map<String, Boolean> warned = new ConcurrentHashMap<>();

  ExportFailures(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A failure that will recur every step: {@code what} names the cause, for the one WARN. */
  void failed(String exporter, String what) {
    failed(exporter, what, true);
  }

  /**
   * {@code what} says what failed and what the advisor does instead, for the one WARN;
   * {@code recurring} when the exporter goes on trying.
   */
  void failed(String exporter, String what, boolean recurring) {
    Counter.builder("spark.advisor.metrics.export.failures")
        .description("Failed metric exports (pushes, publishes, an endpoint that could not start)")
        .tag("registry", exporter)
        .register(registry)
        .increment();
    if (warned.putIfAbsent(exporter, Boolean.TRUE) == null) {
      if (recurring) {
        LOG.warn("spark-advisor: {}; the job is not affected (later {} failures are counted in "
            + "spark.advisor.metrics.export.failures, not logged)", what, exporter);
      } else {
        LOG.warn("spark-advisor: {}; the job is not affected", what);
      }
    }
  }

  /**
   * A short description of an exception for a log line, no trace: the innermost cause that says
   * something, or the outermost class when none does.
   */
  static String cause(Throwable t) {
    String said = null;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.net.ConnectException && (c.getMessage() == null || c.getMessage().isBlank())) {
        return "ConnectException: connection refused";
      }
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        said = c.getClass().getSimpleName() + ": " + c.getMessage();
      }
    }
    return said != null ? said : t.getClass().getSimpleName();
  }
}
