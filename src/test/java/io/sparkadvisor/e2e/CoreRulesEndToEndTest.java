package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.logging.log4j.Level;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The core rules on a real local SparkSession, each on a job built to show it, found by its job
 * group in the driver log and in the JSON-lines file. The session also carries a malformed rule
 * option and a custom rule that throws, to show both are contained.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoreRulesEndToEndTest {
  /** Holds the straggler task until the test has seen its finding (tasks run in this JVM). */
  static final CountDownLatch RELEASE_STRAGGLER = new CountDownLatch(1);

  private final Path findingsFile = Sessions.tempFindingsFile();
  private LogCapture log;
  private SparkSession spark;
  private JavaSparkContext sc;

  @BeforeAll
  void start() {
    log = LogCapture.attach();
    spark = Sessions.start("core-rules", Map.of(
        "spark.advisor.findings.path", findingsFile.toString(),
        "spark.advisor.rule.StragglerTask.minElapsed", "2s",
        "spark.advisor.rule.GcPressure.minGcTime", "1s",
        "spark.advisor.rule.TaskSkew.minTasks", "abc",
        "spark.advisor.rules.custom", ExplodingRule.class.getName()));
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  void stop() {
    RELEASE_STRAGGLER.countDown();
    Sessions.stop(spark);
    log.detach();
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void taskSkewNamesTheSlowPartition() throws Exception {
    sc.setJobGroup("skew", "skewed stage", false);
    long n = sc.parallelize(range(16), 16).map(i -> {
      sleep(i == 3 ? 6_000 : 100);
      return i;
    }).count();
    assertThat(n).isEqualTo(16);
    LogCapture.Line line = log.awaitFinding("TaskSkew", "job group 'skew'");
    assertThat(line.level()).isEqualTo(Level.WARN);
    assertThat(line.message()).contains("partition 3", "count at CoreRulesEndToEndTest.java");
    JsonNode f = Sessions.finding(findingsFile, "TaskSkew", "skew");
    assertThat(f.at("/evidence/maxTaskMs").asLong()).isBetween(6_000L, 9_000L);
    assertThat(f.at("/evidence/medianTaskMs").asLong()).isBetween(100L, 1_000L);
    assertThat(f.at("/evidence/partition").asInt()).isEqualTo(3);
    assertThat(f.at("/costMs").asLong()).isGreaterThan(5_000L);
  }

  @Test
  void stragglerIsLoggedWhileItsStageStillRuns() throws Exception {
    sc.setJobGroup("straggler", "one slow task", false);
    JavaRDD<Integer> rdd = sc.parallelize(range(8), 8).map(i -> {
      if (i == 7) {
        RELEASE_STRAGGLER.await(60, TimeUnit.SECONDS);
      } else {
        sleep(50);
      }
      return i;
    });
    CompletableFuture<Long> job = CompletableFuture.supplyAsync(rdd::count);
    LogCapture.Line line = log.awaitFinding("StragglerTask", "job group 'straggler'");
    // The finding is in the log and the stage is still running: the task is still held.
    assertThat(job).isNotDone();
    assertThat(spark.sparkContext().statusTracker().getActiveStageIds()).isNotEmpty();
    assertThat(line.message()).contains("partition 7", "7/8 finished", "still running");
    RELEASE_STRAGGLER.countDown();
    assertThat(job.get(60, TimeUnit.SECONDS)).isEqualTo(8L);
    JsonNode f = Sessions.finding(findingsFile, "StragglerTask", "straggler");
    assertThat(f.at("/evidence/elapsedMs").asLong()).isGreaterThanOrEqualTo(2_000L);
    assertThat(f.at("/evidence/finishedTasks").asInt()).isEqualTo(7);
  }

  @Test
  void tinyTasksOnTwoThousandPartitions() throws Exception {
    sc.setJobGroup("tiny", "many tiny tasks", false);
    assertThat(sc.parallelize(range(2_000), 2_000).count()).isEqualTo(2_000L);
    log.awaitFinding("TinyTasks", "job group 'tiny'");
    JsonNode f = Sessions.finding(findingsFile, "TinyTasks", "tiny");
    assertThat(f.at("/evidence/tasks").asInt()).isEqualTo(2_000);
    assertThat(f.at("/evidence/medianTaskMs").asLong()).isLessThan(50L);
    assertThat(f.at("/evidence/suggestedPartitions").asLong()).isLessThan(2_000L);
  }

  @Test
  void theSameStageInALoopIsLoggedOnceAndCounted() throws Exception {
    sc.setJobGroup("loop", "tiny tasks in a loop", false);
    for (int k = 0; k < 3; k++) {
      assertThat(sc.parallelize(range(1_200), 1_200).count()).isEqualTo(1_200L);
    }
    log.awaitFinding("TinyTasks", "job group 'loop'");
    sleep(1_000); // the advisor has long processed the later stages by now
    assertThat(log.findings("TinyTasks")).filteredOn(l -> l.message().contains("job group 'loop'")).hasSize(1);
    assertThat(Sessions.readFindings(findingsFile)).filteredOn(n -> n.at("/scope/jobGroup").asText().equals("loop"))
        .hasSize(1);
  }

  @Test
  void taskFailuresAreGroupedByException() throws Exception {
    sc.setJobGroup("failures", "flaky tasks", false);
    long n = sc.parallelize(range(8), 8).map(i -> {
      if ((i == 1 || i == 2) && TaskContext.get().attemptNumber() == 0) {
        throw new IllegalStateException("flaky partition " + i);
      }
      return i;
    }).count();
    assertThat(n).isEqualTo(8);
    LogCapture.Line line = log.awaitFinding("TaskFailures", "job group 'failures'");
    assertThat(line.message()).contains("2 task attempts failed (2 x exception java.lang.IllegalStateException)",
        "retries succeeded");
    JsonNode f = Sessions.finding(findingsFile, "TaskFailures", "failures");
    assertThat(f.at("/evidence/failedAttempts").asInt()).isEqualTo(2);
    assertThat(f.at("/evidence/reasons/exception java.lang.IllegalStateException").asInt()).isEqualTo(2);
  }

  @Test
  void largeCollectMeasuresTheResultBytes() throws Exception {
    sc.setJobGroup("collect", "collect 110 MB", false);
    List<byte[]> rows = sc.parallelize(range(110), 110).map(i -> new byte[1 << 20]).collect();
    assertThat(rows).hasSize(110);
    log.awaitFinding("LargeCollect", "job group 'collect'");
    JsonNode f = Sessions.finding(findingsFile, "LargeCollect", "collect");
    assertThat(f.at("/evidence/resultBytes").asLong()).isBetween(110L << 20, 120L << 20);
  }

  @Test
  void gcPressureFromAJobThatChurnsTheHeap() throws Exception {
    sc.setJobGroup("gc", "gc heavy", false);
    long n = sc.parallelize(range(4), 4).map(i -> {
      List<long[]> live = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        live.add(new long[1 << 20]); // 160 MB live per task while it runs
        System.gc();
      }
      return live.size();
    }).count();
    assertThat(n).isEqualTo(4);
    log.awaitFinding("GcPressure", "job group 'gc'");
    JsonNode f = Sessions.finding(findingsFile, "GcPressure", "gc");
    assertThat(f.at("/evidence/gcMs").asLong()).isGreaterThanOrEqualTo(1_000L);
    assertThat(f.at("/evidence/gcRatio").asDouble()).isGreaterThanOrEqualTo(0.15);
  }

  @Test
  void aqeSwitchedOffInTheSessionIsReported() throws Exception {
    spark.conf().set("spark.sql.adaptive.enabled", "false");
    try {
      long groups = spark.range(0, 100_000).selectExpr("id % 10 as k").groupBy("k").count().count();
      assertThat(groups).isEqualTo(10);
    } finally {
      spark.conf().unset("spark.sql.adaptive.enabled");
    }
    LogCapture.Line line = log.awaitFinding("AqeDisabled", "SQL query");
    assertThat(line.message()).contains("spark.sql.adaptive.enabled=false in the session's SQL conf",
        "fix: spark.sql.adaptive.enabled=true");
  }

  @Test
  void malformedOptionGetsOneWarnAndItsDefault() throws Exception {
    List<LogCapture.Line> warns = log.lines().stream()
        .filter(l -> l.message().contains("spark.advisor.rule.TaskSkew.minTasks")).toList();
    assertThat(warns).hasSize(1);
    assertThat(warns.get(0).level()).isEqualTo(Level.WARN);
    assertThat(warns.get(0).message()).contains("'abc'", "using the default 8");
    // The default (8 tasks) applies: a 7-task skewed stage stays quiet, which the unit tests show;
    // here the skew test's 16-task stage fires with it.
  }

  @Test
  void aThrowingRuleIsSwitchedOffWithOneWarnAndJobsGoOn() throws Exception {
    sc.setJobGroup("exploding", "several stages", false);
    for (int k = 0; k < 3; k++) {
      assertThat(sc.parallelize(range(4), 2).map(i -> i * 2).reduce(Integer::sum)).isEqualTo(12);
    }
    log.await(l -> l.message().contains("rule Exploding failed"), java.time.Duration.ofSeconds(20));
    sleep(500);
    List<LogCapture.Line> warns = log.lines().stream()
        .filter(l -> l.message().contains("rule Exploding failed")).toList();
    assertThat(warns).hasSize(1);
    assertThat(warns.get(0).level()).isEqualTo(Level.WARN);
    assertThat(warns.get(0).message()).contains("switched off", "bug in a rule");
  }
}
