package io.sparkadvisor.e2e;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The SQL plan rules on a real local SparkSession: each fires on a query built to show it, found
 * by the query's description in the driver log and checked in the JSON-lines file, and stays quiet
 * on its well-tuned counterpart. Rules whose default floors need gigabytes or billions of rows run
 * here with lowered floors (their defaults are covered by the unit tests); the others at defaults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlPlanRulesEndToEndTest {
  private final Path findingsFile = Sessions.tempFindingsFile();
  private LogCapture log;
  private SparkSession spark;
  private Path dataDir;

  @BeforeAll
  void start() throws Exception {
    log = LogCapture.attach();
    dataDir = Files.createTempDirectory("advisor-sql");
    spark = Sessions.start("sql-plan-rules", Map.of(
        "spark.advisor.findings.path", findingsFile.toString(),
        // Spark 4.2 counts a hash relation's allocated pages in its size: even 1,000 rows are 64 MB.
        "spark.advisor.rule.OversizedBroadcast.minSize", "80m",
        "spark.advisor.rule.NestedLoopJoin.minCandidatePairs", "1e7",
        "spark.advisor.rule.CartesianProduct.minCandidatePairs", "1e7",
        "spark.advisor.rule.SkewedJoin.minPartitionSize", "4m",
        "spark.sql.queryExecutionListeners", "io.sparkadvisor.SparkAdvisorQueryListener"));
  }

  @AfterEach
  void resetSession() {
    spark.conf().unset("spark.sql.autoBroadcastJoinThreshold");
    spark.conf().unset("spark.sql.adaptive.enabled");
    spark.conf().unset("spark.sql.adaptive.skewJoin.enabled");
    spark.conf().unset("spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes");
    spark.conf().unset("spark.sql.adaptive.skewJoin.skewedPartitionFactor");
    spark.conf().unset("spark.sql.adaptive.coalescePartitions.enabled");
    spark.conf().unset("spark.sql.shuffle.partitions");
    spark.conf().unset("spark.sql.adaptive.advisoryPartitionSizeInBytes");
    spark.sparkContext().setJobDescription(null);
  }

  @AfterAll
  void stop() {
    Sessions.stop(spark);
    log.detach();
    assertThat(log.lines()).noneSatisfy(l -> assertThat(l.message())
        .containsAnyOf("switched off", "spark-advisor: failed", "could not read the plan"));
  }

  /** Runs {@code action} as a SQL query whose description is {@code name}. */
  private void query(String name, Runnable action) {
    spark.sparkContext().setJobDescription(name);
    try {
      action.run();
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  private void assertQuiet(String rule, String name) throws InterruptedException {
    assertThat(log.await(l -> l.isFinding(rule) && l.message().contains("'" + name + "'"), Duration.ofSeconds(2)))
        .as("[" + rule + "] on the well-tuned query '" + name + "'").isEmpty();
  }

  private Dataset<Row> facts(long rows, long keys) {
    return spark.range(0, rows).withColumn("k", col("id").mod(keys)).withColumn("v", col("id").multiply(3));
  }

  private Dataset<Row> dims(long rows) {
    return spark.range(0, rows).withColumnRenamed("id", "k").withColumn("name", col("k").cast("string"));
  }

  @Test
  void missingBroadcastJoinWhenBroadcastIsSwitchedOff() throws Exception {
    spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    query("mbj-off", () -> assertThat(facts(2_000_000, 1_000).join(dims(1_000), "k").count()).isEqualTo(2_000_000L));
    LogCapture.Line line = log.awaitFinding("MissingBroadcastJoin", "'mbj-off'");
    assertThat(line.level().name()).isEqualTo("WARN");
    assertThat(line.message()).contains("SortMergeJoin [k]", "spark.sql.autoBroadcastJoinThreshold=-1 switches broadcast joins off",
        "broadcast(df)", "spark.sql.autoBroadcastJoinThreshold=");
    JsonNode f = finding("MissingBroadcastJoin", "mbj-off");
    long small = Math.min(f.at("/evidence/leftBytes").asLong(), f.at("/evidence/rightBytes").asLong());
    long large = Math.max(f.at("/evidence/leftBytes").asLong(), f.at("/evidence/rightBytes").asLong());
    assertThat(small).isLessThanOrEqualTo(10L << 20);
    assertThat(large).isGreaterThanOrEqualTo(10 * small);

    spark.conf().unset("spark.sql.autoBroadcastJoinThreshold");
    query("mbj-default", () -> assertThat(facts(2_000_000, 1_000).join(dims(1_000), "k").count()).isEqualTo(2_000_000L));
    assertQuiet("MissingBroadcastJoin", "mbj-default");
    // The query execution listener registered as well hands over the same plans: one line, not two.
    assertThat(log.findings("MissingBroadcastJoin")).filteredOn(l -> l.message().contains("'mbj-off'")).hasSize(1);
  }

  @Test
  void missingBroadcastJoinWhenTheOptimizerOverestimatedASideFilteredByAUdfWithAqeOff() throws Exception {
    spark.conf().set("spark.sql.adaptive.enabled", "false");
    // The optimizer cannot see through a UDF: without CBO the filtered side keeps the estimate of
    // its 2,000,000 input rows (tens of MB), so the planner chooses a sort-merge join for 100 rows.
    // Nondeterministic, so that the optimizer does not copy the predicate to the other side through
    // the join key (constraint propagation would shrink both sides).
    Dataset<Row> few = dims(2_000_000).where(udf((UDF1<Long, Boolean>) k -> k % 20_000 == 0, DataTypes.BooleanType)
        .asNondeterministic().apply(col("k")));
    query("mbj-udf", () -> assertThat(facts(2_000_000, 2_000_000).join(few, "k").count()).isEqualTo(100L));
    LogCapture.Line line = log.awaitFinding("MissingBroadcastJoin", "'mbj-udf'");
    assertThat(line.level().name()).isEqualTo("WARN");
    assertThat(line.message()).contains("SortMergeJoin [k] (Inner join): shuffled sides", "(an unestimable filter, UDF",
        "spark.sql.adaptive.enabled=false", "nothing re-plans the join");
    JsonNode f = finding("MissingBroadcastJoin", "mbj-udf");
    assertThat(f.at("/evidence/sizes").asText()).isEqualTo("actual");
    assertThat(f.at("/evidence/rightBytes").asLong()).isBetween(1L, 64L << 10); // 100 rows, measured
    assertThat(f.at("/evidence/leftBytes").asLong()).isGreaterThan(8L << 20);

    query("mbj-udf-hinted", () -> assertThat(facts(2_000_000, 2_000_000).join(broadcast(few), "k").count())
        .isEqualTo(100L));
    assertQuiet("MissingBroadcastJoin", "mbj-udf-hinted");
  }

  @Test
  void largeCollectOfThreeMillionNarrowRows() throws Exception {
    query("collect-3m", () -> assertThat(spark.range(3_000_000).collectAsList()).hasSize(3_000_000));
    LogCapture.Line line = log.awaitFinding("LargeCollect", "'collect-3m'");
    assertThat(line.level().name()).isEqualTo("WARN");
    assertThat(line.message()).contains("the action returned 3,000,000 rows to the driver");
    JsonNode f = finding("LargeCollect", "collect-3m");
    assertThat(f.at("/evidence/rows").asLong()).isEqualTo(3_000_000L);
    assertThat(f.at("/evidence/resultBytes").asLong()).isLessThan(100L << 20); // silent by bytes alone

    query("collect-10", () -> assertThat(spark.range(10).collectAsList()).hasSize(10));
    query("foreach-3m", () -> spark.range(3_000_000).foreachPartition((ForeachPartitionFunction<Long>) it -> {
      while (it.hasNext()) {
        it.next();
      }
    }));
    assertQuiet("LargeCollect", "collect-10");
    assertQuiet("LargeCollect", "foreach-3m");
  }

  @Test
  void oversizedBroadcast() throws Exception {
    query("big-broadcast", () -> assertThat(facts(200_000, 1_000).join(broadcast(dims(3_000_000)), "k").count())
        .isEqualTo(200_000L));
    LogCapture.Line line = log.awaitFinding("OversizedBroadcast", "'big-broadcast'");
    assertThat(line.message()).contains("BroadcastExchange", "3,000,000 rows", "spark.sql.autoBroadcastJoinThreshold");
    assertThat(finding("OversizedBroadcast", "big-broadcast").at("/evidence/dataSizeBytes").asLong())
        .isGreaterThanOrEqualTo(80L << 20);

    query("small-broadcast", () -> assertThat(facts(200_000, 1_000).join(broadcast(dims(1_000)), "k").count())
        .isEqualTo(200_000L));
    assertQuiet("OversizedBroadcast", "small-broadcast");
  }

  @Test
  void nestedLoopJoinOnANonEquiCondition() throws Exception {
    Dataset<Row> a = spark.range(0, 5_000).withColumnRenamed("id", "a");
    Dataset<Row> b = spark.range(0, 4_000).withColumnRenamed("id", "b");
    query("range-join", () -> a.join(broadcast(b), col("a").lt(col("b"))).count());
    LogCapture.Line line = log.awaitFinding("NestedLoopJoin", "'range-join'");
    assertThat(line.message()).contains("BroadcastNestedLoopJoin", "candidate row pairs", "equality condition");
    JsonNode f = finding("NestedLoopJoin", "range-join");
    assertThat(f.at("/evidence/candidatePairs").asDouble()).isEqualTo(2e7);

    query("equi-join", () -> a.join(broadcast(b), col("a").equalTo(col("b"))).count());
    assertQuiet("NestedLoopJoin", "equi-join");
  }

  @Test
  void cartesianProductWithoutACondition() throws Exception {
    spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    Dataset<Row> a = spark.range(0, 5_000).withColumnRenamed("id", "a");
    Dataset<Row> b = spark.range(0, 4_000).withColumnRenamed("id", "b");
    query("cross", () -> assertThat(a.crossJoin(b).count()).isEqualTo(20_000_000L));
    LogCapture.Line line = log.awaitFinding("CartesianProduct", "'cross'");
    assertThat(line.message()).contains("CartesianProduct", "2.00e+07 candidate row pairs");

    query("cross-small", () -> assertThat(a.limit(100).crossJoin(b.limit(100)).count()).isEqualTo(10_000L));
    assertQuiet("CartesianProduct", "cross-small");
  }

  @Test
  void singlePartitionExchangeForAWindowWithoutPartitionBy() throws Exception {
    Dataset<Row> rows = spark.range(0, 1_200_000).withColumn("g", col("id").mod(100));
    query("global-window", () -> rows.withColumn("rn", row_number().over(Window.orderBy("id")))
        .agg(max("rn")).collectAsList());
    LogCapture.Line line = log.awaitFinding("SinglePartitionExchange", "'global-window'");
    assertThat(line.message()).contains("Exchange SinglePartition", "window function without PARTITION BY",
        "1,200,000 rows", "PARTITION BY");

    query("partitioned-window", () -> rows.withColumn("rn", row_number().over(Window.partitionBy("g").orderBy("id")))
        .agg(max("rn")).collectAsList());
    assertQuiet("SinglePartitionExchange", "partitioned-window");
  }

  @Test
  void joinExplosionOnKeysRepeatedOnBothSides() throws Exception {
    query("exploding-join", () -> assertThat(facts(20_000, 10).join(facts(5_000, 10).select("k"), "k").count())
        .isEqualTo(10_000_000L));
    LogCapture.Line line = log.awaitFinding("JoinExplosion", "'exploding-join'");
    assertThat(line.message()).contains("emitted 10,000,000 rows", "20,000 (left)", "deduplicate");

    query("unique-join", () -> assertThat(facts(20_000, 10).join(dims(20_000).withColumnRenamed("k", "id"), "id").count())
        .isEqualTo(20_000L));
    assertQuiet("JoinExplosion", "unique-join");
  }

  @Test
  void smallFilesWrittenThenRead() throws Exception {
    String small = dataDir.resolve("small").toString();
    String compact = dataDir.resolve("compact").toString();
    Dataset<Row> data = facts(200_000, 1_000);
    query("many-files-write", () -> data.repartition(120).write().mode(SaveMode.Overwrite).parquet(small));
    LogCapture.Line written = log.awaitFinding("SmallFilesWritten", "'many-files-write'");
    assertThat(written.message()).contains("wrote 120 files", "repartition(1)");
    query("many-files-read", () -> spark.read().parquet(small).agg(max("v")).collectAsList());
    LogCapture.Line read = log.awaitFinding("SmallFilesRead", "'many-files-read'");
    assertThat(read.message()).contains("reads 120 files", "compact");
    assertThat(finding("SmallFilesRead", "many-files-read").at("/evidence/files").asLong()).isEqualTo(120);

    query("few-files-write", () -> data.coalesce(2).write().mode(SaveMode.Overwrite).parquet(compact));
    query("few-files-read", () -> spark.read().parquet(compact).agg(max("v")).collectAsList());
    assertQuiet("SmallFilesWritten", "few-files-write");
    assertQuiet("SmallFilesRead", "few-files-read");
  }

  @Test
  void missingPartitionFilterOnATableOf120Partitions() throws Exception {
    String path = dataDir.resolve("partitioned").toString();
    query("partitioned-write", () -> facts(24_000, 120).repartition(4).write().partitionBy("k")
        .mode(SaveMode.Overwrite).parquet(path));
    query("full-scan", () -> spark.read().parquet(path).agg(max("v")).collectAsList());
    LogCapture.Line line = log.awaitFinding("MissingPartitionFilter", "'full-scan'");
    assertThat(line.message()).contains("reads all 120 partitions", "PartitionFilters: []");

    query("pruned-scan", () -> spark.read().parquet(path).where(col("k").equalTo(7)).agg(max("v")).collectAsList());
    assertQuiet("MissingPartitionFilter", "pruned-scan");
  }

  @Test
  void skewedJoinThatAqeDidNotSplit() throws Exception {
    spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    spark.conf().set("spark.sql.adaptive.skewJoin.enabled", "false");
    // Small test data: keep AQE from coalescing every partition into one or two.
    spark.conf().set("spark.sql.adaptive.coalescePartitions.enabled", "false");
    spark.conf().set("spark.sql.shuffle.partitions", "20");
    Dataset<Row> skewed = spark.range(0, 1_000_000).withColumn("k", when(col("id").lt(800_000), lit(0L)).otherwise(col("id")))
        .withColumn("pad", sha2(col("id").cast("string"), 256)); // shuffle blocks are compressed: no constant padding
    Dataset<Row> other = spark.range(0, 1_000_000).withColumnRenamed("id", "k");
    query("skewed-join", () -> skewed.join(other, "k").agg(max("pad")).collectAsList());
    LogCapture.Line line = log.awaitFinding("SkewedJoin", "'skewed-join'");
    assertThat(line.message()).contains("SortMergeJoin [k]", "spark.sql.adaptive.skewJoin.enabled=false");

    spark.conf().set("spark.sql.adaptive.skewJoin.enabled", "true");
    spark.conf().set("spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes", "1m");
    spark.conf().set("spark.sql.adaptive.skewJoin.skewedPartitionFactor", "2");
    spark.conf().set("spark.sql.adaptive.advisoryPartitionSizeInBytes", "8m"); // the size AQE splits into
    query("split-join", () -> skewed.join(other, "k").agg(max("pad")).collectAsList());
    assertQuiet("SkewedJoin", "split-join");
  }

  private JsonNode finding(String rule, String description) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      for (JsonNode n : Sessions.readFindings(findingsFile)) {
        if (n.path("rule").asText().equals(rule) && n.path("scope").path("description").asText().equals(description)) {
          return n;
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no " + rule + " finding for query '" + description + "'");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
