package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Jobs of the same size as the ones that show each rule, but well tuned, at the default
 * thresholds: not one WARN finding, and a summary that says so.
 */
class HealthyJobEndToEndTest {
  @Test
  void aWellTunedApplicationGetsNoWarnings() throws Exception {
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("healthy", Map.of());
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      // Even stage of 16 tasks (the skew job without its slow partition).
      assertThat(sc.parallelize(Workloads.range(16), 16).map(i -> {
        Workloads.sleep(300);
        return i;
      }).count()).isEqualTo(16L);
      // 200 partitions, not thousands.
      assertThat(sc.parallelize(Workloads.range(2_000), 200).count()).isEqualTo(2_000L);
      // The same 150 MB sort as the spill test, with the memory it needs.
      assertThat(Workloads.sortRandomRecords(sc, 1_000_000)).isEqualTo(1_000_000L);
      // SQL aggregation and join with AQE on, as by default.
      Dataset<Row> facts = spark.range(0, 1_000_000).withColumn("k", col("id").mod(100));
      Dataset<Row> dims = spark.range(0, 100).withColumnRenamed("id", "k");
      assertThat(facts.join(dims, "k").groupBy("k").agg(sum("id")).collectAsList()).hasSize(100);
      // A small result to the driver.
      assertThat(sc.parallelize(Workloads.range(8), 8).map(i -> new byte[100_000]).collect()).hasSize(8);
    } finally {
      Sessions.stop(spark); // waits for the advisor's summary
      log.detach();
    }
    assertThat(log.findings()).filteredOn(l -> l.level() == Level.WARN).isEmpty();
    assertThat(log.lines()).anySatisfy(l -> assertThat(l.message())
        .startsWith("spark-advisor summary for 'healthy'").contains("No findings"));
  }

  @Test
  void shortAllocatingTasksJudgedByLiveHeartbeatsGetNoWarnings() {
    // Heartbeats every 500 ms carry the JVM's GC counters and heap; 4,000 short tasks that each
    // make garbage, where a task's GC time can exceed its run time, and a shuffle with AQE.
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("healthy-heartbeats", Map.of("spark.executor.heartbeatInterval", "500ms"));
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      assertThat(sc.parallelize(Workloads.range(4_000), 400).map(i -> new byte[200_000].length + i).count())
          .isEqualTo(4_000L);
      assertThat(spark.range(0, 2_000_000).groupBy(col("id").mod(50)).count().collectAsList()).hasSize(50);
    } finally {
      Sessions.stop(spark);
      log.detach();
    }
    assertThat(log.findings()).filteredOn(l -> l.level() == Level.WARN).isEmpty();
  }
}
