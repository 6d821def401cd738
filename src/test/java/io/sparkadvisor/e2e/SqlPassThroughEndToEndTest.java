package io.sparkadvisor.e2e;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.udf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * Query shapes the plan rules must pass through without an advisor error: queries that fail in
 * analysis, planning and execution, commands, cached relations, reused exchanges, subqueries and
 * AQE re-plans. The advisor stays healthy throughout and still reports afterwards.
 */
class SqlPassThroughEndToEndTest {
  @Test
  void everyQueryShapePassesThroughWithoutAnAdvisorError() throws Exception {
    LogCapture log = LogCapture.attach();
    String warehouse = java.nio.file.Files.createTempDirectory("advisor-warehouse").toString();
    SparkSession spark = Sessions.start("sql-pass-through", Map.of("spark.sql.warehouse.dir", warehouse));
    try {
      // Fails in analysis: no execution starts.
      assertThatThrownBy(() -> spark.sql("SELECT * FROM no_such_table").collect()).isInstanceOf(Exception.class);
      // Fails in optimization: an implicit cartesian product while cross joins are off.
      spark.conf().set("spark.sql.crossJoin.enabled", "false");
      assertThatThrownBy(() -> spark.range(10).join(spark.range(10).withColumnRenamed("id", "b")).collect())
          .isInstanceOf(Exception.class);
      spark.conf().unset("spark.sql.crossJoin.enabled");
      // Fails in execution: a UDF that throws in every task.
      UserDefinedFunction boom = udf((UDF1<Long, Long>) v -> {
        throw new IllegalStateException("boom " + v);
      }, DataTypes.LongType);
      assertThatThrownBy(() -> spark.range(0, 100, 1, 2).select(boom.apply(col("id"))).collect())
          .isInstanceOf(Exception.class);
      // Commands: CREATE, INSERT, CACHE, and a query over the cached relation.
      spark.sql("DROP TABLE IF EXISTS pass_through");
      spark.sql("CREATE TABLE pass_through (id BIGINT, k BIGINT) USING parquet");
      spark.sql("INSERT INTO pass_through SELECT id, id % 10 FROM range(1000)");
      spark.sql("CACHE TABLE pass_through");
      assertThat(spark.sql("SELECT k, count(*) FROM pass_through GROUP BY k").collectAsList()).hasSize(10);
      // A reused exchange: the same aggregate joined with itself.
      Dataset<Row> agg = spark.range(0, 10_000).withColumn("k", col("id").mod(100)).groupBy("k").count();
      assertThat(agg.join(agg.withColumnRenamed("count", "c2"), "k").count()).isEqualTo(100L);
      // Subqueries: scalar and IN.
      assertThat(spark.sql("SELECT count(*) FROM range(1000) WHERE id > (SELECT avg(id) FROM range(100)) "
          + "AND id IN (SELECT id * 2 FROM range(500))").first().getLong(0)).isEqualTo(475L);
      // AQE re-plans: a join AQE turns into a broadcast join at run time, after a filter the
      // optimizer cannot estimate.
      Dataset<Row> big = spark.range(0, 200_000).withColumn("k", col("id").mod(1000));
      Dataset<Row> filtered = spark.range(0, 2_000_000).withColumnRenamed("id", "k").where("k % 1000 = 7");
      assertThat(big.join(filtered, "k").count()).isEqualTo(200L);
      spark.sql("UNCACHE TABLE pass_through");
      spark.sql("DROP TABLE pass_through");
      // Still watching: a window without PARTITION BY over 1.2 million rows is reported.
      spark.range(0, 1_200_000).withColumn("rn", row_number().over(Window.orderBy("id"))).agg(max("rn")).collectAsList();
      log.awaitFinding("SinglePartitionExchange", "Exchange SinglePartition");
    } finally {
      Sessions.stop(spark);
      log.detach();
    }
    assertThat(log.lines()).filteredOn(l -> l.level() == Level.WARN && !l.logger().equals("io.sparkadvisor.findings"))
        .as("advisor warnings other than findings").isEmpty();
    // The failing UDF is a real TaskFailures finding; the window the one planted; nothing else.
    assertThat(log.findings()).filteredOn(l -> l.level() == Level.WARN)
        .allSatisfy(l -> assertThat(l.message()).matches("^\\[(SinglePartitionExchange|TaskFailures)\\] .*"));
  }
}
