package io.sparkadvisor.e2e;

import static io.sparkadvisor.e2e.SparkMetersEndToEndTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Batch jobs push to a real Pushgateway (Debian's package) on loopback; the test reads the values
 * back from the Pushgateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushgatewayEndToEndTest {
  private MetricServers.Server gateway;

  @BeforeAll
  void startGateway() throws Exception {
    gateway = MetricServers.pushgateway();
  }

  @AfterAll
  void stopGateway() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aJobShorterThanTheStepLeavesItsFinalNumbersInThePushgateway() throws Exception {
    SparkSession spark = Sessions.start("pushgateway-final", Map.of(
        "spark.advisor.metrics.registries", "pushgateway",
        "spark.advisor.metrics.pushgateway.url", gateway.url(),
        "spark.advisor.metrics.step", "1h"));
    String app;
    SparkEventTally tally;
    try {
      tally = SparkEventTally.attach(spark);
      app = spark.sparkContext().applicationId();
      assertThat(spark.range(0, 100_000, 1, 6).selectExpr("id % 7 AS k").groupBy("k").count().count())
          .isEqualTo(7L);
      SparkEventTally.drain(spark);
      assertThat(sample("spark_tasks_completed_total", app)).as("no push before the end").isNaN();
    } finally {
      Sessions.stop(spark);
    }
    // The final push ran inside stop(), before the listener returned.
    assertThat(sample("spark_tasks_completed_total", app)).isEqualTo(tally.tasksSucceeded.get());
    assertThat(sample("spark_stage_duration_seconds_count", app, "outcome", "success"))
        .isEqualTo(tally.stagesSucceeded.get());
    assertThat(sample("spark_sql_query_duration_seconds_count", app, "outcome", "success"))
        .isEqualTo(tally.queriesSucceeded.get());
    assertThat(sample("spark_shuffle_write_bytes_total", app)).isEqualTo(tally.shuffleWrite.get());
    // Grouped by the application's name: the next run of the same job replaces these values.
    assertThat(sample("push_time_seconds", null, "job", "pushgateway-final")).isPositive();
  }

  @Test
  void aRunningJobIsPushedEveryStep() throws Exception {
    SparkSession spark = Sessions.start("pushgateway-step", Map.of(
        "spark.advisor.metrics.registries", "pushgateway",
        "spark.advisor.metrics.pushgateway.url", gateway.url(),
        "spark.advisor.metrics.pushgateway.job", "nightly-etl",
        "spark.advisor.metrics.step", "1s"));
    try {
      String app = spark.sparkContext().applicationId();
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      assertThat(sc.parallelize(Workloads.range(4), 4).count()).isEqualTo(4L);
      // Pushed while the application still runs, under the configured job name.
      await(() -> sample("spark_tasks_completed_total", app, "job", "nightly-etl") == 4);
    } finally {
      Sessions.stop(spark);
    }
  }

  private double sample(String name, String appId, String... labels) {
    try {
      String body = MetricServers.get(gateway.url() + "/metrics").body();
      String[] all = appId == null ? labels : concat(labels, "app_id", appId);
      return MetricServers.sample(body, name, all);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
