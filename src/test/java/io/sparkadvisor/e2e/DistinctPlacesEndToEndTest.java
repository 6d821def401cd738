package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Work launched from one call site is one place only when it is the same work: stages of
 * different lineages, or queries of different plans, run through one helper method are each
 * logged with their own evidence; the same stage or query in a loop is logged once and counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistinctPlacesEndToEndTest {
  private LogCapture log;
  private SparkSession spark;
  private JavaSparkContext sc;

  @BeforeAll
  void start() {
    log = LogCapture.attach();
    spark = Sessions.start("distinct-places", Map.of(
        "spark.advisor.rule.TinyTasks.minTasks", "300",
        "spark.sql.adaptive.enabled", "false",
        "spark.sql.shuffle.partitions", "300"));
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  void stop() {
    Sessions.stop(spark);
    log.detach();
  }

  /** The helper every job goes through: one call site for all of them. */
  private static long countOf(JavaRDD<Integer> rdd) {
    return rdd.count();
  }

  private static long countOf(SparkSession spark, String sql) {
    return spark.sql(sql).count();
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void stagesOfDifferentLineagesFromOneHelperAreDifferentPlaces() throws Exception {
    sc.setJobGroup("places", "through one helper", false);
    JavaRDD<Integer> numbers = sc.parallelize(range(600), 600);
    // The same lineage three times in a loop: one place, logged once and counted.
    for (int run = 0; run < 3; run++) {
      assertThat(countOf(numbers.map(i -> i + 1))).isEqualTo(600);
      if (run == 0) {
        assertThat(countOf(numbers.filter(i -> i % 2 == 0).map(i -> i * 3))).isEqualTo(300);
      }
    }

    await(() -> log.findings("TinyTasks").stream().filter(l -> l.message().contains("job group 'places'")).count() >= 2);
    Thread.sleep(1_000); // a third line, if there were one, would be logged by now
    List<LogCapture.Line> lines = log.findings("TinyTasks").stream()
        .filter(l -> l.message().contains("job group 'places'")).toList();
    assertThat(lines).hasSize(2);
    assertThat(lines).allSatisfy(l -> assertThat(l.message()).contains("count at DistinctPlacesEndToEndTest.java"));
    assertThat(lines.get(0).message()).doesNotContain(stageOf(lines.get(1)));
  }

  @Test
  void queriesOfDifferentPlansFromOneHelperAreDifferentPlaces() throws Exception {
    spark.range(20_000).selectExpr("id", "id % 7 AS k").createOrReplaceTempView("left_rows");
    spark.range(20_000).selectExpr("id", "id % 11 AS k").createOrReplaceTempView("right_rows");
    spark.sparkContext().setJobDescription("grouped counts");
    try {
      for (String sql : List.of("SELECT k, count(*) FROM left_rows GROUP BY k",
          "SELECT k, max(id) FROM right_rows WHERE id > 5 GROUP BY k",
          "SELECT k, count(*) FROM left_rows GROUP BY k")) {
        countOf(spark, sql);
      }
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
    // AqeDisabled is one place for the whole application; TinyTasks (300 shuffle partitions of a
    // few rows each) is judged per stage of each query.
    await(() -> log.findings("TinyTasks").stream().filter(l -> l.message().contains("grouped counts")).count() >= 2);
    Thread.sleep(1_000);
    List<LogCapture.Line> lines = log.findings("TinyTasks").stream()
        .filter(l -> l.message().contains("grouped counts")).toList();
    assertThat(lines).as("one per distinct query; the rerun of the first is a repeat").hasSize(2);
  }

  private static String stageOf(LogCapture.Line line) {
    String m = line.message();
    return m.substring(m.indexOf("stage "), m.indexOf(' ', m.indexOf("stage ") + 6));
  }

  private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(50);
    }
  }
}
