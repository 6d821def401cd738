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

  /** {@code what} says what failed and what the advisor does instead, for the one WARN. */
  void failed(String exporter, String what) {
    Counter.builder("spark.advisor.metrics.export.failures")
        .description("Failed metric exports (pushes, publishes, an endpoint that could not start)")
        .tag("registry", exporter)
        .register(registry)
        .increment();
    if (warned.putIfAbsent(exporter, Boolean.TRUE) == null) {
      LOG.warn("spark-advisor: {}; the job is not affected (later {} failures are counted in "
          + "spark.advisor.metrics.export.failures, not logged)", what, exporter);
    }
  }

  /** A short description of an exception for a log line: its class and message, no trace. */
  static String cause(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    String name = root.getClass().getSimpleName();
    return msg == null || msg.isBlank() ? name : name + ": " + msg;
  }
}
