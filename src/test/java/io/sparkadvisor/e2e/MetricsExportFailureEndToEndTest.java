package io.sparkadvisor.e2e;

import static io.sparkadvisor.e2e.SparkMetersEndToEndTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sparkadvisor.AdvisorAccess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Exporters that cannot work: a port in use, a Pushgateway or OTLP endpoint that refuses
 * connections or accepts them and never answers, malformed URLs. Each costs one WARN naming the
 * cause; the job's result is right, its duration that of a job without exporters, and stopping the
 * application waits at most the advisor's shutdown bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsExportFailureEndToEndTest {
  /** The advisor waits at most 3 s (spark.advisor.shutdownTimeout) at application end. */
  private static final long STOP_BOUND_MS = 3_000 + 3_000;

  private long baselineJobMs;
  private long baselineStopMs;

  @BeforeAll
  void baseline() {
    SparkSession spark = Sessions.start("export-baseline", Map.of());
    try {
      baselineJobMs = timedJob(spark);
    } finally {
      long t0 = System.nanoTime();
      Sessions.stop(spark);
      baselineStopMs = (System.nanoTime() - t0) / 1_000_000;
    }
  }

  @Test
  void portInUseSlowPushgatewayAndRefusedOtlpLeaveTheJobAlone() throws Exception {
    try (ServerSocket busy = silentServer(); ServerSocket slowGateway = silentServer()) {
      int refused = MetricServers.freePort();
      check("export-faults-1", Map.of(
          "spark.advisor.metrics.registries", "prometheus,pushgateway,otlp",
          "spark.advisor.metrics.prometheus.host", "127.0.0.1",
          "spark.advisor.metrics.prometheus.port", Integer.toString(busy.getLocalPort()),
          "spark.advisor.metrics.pushgateway.url", "http://127.0.0.1:" + slowGateway.getLocalPort(),
          "spark.advisor.metrics.otlp.url", "http://127.0.0.1:" + refused + "/v1/metrics"),
          Map.of("could not open the Prometheus endpoint on 127.0.0.1:" + busy.getLocalPort(), "prometheus",
              "could not push metrics to the Pushgateway at http://127.0.0.1:" + slowGateway.getLocalPort(),
              "pushgateway",
              "could not export metrics over OTLP to http://127.0.0.1:" + refused, "otlp"));
    }
  }

  @Test
  void refusedPushgatewayAndSlowOtlpLeaveTheJobAlone() throws Exception {
    try (ServerSocket slowOtlp = silentServer()) {
      int refused = MetricServers.freePort();
      check("export-faults-2", Map.of(
          "spark.advisor.metrics.registries", "pushgateway,otlp",
          "spark.advisor.metrics.pushgateway.url", "http://127.0.0.1:" + refused,
          "spark.advisor.metrics.otlp.url", "http://127.0.0.1:" + slowOtlp.getLocalPort() + "/v1/metrics"),
          Map.of("could not push metrics to the Pushgateway at http://127.0.0.1:" + refused, "pushgateway",
              "could not export metrics over OTLP to http://127.0.0.1:" + slowOtlp.getLocalPort(), "otlp"));
    }
  }

  @Test
  void malformedSettingsAreNamedAndTheirRegistriesLeftOut() throws Exception {
    check("export-faults-3", Map.of(
        "spark.advisor.metrics.registries", "pushgateway,otlp,statsd",
        "spark.advisor.metrics.pushgateway.url", "not a url",
        "spark.advisor.metrics.otlp.url", "ftp://collector:4318",
        "spark.advisor.metrics.step", "soon"),
        Map.of("malformed URL 'not a url' for spark.advisor.metrics.pushgateway.url", "",
            "malformed URL 'ftp://collector:4318' for spark.advisor.metrics.otlp.url", "",
            "ignoring unknown metrics registry 'statsd'", "",
            "malformed value 'soon' for spark.advisor.metrics.step", ""));
  }

  /**
   * Runs the job under {@code conf} and checks: the right result, no slower than the baseline
   * beyond noise, each expected WARN exactly once (with its failures counted when a registry is
   * named), and a bounded stop.
   */
  private void check(String app, Map<String, String> conf, Map<String, String> warnings) throws Exception {
    LogCapture log = LogCapture.attach();
    Map<String, String> all = new HashMap<>(conf);
    all.putIfAbsent("spark.advisor.metrics.step", "1s");
    all.put("spark.advisor.metrics.timeout", "500ms");
    SparkSession spark = Sessions.start(app, all);
    long stopMs;
    try {
      SimpleMeterRegistry meters = AdvisorAccess.metrics().memoryRegistry();
      long jobMs = timedJob(spark);
      assertThat(jobMs).as("job time with failing exporters vs %d ms without", baselineJobMs)
          .isLessThan(2 * baselineJobMs + 1_000);
      for (String registry : warnings.values()) {
        if (!registry.isEmpty() && !registry.equals("prometheus")) {
          // Several steps fail, each counted...
          await(() -> failures(meters, registry) >= 2);
        }
      }
    } finally {
      long t0 = System.nanoTime();
      Sessions.stop(spark);
      stopMs = (System.nanoTime() - t0) / 1_000_000;
      log.detach();
    }
    assertThat(stopMs).as("stop with failing exporters vs %d ms without", baselineStopMs)
        .isLessThan(STOP_BOUND_MS);
    List<String> warns = log.lines().stream()
        .filter(l -> l.level() == org.apache.logging.log4j.Level.WARN).map(LogCapture.Line::message).toList();
    for (String expected : warnings.keySet()) {
      // ...but logged once.
      assertThat(warns.stream().filter(w -> w.contains(expected)).count()).as(expected + " in " + warns)
          .isEqualTo(1);
    }
    assertThat(warns).as("nothing but the expected warnings").hasSize(warnings.size());
  }

  private static double failures(SimpleMeterRegistry meters, String registry) {
    var c = meters.find("spark.advisor.metrics.export.failures").tag("registry", registry).counter();
    return c == null ? 0 : c.count();
  }

  /** Four 300 ms tasks and a small aggregation; returns its wall time. */
  private static long timedJob(SparkSession spark) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long t0 = System.nanoTime();
    assertThat(sc.parallelize(Workloads.range(4), 4).map(i -> {
      Workloads.sleep(300);
      return i * 2;
    }).reduce(Integer::sum)).isEqualTo(12);
    assertThat(spark.range(0, 10_000).selectExpr("id % 10 AS k").groupBy("k").count().count()).isEqualTo(10L);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** A loopback port that takes connections (the kernel's backlog) and never answers. */
  private static ServerSocket silentServer() throws Exception {
    return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }
}
