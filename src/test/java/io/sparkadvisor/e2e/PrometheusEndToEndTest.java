package io.sparkadvisor.e2e;

import static io.sparkadvisor.e2e.SparkMetersEndToEndTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sparkadvisor.AdvisorAccess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's package) scrapes the driver's endpoint every second while jobs run;
 * the test reads the advisor's series back through Prometheus's HTTP query API, and Prometheus
 * evaluates the sample alerting rules of docs/prometheus-alerts.yml against them.
 */
class PrometheusEndToEndTest {
  private static final Path ALERTS = Path.of("docs/prometheus-alerts.yml");

  @Test
  void prometheusScrapesTheDriverWhileJobsRunAndReadsTheAdvisorsSeries() throws Exception {
    int port = MetricServers.freePort();
    try (MetricServers.Server prometheus = MetricServers.prometheus(port, List.of(ALERTS))) {
      SparkSession spark = Sessions.start("prometheus-e2e", Map.of(
          "spark.advisor.metrics.registries", "prometheus",
          "spark.advisor.metrics.prometheus.host", "127.0.0.1",
          "spark.advisor.metrics.prometheus.port", Integer.toString(port)));
      try {
        SparkEventTally tally = SparkEventTally.attach(spark);
        String app = spark.sparkContext().applicationId();
        String sel = "{app_id=\"" + app + "\"}";
        SimpleMeterRegistry meters = AdvisorAccess.metrics().memoryRegistry();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // Prometheus hands new targets to its scrapers every 5 s: wait for the first scrape.
        await(() -> targetUp(prometheus));

        // Four 1.5 s tasks on two cores: about 3 s of tasks running under a 1 s scrape.
        assertThat(sc.parallelize(Workloads.range(4), 4).map(i -> {
          Workloads.sleep(1_500);
          return i;
        }).count()).isEqualTo(4L);
        // A task that fails every attempt: a WARN finding for the alert.
        assertThatThrownBy(() -> sc.parallelize(Workloads.range(1), 1).map(i -> {
          throw new IllegalStateException("always fails");
        }).count()).hasMessageContaining("always fails");
        assertThat(spark.range(0, 10_000).selectExpr("id % 10 AS k").groupBy("k").count().count())
            .isEqualTo(10L);

        SparkEventTally.drain(spark);
        await(() -> meters.get("spark.tasks.completed").counter().count() == tally.tasksSucceeded.get());
        double completed = tally.tasksSucceeded.get();

        // The endpoint itself: text format 0.0.4, the histogram's buckets.
        HttpResponse<String> scrape = MetricServers.get("http://127.0.0.1:" + port + "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
            v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        assertThat(scrape.body()).contains("# TYPE spark_tasks_completed_total counter",
            "spark_task_duration_seconds_bucket{");
        // Each meter under the Prometheus name docs/metrics.md gives it.
        MetricsDoc.catalog().forEach((meter, promName) -> {
          if (meters.find(meter).meter() != null) {
            assertThat(scrape.body()).as(meter).containsPattern("(?m)^" + promName + "(_total|_count)?\\{");
          }
        });

        // Back through Prometheus.
        awaitValue(prometheus, "spark_tasks_completed_total" + sel, completed);
        awaitValue(prometheus, "spark_tasks_failed_total" + sel, tally.tasksFailed.get());
        awaitValue(prometheus, "sum(spark_task_duration_seconds_count" + sel + ")",
            tally.tasksSucceeded.get() + tally.tasksFailed.get() + tally.tasksKilled.get());
        awaitValue(prometheus, "spark_task_duration_seconds_bucket{app_id=\"" + app + "\",le=\"+Inf\"}",
            tally.tasksSucceeded.get() + tally.tasksFailed.get() + tally.tasksKilled.get());
        assertThat(MetricServers.value(prometheus, "max_over_time(spark_tasks_active" + sel + "[5m])"))
            .as("scraped while tasks ran").isEqualTo(2);
        assertThat(MetricServers.value(prometheus,
            "histogram_quantile(0.9, sum by (le) (rate(spark_task_duration_seconds_bucket" + sel + "[1m])))"))
            .isGreaterThan(0.5);
        assertThat(MetricServers.value(prometheus, "spark_executors_cores" + sel)).isEqualTo(2);
        assertThat(MetricServers.value(prometheus,
            "spark_stage_duration_seconds_count{app_id=\"" + app + "\",outcome=\"failure\"}")).isEqualTo(1);
        awaitValue(prometheus,
            "spark_advisor_findings_total{app_id=\"" + app + "\",rule=\"TaskFailures\",severity=\"WARN\"}", 1);
        // The README's sample query.
        MetricServers.query(prometheus, "sum by (app_name) (rate(spark_task_spill_disk_bytes_total[5m]))");

        // The sample alerting rules load and evaluate; the findings alert goes pending.
        await(() -> rulesHealthy(prometheus, 4));
        await(() -> alertFor(prometheus, "SparkAdvisorWarning", "TaskFailures"));
      } finally {
        Sessions.stop(spark);
      }
    }
  }

  private static boolean targetUp(MetricServers.Server prometheus) {
    try {
      JsonNode targets = MetricServers.json(prometheus.url() + "/api/v1/targets").path("data")
          .path("activeTargets");
      return targets.size() == 1 && targets.get(0).path("health").asText().equals("up");
    } catch (Exception e) {
      return false;
    }
  }

  /** All {@code count} rules of the one group loaded and evaluated without error. */
  private static boolean rulesHealthy(MetricServers.Server prometheus, int count) {
    try {
      JsonNode groups = MetricServers.json(prometheus.url() + "/api/v1/rules").path("data").path("groups");
      if (groups.size() != 1 || groups.get(0).path("rules").size() != count) {
        return false;
      }
      for (JsonNode rule : groups.get(0).path("rules")) {
        if (!rule.path("health").asText().equals("ok")) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean alertFor(MetricServers.Server prometheus, String alert, String rule) {
    try {
      for (JsonNode a : MetricServers.json(prometheus.url() + "/api/v1/alerts").path("data").path("alerts")) {
        if (a.path("labels").path("alertname").asText().equals(alert)
            && a.path("labels").path("rule").asText().equals(rule)) {
          return true;
        }
      }
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  private static void awaitValue(MetricServers.Server prometheus, String promql, double expected)
      throws Exception {
    double[] last = {Double.NaN};
    try {
      await(() -> {
        try {
          last[0] = MetricServers.value(prometheus, promql);
          return last[0] == expected;
        } catch (Exception e) {
          return false;
        }
      });
    } catch (AssertionError e) {
      throw new AssertionError(promql + ": expected " + expected + ", Prometheus has " + last[0]
          + "\n" + prometheus.log(), e);
    }
  }
}
