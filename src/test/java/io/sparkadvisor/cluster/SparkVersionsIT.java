package io.sparkadvisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The default build's jar (spark-advisor_2.13, compiled against Spark 4.0) on the other Spark
 * lines users run it on: spark-submit --jars, in local mode, from a Spark home of each version.
 * The default build lists 4.2, 4.1 and 3.5 built for Scala 2.13; the 3.5/2.12 and 4.2 builds run
 * their whole suite on their own line instead, and list none.
 */
class SparkVersionsIT {
  static Stream<String> homes() {
    List<String> homes = Arrays.stream(System.getProperty("spark.compat.homes", "").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    Assumptions.assumeFalse(homes.isEmpty(), "this build runs no other Spark line");
    return homes.stream();
  }

  @ParameterizedTest
  @MethodSource("homes")
  void theDefaultJarRunsAndReports(String home) throws Exception {
    try (SparkCluster local = SparkCluster.localOnly(SparkCluster.home(home), "2.13")) {
      SparkCluster.Submission s = local.submit("local[2,3]", List.of("--jars", SparkCluster.SHADED_JAR.toString(),
          "--conf", "spark.extraListeners=io.sparkadvisor.SparkAdvisorListener"), SparkCluster.appJar(),
          List.of("flaky"), null);
      assertThat(s.exitCode()).as(s.log()).isZero();
      assertThat(s.log()).contains("Running Spark version " + home.substring(0, home.indexOf('_')),
          "watching this application", "RESULT count=8")
          .doesNotContain("spark-advisor: failed", "spark-advisor could not start",
              "spark-advisor: failed to read a Spark event");
      assertThat(s.findings("TaskFailures")).as(s.log()).hasSize(1);
    }
  }
}
