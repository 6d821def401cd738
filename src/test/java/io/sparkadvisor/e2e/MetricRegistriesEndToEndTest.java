package io.sparkadvisor.e2e;

import static io.sparkadvisor.e2e.SparkMetersEndToEndTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The OTLP, JMX and logging registries after a real job: OTLP requests decoded by a loopback
 * receiver with the OpenTelemetry protos, MBeans read from the platform MBean server, the logging
 * registry's lines from the driver log.
 */
class MetricRegistriesEndToEndTest {
  @Test
  void otlpJmxAndLoggingRegistriesCarryTheMeters() throws Exception {
    Map<String, Double> otlpCounters = new ConcurrentHashMap<>();
    Set<String> serviceNames = ConcurrentHashMap.newKeySet();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    receiver.createContext("/v1/metrics", exchange -> {
      try (exchange) {
        ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(exchange.getRequestBody());
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
          for (KeyValue kv : rm.getResource().getAttributesList()) {
            if (kv.getKey().equals("service.name")) {
              serviceNames.add(kv.getValue().getStringValue());
            }
          }
          for (ScopeMetrics sm : rm.getScopeMetricsList()) {
            for (Metric m : sm.getMetricsList()) {
              if (m.hasSum()) {
                double total = m.getSum().getDataPointsList().stream().mapToDouble(p -> p.getAsDouble()).sum();
                otlpCounters.merge(m.getName(), total, Double::sum);
              }
            }
          }
        }
        exchange.sendResponseHeaders(200, -1);
      }
    });
    receiver.start();
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("registries-e2e", Map.of(
        "spark.advisor.metrics.registries", "otlp, jmx, logging",
        "spark.advisor.metrics.otlp.url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/metrics",
        "spark.advisor.metrics.step", "1s"));
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      assertThat(sc.parallelize(Workloads.range(6), 6).count()).isEqualTo(6L);
      SparkEventTally.drain(spark);

      // OTLP: delta sums per step add up to the job's six tasks.
      await(() -> otlpCounters.getOrDefault("spark.tasks.completed", 0.0) == 6.0);
      assertThat(serviceNames).containsExactly("registries-e2e");

      // JMX: one MBean per meter under the advisor's own domain.
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName pattern = new ObjectName("sparkadvisor:name=sparkTasksCompleted*,*");
      await(() -> !server.queryNames(pattern, null).isEmpty());
      ObjectName tasks = server.queryNames(pattern, null).iterator().next();
      assertThat(((Number) server.getAttribute(tasks, "Count")).longValue()).isEqualTo(6L);

      // Logging: the step's meters as lines of the io.sparkadvisor.metrics logger.
      LogCapture.Line line = log.await(l -> l.logger().equals("io.sparkadvisor.metrics")
          && l.message().startsWith("spark.tasks.completed{"), java.time.Duration.ofSeconds(30))
          .orElseThrow(() -> new AssertionError("no logged spark.tasks.completed in " + log.lines()));
      assertThat(line.message()).contains("app.name=registries-e2e", "throughput=");
    } finally {
      Sessions.stop(spark);
      log.detach();
      receiver.stop(0);
    }
  }
}
