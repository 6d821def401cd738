package io.sparkadvisor.e2e;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.window;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapGroupsWithStateFunction;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Streaming rules on real Structured Streaming queries over the rate source, at default thresholds:
 * each fires on a query built to show it, with its numbers checked, and not on its healthy twin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingEndToEndTest {
  private LogCapture log;
  private SparkSession spark;

  @BeforeAll
  void start() {
    log = LogCapture.attach();
    // StateGrowth's default floor is 256 MB of state; a test gets to 1 MB in seconds.
    spark = Sessions.start("streaming", Map.of("spark.sql.shuffle.partitions", "2",
        "spark.sql.streaming.stateStore.maintenanceInterval", "600s",
        "spark.advisor.rule.StateGrowth.minStateSize", "1m",
        // IdleCores judges applications of 3 s and more here: a streaming one is not judged at all.
        "spark.advisor.rule.IdleCores.minAppDuration", "3s"));
  }

  @AfterAll
  void stop() {
    Sessions.stop(spark); // the advisor judges the application as it ends, before stop returns
    log.detach();
    // Its executor sat idle between micro-batches and while foreachBatch functions slept: by
    // design for a streaming job, not idle cores by batch standards.
    assertThat(log.findings("IdleCores")).as("IdleCores on a streaming application").isEmpty();
  }

  private Dataset<Row> rate(int rowsPerSecond) {
    return spark.readStream().format("rate").option("rowsPerSecond", rowsPerSecond).load();
  }

  /** Runs the query until {@code batches} batches completed, then stops it. */
  private static void runFor(StreamingQuery q, int batches, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while ((q.lastProgress() == null || q.lastProgress().batchId() < batches) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    q.stop();
  }

  private static VoidFunction2<Dataset<Row>, Long> sleepPerBatch(long ms) {
    return (df, id) -> {
      df.count();
      Thread.sleep(ms);
    };
  }

  private void assertQuiet(String rule, String name) throws InterruptedException {
    assertThat(log.await(l -> l.isFinding(rule) && l.message().contains("'" + name + "'"), Duration.ofSeconds(1)))
        .as("[" + rule + "] on the healthy query '" + name + "'").isEmpty();
  }

  @Test
  void batchesThatOverrunTheirTriggerAreReportedOnceWithTheSlowestPhase() throws Exception {
    // The query runs in a session of its own, and the default session never runs a stream: the
    // trigger is found all the same, and finding it builds no session state in the default session
    // (asking its query manager would build one, with a listener bus, for nothing).
    SparkSession idle = spark.newSession();
    SparkSession.setDefaultSession(idle);
    try {
      StreamingQuery q = spark.newSession().readStream().format("rate").option("rowsPerSecond", 100).load()
          .writeStream().queryName("overrun").trigger(Trigger.ProcessingTime("1 second"))
          .foreachBatch(sleepPerBatch(1_300)).start();
      runFor(q, 8, Duration.ofSeconds(60));
      LogCapture.Line line = log.awaitFinding("StreamBatchOverrun", "'overrun'");
      assertThat(line.message()).contains("3 batches in a row without idle time", "trigger interval 1 s",
          "slowest phase addBatch");
      // Many batches overran; it was logged once for the query.
      assertThat(log.findings("StreamBatchOverrun")).filteredOn(l -> l.message().contains("'overrun'")).hasSize(1);
      assertThat(lazyField(idle, "sessionState")).as("the default session's state, built by the advisor").isNull();
    } finally {
      SparkSession.setDefaultSession(spark);
    }

    StreamingQuery healthy = rate(100).writeStream().queryName("on-time").trigger(Trigger.ProcessingTime("1 second"))
        .foreachBatch(sleepPerBatch(50)).start();
    runFor(healthy, 5, Duration.ofSeconds(30));
    assertQuiet("StreamBatchOverrun", "on-time");
  }

  @Test
  void backToBackBatchesOfTheDefaultTriggerAreHealthy() throws Exception {
    // The default trigger starts each batch as the previous one ends: no idle time by design.
    StreamingQuery q = rate(100).writeStream().queryName("back-to-back").foreachBatch(sleepPerBatch(1_200)).start();
    runFor(q, 6, Duration.ofSeconds(60));
    assertThat(q.lastProgress().batchId()).isGreaterThanOrEqualTo(6);
    assertNoWarning("back-to-back");
  }

  @Test
  void stateThatExpiresByTimeoutIsHealthyThoughItGrows() throws Exception {
    // mapGroupsWithState without a watermark whose keys time out: one in ten after half a second,
    // the rest after an hour. State grows while keys arrive faster than they expire.
    // Batches of 10,000 new keys every 2 s: well within the trigger, so nothing else fires either.
    Dataset<Long> values = rate(5_000).select(col("value")).as(Encoders.LONG());
    StreamingQuery q = values.groupByKey((MapFunction<Long, Long>) v -> v, Encoders.LONG())
        .mapGroupsWithState((MapGroupsWithStateFunction<Long, Long, Long, Long>) (key, rows, state) -> {
          if (state.hasTimedOut()) {
            state.remove();
            return key;
          }
          long n = state.exists() ? state.get() : 0;
          while (rows.hasNext()) {
            rows.next();
            n++;
          }
          state.update(n);
          state.setTimeoutDuration(key % 10 == 0 ? 500 : 3_600_000);
          return key;
        }, Encoders.LONG(), Encoders.LONG(), GroupStateTimeout.ProcessingTimeTimeout())
        .writeStream().queryName("timed-out-state").outputMode("update")
        .trigger(Trigger.ProcessingTime("2 seconds")).format("noop").start();
    runFor(q, 8, Duration.ofSeconds(60));
    StreamingQueryProgress[] progress = q.recentProgress();
    // What the test claims: state over the rule's floor, growing, with rows expired by the timeout.
    assertThat(progress[progress.length - 1].stateOperators()[0].numRowsTotal()).isGreaterThanOrEqualTo(10_000);
    assertThat(java.util.Arrays.stream(progress).mapToLong(p -> p.stateOperators()[0].numRowsRemoved()).sum())
        .isPositive();
    assertNoWarning("timed-out-state");
  }

  /** No WARN finding at all about the query named {@code name}. */
  private void assertNoWarning(String name) throws InterruptedException {
    assertThat(log.await(l -> l.level() == Level.WARN && l.logger().equals("io.sparkadvisor.findings")
        && l.message().contains("'" + name + "'"), Duration.ofSeconds(1)))
        .as("a WARN finding on the healthy query '" + name + "'").isEmpty();
  }

  /** A Scala lazy val's backing field, read without initializing it: null while never used. */
  private static Object lazyField(Object target, String name) throws IllegalAccessException {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        java.lang.reflect.Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
      } catch (NoSuchFieldException e) {
        // declared further up
      }
    }
    throw new AssertionError("no field " + name + " in " + target.getClass());
  }

  @Test
  void stateWithoutWatermarkGrowsAndIsReported() throws Exception {
    StreamingQuery q = rate(20_000).groupBy(col("value")).count().writeStream().queryName("unbounded-state")
        .outputMode("update").trigger(Trigger.ProcessingTime("500 milliseconds")).format("noop").start();
    LogCapture.Line line = log.awaitFinding("StateWithoutWatermark", "'unbounded-state'");
    q.stop();
    assertThat(line.message()).contains("stateful operator stateStoreSave", "no event-time watermark", "withWatermark");

    StreamingQuery healthy = rate(20_000).withWatermark("timestamp", "2 seconds")
        .groupBy(window(col("timestamp"), "1 second")).count().writeStream().queryName("windowed-state")
        .outputMode("update").trigger(Trigger.ProcessingTime("500 milliseconds")).format("noop").start();
    runFor(healthy, 7, Duration.ofSeconds(60));
    assertQuiet("StateWithoutWatermark", "windowed-state");
    assertQuiet("StateGrowth", "windowed-state");
  }

  @Test
  void stateThatAWatermarkDoesNotBoundIsReported() throws Exception {
    // A watermark an hour late never expires the one-second windows of a test that runs seconds.
    StreamingQuery q = rate(20_000).withWatermark("timestamp", "1 hour")
        .groupBy(window(col("timestamp"), "1 second"), col("value")).count().writeStream().queryName("late-watermark")
        .outputMode("update").trigger(Trigger.ProcessingTime("500 milliseconds")).format("noop").start();
    LogCapture.Line line = log.awaitFinding("StateGrowth", "'late-watermark'");
    q.stop();
    assertThat(line.message()).contains("grew from", "over 10 batches although the query has a watermark");
    assertThat(line.message()).doesNotContain("RocksDB"); // under the 1 GB above which it suggests it
  }

  @Test
  void aQueryWhoseBatchesCannotKeepUpIsFallingBehind() throws Exception {
    // Each batch takes time in proportion to its rows, 1.5 times longer than the rows took to arrive.
    StreamingQuery q = rate(20_000).writeStream().queryName("behind").foreachBatch((VoidFunction2<Dataset<Row>, Long>) (df, id) ->
        Thread.sleep(Math.min(20_000, df.count() * 3 / 40))).start();
    LogCapture.Line line = log.awaitFinding("StreamFallingBehind", "'behind'");
    q.stop();
    assertThat(line.message()).contains("input arrived at", "rows/s but was processed at");

    StreamingQuery healthy = rate(2_000).writeStream().queryName("keeping-up").foreachBatch(
        (VoidFunction2<Dataset<Row>, Long>) (df, id) -> Thread.sleep(df.count() * 3 / 40)).start();
    runFor(healthy, 7, Duration.ofSeconds(60));
    assertQuiet("StreamFallingBehind", "keeping-up");
  }

}
