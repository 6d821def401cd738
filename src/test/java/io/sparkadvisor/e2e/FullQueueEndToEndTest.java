package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.sparkadvisor.AdvisorAccess;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A queue of one event, so nearly every task event is dropped: the events that open and close
 * stages, jobs and SQL executions still arrive, and at the application's end the summary is
 * logged, the endpoint closed and every advisor thread ended, even with the advisor's thread held
 * past the shutdown timeout while the queue fills behind it: the end cannot be lost, and once the
 * thread is free it drops what waits, logs the summary and closes its outputs.
 */
class FullQueueEndToEndTest {

  private static Set<Thread> advisorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("spark-advisor") && t.isAlive()).collect(Collectors.toSet());
  }

  private static double gauge(MeterRegistry registry, String name) {
    return registry.get(name).gauge().value();
  }

  private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void lifecycleEventsGetThroughAFullQueueAndTheApplicationEndsCleanly() throws Exception {
    Set<Thread> before = advisorThreads();
    int port = MetricServers.freePort();
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("full-queue", Map.of(
        "spark.advisor.queue.capacity", "1",
        "spark.advisor.rules.custom", SlowStageRule.class.getName(),
        "spark.advisor.metrics.registries", "prometheus",
        "spark.advisor.metrics.prometheus.host", "127.0.0.1",
        "spark.advisor.metrics.prometheus.port", Integer.toString(port)));
    try {
      MeterRegistry meters = AdvisorAccess.metrics().memoryRegistry();
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      for (int i = 0; i < 3; i++) {
        assertThat(sc.parallelize(Workloads.range(2_000), 500).count()).isEqualTo(2_000L);
        assertThat(spark.range(0, 200_000, 1, 200).selectExpr("id % 7 AS k").groupBy("k").count()
            .collectAsList()).hasSize(7);
      }
      await("the advisor caught up", () -> gauge(meters, "spark.advisor.queue.depth") == 0
          && gauge(meters, "spark.stages.active") == 0 && gauge(meters, "spark.sql.queries.active") == 0);
      assertThat(meters.get("spark.advisor.events.dropped").functionCounter().count())
          .as("task events were dropped").isGreaterThan(100);
      assertThat(MetricServers.get("http://127.0.0.1:" + port + "/metrics").statusCode()).isEqualTo(200);

      // Hold the advisor's thread until Spark has stopped, past the shutdown timeout, with the
      // queue full behind it.
      sc.setJobGroup(SlowStageRule.GROUP, "hold", false);
      assertThat(sc.parallelize(Workloads.range(2), 1).count()).isEqualTo(2L);
      sc.clearJobGroup();
      assertThat(sc.parallelize(Workloads.range(3_000), 1_000).count()).isEqualTo(3_000L);
    } finally {
      Sessions.stop(spark);
      SlowStageRule.RELEASE.countDown();
    }
    try {
      LogCapture.Line summary = log.await(l -> l.message().startsWith("spark-advisor summary for 'full-queue'"),
          Duration.ofSeconds(15)).orElseThrow(() -> new AssertionError("no summary"));
      assertThat(summary.message()).contains("events were dropped by the advisor's full queue");
      try {
        await("every advisor thread ended", () -> advisorThreads().equals(before));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; alive: " + advisorThreads().stream()
            .filter(t -> !before.contains(t))
            .map(t -> t.getName() + " " + java.util.Arrays.toString(t.getStackTrace())).toList(), e);
      }
      assertThatThrownBy(() -> MetricServers.get("http://127.0.0.1:" + port + "/metrics"))
          .as("the endpoint is closed").isInstanceOf(ConnectException.class);
      assertThat(log.lines()).noneMatch(l -> l.message().contains("reserve"));
    } finally {
      log.detach();
    }
  }
}
