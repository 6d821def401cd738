package io.sparkadvisor.demo;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A small job with the mistakes the advisor finds: a skewed stage, thousands of tiny tasks,
 * flaky tasks, a SQL aggregation with adaptive execution switched off, a join that should have
 * been broadcast, and a window that funnels every row into one task. It does not mention
 * the advisor: attach it the way you would to any job,
 *
 * <pre>
 * spark-submit --class io.sparkadvisor.demo.DemoJob \
 *   --conf spark.extraListeners=io.sparkadvisor.SparkAdvisorListener spark-advisor_2.13-VERSION.jar
 * </pre>
 *
 * and read the {@code [RuleId]} lines in the driver log. Without a master it runs on local[2,3].
 */
public final class DemoJob {
  private DemoJob() {}

  public static void main(String[] args) {
    SparkSession.Builder builder = SparkSession.builder().appName("spark-advisor demo");
    if (System.getProperty("spark.master") == null && System.getenv("MASTER") == null) {
      builder.master("local[2,3]"); // 2 cores, and a failed task gets retried
    }
    SparkSession spark = builder.getOrCreate();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      sc.setJobGroup("demo-skew", "one partition is 60x slower than the rest", false);
      long skewed = sc.parallelize(range(16), 16).map(i -> {
        Thread.sleep(i == 3 ? 7_000 : 100);
        return i;
      }).count();
      System.out.println("demo: skewed stage counted " + skewed + " rows");

      sc.setJobGroup("demo-tiny", "2000 partitions for 2000 numbers", false);
      System.out.println("demo: tiny tasks counted " + sc.parallelize(range(2_000), 2_000).count() + " rows");

      sc.setJobGroup("demo-flaky", "two tasks fail on their first attempt", false);
      long flaky = sc.parallelize(range(8), 8).map(i -> {
        if ((i == 1 || i == 2) && TaskContext.get().attemptNumber() == 0) {
          throw new IllegalStateException("flaky input in partition " + i);
        }
        return i;
      }).count();
      System.out.println("demo: flaky stage counted " + flaky + " rows after retries");

      sc.setJobGroup("demo-sql", "aggregation with AQE off", false);
      spark.conf().set("spark.sql.adaptive.enabled", "false");
      long groups = spark.range(0, 1_000_000).selectExpr("id % 100 AS k").groupBy("k").count().count();
      System.out.println("demo: SQL aggregation produced " + groups + " groups");
      spark.conf().unset("spark.sql.adaptive.enabled");

      sc.setJobGroup("demo-join", "a 1,000-row dimension joined by sort-merge: broadcast is off", false);
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
      long joined = spark.range(0, 2_000_000).selectExpr("id", "id % 1000 AS k")
          .join(spark.range(0, 1_000).selectExpr("id AS k", "CAST(id AS STRING) AS name"), "k").count();
      System.out.println("demo: join produced " + joined + " rows");
      spark.conf().unset("spark.sql.autoBroadcastJoinThreshold");

      sc.setJobGroup("demo-window", "a row number over all rows, without PARTITION BY", false);
      spark.sparkContext().setJobDescription("global row_number");
      int top = spark.range(0, 1_500_000).selectExpr("id", "row_number() OVER (ORDER BY id) AS rn")
          .selectExpr("max(rn)").first().getInt(0);
      System.out.println("demo: window numbered " + top + " rows");
    } finally {
      spark.stop();
    }
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }
}
