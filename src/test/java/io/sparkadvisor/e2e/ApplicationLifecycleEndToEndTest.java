package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** What happens at the application's edges: the end-of-application summary, and switching off. */
class ApplicationLifecycleEndToEndTest {

  private static Set<Thread> advisorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("spark-advisor") && t.isAlive()).collect(Collectors.toSet());
  }

  @Test
  void idleCoresAndTheSummaryAreLoggedAtApplicationEnd() throws Exception {
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("idle-app", Map.of(
        "spark.advisor.rule.IdleCores.minAppDuration", "3s"));
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      assertThat(sc.parallelize(Workloads.range(10), 2).count()).isEqualTo(10L);
      Workloads.sleep(4_000); // the driver holds two cores and does nothing with them
    } finally {
      Sessions.stop(spark);
      log.detach();
    }
    // stop() returned: the finding and the summary are already in the log.
    LogCapture.Line idle = log.findings("IdleCores").stream().findFirst().orElseThrow();
    assertThat(idle.level()).isEqualTo(Level.WARN);
    assertThat(idle.message()).startsWith("[IdleCores] application: tasks used")
        .contains("executor core time held", "spark.dynamicAllocation.enabled=true");
    String summary = log.lines().stream().map(LogCapture.Line::message)
        .filter(m -> m.startsWith("spark-advisor summary for 'idle-app'")).findFirst().orElseThrow();
    assertThat(summary).contains("1. WARN [IdleCores] application", "Totals: 1 jobs, 1 stages completed",
        "2 tasks", "executor core time held");
    assertThat(advisorThreads()).as("the advisor's thread ends with the application").isEmpty();
  }

  @Test
  void disabledLeavesOneInfoLineAndNothingElse() throws Exception {
    Set<Thread> before = advisorThreads();
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("disabled", Map.of("spark.advisor.enabled", "false"));
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      assertThat(sc.parallelize(Workloads.range(2_000), 2_000).count()).isEqualTo(2_000L);
      assertThat(advisorThreads()).isEqualTo(before);
    } finally {
      Sessions.stop(spark);
      log.detach();
    }
    assertThat(log.lines()).singleElement().satisfies(l -> {
      assertThat(l.level()).isEqualTo(Level.INFO);
      assertThat(l.message()).contains("spark-advisor is disabled");
    });
  }
}
