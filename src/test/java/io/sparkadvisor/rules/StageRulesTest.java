package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.FailureKind;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** DiskSpill, GcPressure, TinyTasks, TaskFailures and LargeCollect on stage fixtures. */
class StageRulesTest {
  private static final long MB = 1L << 20;

  @Nested
  class DiskSpillRule {
    private final RuleHarness h = new RuleHarness();

    private void run(long diskPerTask) {
      runSql(diskPerTask, false);
    }

    private void runSql(long diskPerTask, boolean sql) {
      DiskSpill rule = new DiskSpill(h.options("DiskSpill"));
      if (sql) {
        h.submitSql(1, "save at Etl.java:3", 10, 4, Map.of("spark.sql.shuffle.partitions", "50"));
      } else {
        h.submit(1, "sortBy at Etl.java:3", 10);
      }
      for (int p = 0; p < 10; p++) {
        h.end(Tasks.task(1, p, 1_000).spill(4 * diskPerTask, diskPerTask).shuffleRead(5 * MB));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
    }

    @Test
    void firesAt100MbWithRatioAndFix() {
      run(10 * MB);
      Finding f = h.fires();
      assertThat(f.evidence()).containsEntry("diskSpillBytes", 100 * MB)
          .containsEntry("memorySpillBytes", 400 * MB).containsEntry("shuffleReadBytes", 50 * MB);
      assertThat(f.message()).contains("100 MB to disk", "400 MB in memory", "2x the stage's shuffle read");
      // An RDD shuffle: SQL settings would do nothing, the partition count is in the code.
      assertThat(f.fix()).contains("use 30 partitions instead of 10").doesNotContain("spark.sql");
      assertThat(f.costMillis()).isEqualTo(1_000);
    }

    @Test
    void aSqlStageGetsTheSessionsShufflePartitions() {
      h.conf("spark.sql.shuffle.partitions", "200");
      runSql(10 * MB, true);
      assertThat(h.fires().fix()).contains("spark.sql.shuffle.partitions=150 (now 50)",
          "spark.sql.adaptive.advisoryPartitionSizeInBytes=21m");
    }

    @Test
    void quietJustUnder100Mb() {
      run(10 * MB - 1);
      h.quiet();
    }

    @Test
    void aSmallSpillInALargeStageIsQuiet() {
      DiskSpill rule = new DiskSpill(h.options("DiskSpill"));
      h.submit(1, "sortBy at Etl.java:3", 10);
      for (int p = 0; p < 10; p++) { // 150 MB spilled of 2 GB read: 7.3%
        h.end(Tasks.task(1, p, 1_000).spill(60 * MB, 15 * MB).shuffleRead(200 * MB).input(5 * MB));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      h.quiet();
    }

    @Test
    void theShareOfTheStageIsAnOption() {
      h.option("minSpillRatio", "0.05");
      DiskSpill rule = new DiskSpill(h.options("DiskSpill"));
      h.submit(1, "sortBy at Etl.java:3", 10);
      for (int p = 0; p < 10; p++) {
        h.end(Tasks.task(1, p, 1_000).spill(60 * MB, 15 * MB).shuffleRead(200 * MB));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      assertThat(h.fires().evidence()).containsEntry("diskSpillBytes", 150 * MB);
    }
  }

  @Nested
  class GcPressureRule {
    private final RuleHarness h = new RuleHarness();

    private void run(long gcPerTask, long runPerTask) {
      GcPressure rule = new GcPressure(h.options("GcPressure"));
      h.submit(1, "map at Etl.java:3", 10);
      for (int p = 0; p < 10; p++) {
        h.end(Tasks.task(1, p, runPerTask).runTime(runPerTask).gc(gcPerTask));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
    }

    @Test
    void firesAt15PercentAnd10Seconds() {
      h.conf("spark.executor.memory", "4g");
      run(1_500, 10_000);
      Finding f = h.fires();
      assertThat(f.evidence()).containsEntry("gcMs", 15_000L).containsEntry("runTimeMs", 100_000L);
      assertThat(f.message()).contains("GC took 15 s, 15% of 1.7 min executor run time across 10 tasks");
      assertThat(f.fix()).contains("spark.executor.memory (now 4g)");
    }

    @Test
    void printedSettingsHonourSparkRedaction() {
      h.conf("spark.executor.memory", "4g").conf("spark.redaction.regex", "(?i)memory");
      run(1_500, 10_000);
      assertThat(h.fires().fix()).contains("spark.executor.memory (now *********(redacted))")
          .doesNotContain("4g");
    }

    @Test
    void quietUnderTheRatio() {
      run(1_400, 10_000);
      h.quiet();
    }

    @Test
    void quietUnderTenSecondsEvenAtAHighRatio() {
      run(900, 2_000);
      h.quiet();
    }

    /** Executor 1's heartbeats while stage 1 runs: {@code pausePer10s} of GC in each 10 s. */
    private void heartbeats(long pausePer10s, int count) {
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("1", "h1", 16, 1_000));
      for (int i = 0; i <= count; i++) {
        long pause = i * pausePer10s;
        h.app.executorMetrics(new AdvisorEvent.ExecutorMetrics("1", 1L << 30, 1_000_000 + i * 10_000L, -1,
            new AdvisorEvent.Gc(10 + i, pause, 0, 0, pause), new int[] {1}, new int[] {0}, false));
      }
    }

    @Test
    void shortTasksAreJudgedByTheExecutorsOwnGcNotTheSumOfTheirGcTimes() {
      // 2,000 tasks of 100 ms on a 16-core executor, each charged 866 ms of the JVM's GC: the
      // tasks' sum says 866%, while the JVM paused 200 ms in every 10 s (2%).
      GcPressure rule = new GcPressure(h.options("GcPressure"));
      h.submit(1, "map at Etl.java:3", 2_000);
      heartbeats(200, 3);
      for (int p = 0; p < 2_000; p++) {
        h.end(Tasks.task(1, p, 100).runTime(100).gc(866));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      h.quiet();
    }

    @Test
    void firesOnTheExecutorsGcShareWithACostWithinTheRunTime() {
      GcPressure rule = new GcPressure(h.options("GcPressure"));
      h.submit(1, "map at Etl.java:3", 10);
      heartbeats(4_000, 3);
      for (int p = 0; p < 10; p++) {
        h.end(Tasks.task(1, p, 10_000).runTime(10_000).gc(0));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      Finding f = h.fires();
      assertThat(f.message()).contains("executors' JVMs paused for GC 40% of the time they ran its tasks, "
          + "~40 s of 1.7 min executor run time across 10 tasks");
      assertThat(f.costMillis()).isEqualTo(40_000);
      assertThat(f.evidence()).containsEntry("executorGcMs", 12_000L).containsEntry("executorWallMs", 30_000L);
    }

    @Test
    void theDriversOwnHeartbeatsInLocalModeDoNotCutTheExecutorsIntervals() {
      // Local mode: the executor is the driver's JVM, and the driver heartbeats too, in between.
      GcPressure rule = new GcPressure(h.options("GcPressure"));
      h.submit(1, "map at Etl.java:3", 10);
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("driver", "localhost", 2, 1_000));
      for (int i = 0; i <= 6; i++) {
        long pause = i * 2_000L;
        boolean driver = i % 2 == 1;
        h.app.executorMetrics(new AdvisorEvent.ExecutorMetrics("driver", 1L << 30, 1_000_000 + i * 5_000L, -1,
            new AdvisorEvent.Gc(i, pause, 0, 0, pause), driver ? new int[0] : new int[] {1},
            driver ? new int[0] : new int[] {0}, driver));
      }
      for (int p = 0; p < 10; p++) {
        h.end(Tasks.task(1, p, 10_000).runTime(10_000));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      assertThat(h.fires().evidence()).containsEntry("executorGcMs", 12_000L).containsEntry("executorWallMs", 30_000L);
    }

    @Test
    void withoutExecutorCountersTheTasksShareIsClampedAt100Percent() {
      run(30_000, 10_000); // each task charged 3x its run time
      Finding f = h.fires();
      assertThat(f.message()).contains("GC took 1.7 min, 100% of 1.7 min executor run time");
      assertThat(f.costMillis()).isEqualTo(100_000);
      assertThat(f.evidence()).containsEntry("gcRatio", 1.0).containsEntry("taskGcMs", 300_000L);
    }
  }

  @Nested
  class TinyTasksRule {
    private final RuleHarness h = new RuleHarness();

    private void run(int tasks, long ms) {
      TinyTasks rule = new TinyTasks(h.options("TinyTasks"));
      h.submitSql(1, "count at Etl.java:3", tasks, 2, Map.of("spark.sql.shuffle.partitions", "2000"));
      for (int p = 0; p < tasks; p++) {
        h.end(Tasks.task(1, p, ms).runTime(ms / 2).shuffleRead(1_000));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
    }

    @Test
    void firesOnAThousandTasksUnder50Ms() {
      run(1_000, 40);
      Finding f = h.fires();
      assertThat(f.evidence()).containsEntry("tasks", 1_000).containsEntry("overheadMs", 20_000L);
      assertThat(f.message()).contains("1,000 tasks with median 40 ms");
      assertThat(f.fix()).contains("spark.sql.shuffle.partitions=200 (now 2000)",
          "spark.sql.adaptive.advisoryPartitionSizeInBytes");
    }

    @Test
    void anRddStageIsToldToCoalesce() {
      TinyTasks rule = new TinyTasks(h.options("TinyTasks"));
      h.submit(1, "count at Etl.java:3", 2_000).endMany(1, 0, 2_000, 5);
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      assertThat(h.fires().fix()).contains("coalesce(").doesNotContain("spark.sql");
    }

    @Test
    void quietUnderAThousandTasks() {
      run(999, 10);
      h.quiet();
    }

    @Test
    void quietAt50MsMedian() {
      run(1_000, 51);
      h.quiet();
    }

    @Test
    void sparksParallelFileListingJobIsNotJudged() {
      // Spark lists 2,000 partition folders with one task each (HadoopFSUtils).
      TinyTasks rule = new TinyTasks(h.options("TinyTasks"));
      h.app.stageSubmitted(new AdvisorEvent.StageSubmitted(1, 0, "parquet at Etl.java:12", 2_000, 1_000_000, null,
          "Listing leaf files and directories for 2000 paths:<br/>file:/data/events/day=1, ...", -1));
      h.endMany(1, 0, 2_000, 5);
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      h.quiet();
    }

    @Test
    void anAdaptiveStageIsNamedByItsQueryNotThePoolThatSubmittedIt() {
      TinyTasks rule = new TinyTasks(h.options("TinyTasks"));
      h.app.queryStarted(new AdvisorEvent.SqlStart(6, "collectAsList at Report.java:7", 1_000_000,
          io.sparkadvisor.model.PlanNode::empty, Map::of), io.sparkadvisor.model.PlanNode.empty(), Map.of());
      h.app.stageSubmitted(new AdvisorEvent.StageSubmitted(2, 0,
          "$anonfun$withThreadLocalCaptured$1 at FutureTask.java:264", 2_000, 1_000_000, null, null, 6));
      h.endMany(2, 0, 2_000, 5);
      rule.onStageCompleted(h.complete(2, null), h.context(rule));
      assertThat(h.fires().render()).startsWith("[TinyTasks] stage 2.0 'collectAsList at Report.java:7' (SQL query 6)")
          .doesNotContain("FutureTask");
    }
  }

  @Nested
  class TaskFailuresRule {
    private final RuleHarness h = new RuleHarness();

    @Test
    void groupsFailuresByReasonWithTheirTime() {
      TaskFailures rule = new TaskFailures(h.options("TaskFailures"));
      h.submit(1, "save at Etl.java:3", 4).endMany(1, 0, 4, 1_000)
          .end(Tasks.task(1, 1, 3_000).failed(FailureKind.EXCEPTION, "java.io.IOException", "disk full"))
          .end(Tasks.task(1, 2, 2_000).failed(FailureKind.EXCEPTION, "java.io.IOException", "disk full"))
          .end(Tasks.task(1, 3, 500).failed(FailureKind.OUT_OF_MEMORY, "", "Java heap space"));
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      Finding f = h.fires();
      assertThat(f.message()).contains("3 task attempts failed (2 x exception java.io.IOException, "
          + "1 x out of memory), e.g. 'disk full'; retries succeeded");
      assertThat(f.evidence()).containsEntry("failedAttempts", 3).containsEntry("failedTimeMs", 5_500L)
          .containsEntry("reasons", Map.of("exception java.io.IOException", 2, "out of memory", 1));
      assertThat(f.costMillis()).isEqualTo(5_500);
      assertThat(f.fix()).contains("java.io.IOException");
    }

    @Test
    void killedSpeculativeCopiesDoNotCount() {
      TaskFailures rule = new TaskFailures(h.options("TaskFailures"));
      h.submit(1, "s", 4).endMany(1, 0, 4, 1_000).end(Tasks.task(1, 2, 800).killed());
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      h.quiet();
    }

    @Test
    void saysWhenTheStageFailed() {
      TaskFailures rule = new TaskFailures(h.options("TaskFailures"));
      h.submit(1, "s", 1).end(Tasks.task(1, 0, 100).failed(FailureKind.EXECUTOR_LOST, "", "exit 137"));
      rule.onStageCompleted(h.complete(1, "Job aborted"), h.context(rule));
      Finding f = h.fires();
      assertThat(f.message()).contains("1 task attempt failed (1 x executor lost)", "the stage failed");
      assertThat(f.fix()).contains("spark.executor.memoryOverhead");
    }
  }

  @Nested
  class LargeCollectRule {
    private final RuleHarness h = new RuleHarness();
    private int queries;

    private void run(long bytesPerTask) {
      LargeCollect rule = new LargeCollect(h.options("LargeCollect"));
      h.submit(1, "collect at Report.java:9", 4);
      for (int p = 0; p < 4; p++) {
        h.end(Tasks.task(1, p, 100).result(bytesPerTask));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
    }

    @Test
    void firesAt100Mb() {
      run(25 * MB);
      Finding f = h.fires();
      assertThat(f.evidence()).containsEntry("resultBytes", 100 * MB);
      assertThat(f.message()).contains("100 MB of serialized results from 4 tasks");
      assertThat(f.fix()).contains("toLocalIterator()");
    }

    @Test
    void quietUnder100Mb() {
      run(25 * MB - 1);
      h.quiet();
    }

    /**
     * A SQL collect of a range of {@code rows} rows: its result stage ran the plan's only
     * operator, whose "number of output rows" the stage reports; the tasks sent {@code bytesPerTask}.
     */
    private void collectRows(String callSite, long rows, long bytesPerTask) {
      int id = ++queries;
      PlanFixture f = new PlanFixture();
      io.sparkadvisor.model.PlanNode range = f.range(rows);
      h.query(id, callSite, range, Map.of(), Map.of());
      h.app.stageSubmitted(new io.sparkadvisor.model.AdvisorEvent.StageSubmitted(id, 0, callSite, 2, 1_000_000,
          null, null, id));
      for (int p = 0; p < 2; p++) {
        h.end(Tasks.task(id, p, 100).result(bytesPerTask));
      }
      LargeCollect rule = new LargeCollect(h.options("LargeCollect"));
      rule.onStageCompleted(h.completeWithMetrics(id, PlanRulesTest.ran(f, range)), h.context(rule));
    }

    @Test
    void aMillionRowsReturnedFireEvenWithFewBytes() {
      collectRows("collectAsList at Report.java:9", 1_000_000, 6 * MB);
      Finding f = h.fires();
      assertThat(f.message()).startsWith("the action returned 1,000,000 rows to the driver, each a Row object in its heap "
          + "(12 MB of serialized results from 2 tasks; spark.driver.maxResultSize=1g)");
      assertThat(f.evidence()).containsEntry("rows", 1_000_000L).containsEntry("resultBytes", 12 * MB);
    }

    @Test
    void fewerRowsWithFewBytesAreQuiet() {
      collectRows("collectAsList at Report.java:9", 999_999, 6 * MB);
      h.quiet();
    }

    @Test
    void actionsThatDoNotReturnTheirRowsAreQuiet() {
      collectRows("foreachPartition at Sink.java:4", 3_000_000, 4_000);
      collectRows("toLocalIterator at Export.java:12", 3_000_000, 4_000);
      h.quiet();
    }

    @Test
    void theRowFloorIsAnOption() {
      h.option("minRows", "100");
      collectRows("collect at Report.java:9", 100, 1_000);
      assertThat(h.fires().evidence()).containsEntry("rows", 100L);
    }

    @Test
    void theCostNeverExceedsTheStagesTime() {
      // 400 MB at ~100 MB/s would be 4 s; the stage ran from 1,999,000 to 2,000,000: 1 s.
      LargeCollect rule = new LargeCollect(h.options("LargeCollect"));
      h.app.stageSubmitted(new io.sparkadvisor.model.AdvisorEvent.StageSubmitted(1, 0, "collect at R.java:1", 4,
          1_999_000, null, null, -1));
      for (int p = 0; p < 4; p++) {
        h.end(Tasks.task(1, p, 100).result(100 * MB));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      assertThat(h.fires().costMillis()).isEqualTo(1_000);
    }

    @Test
    void aBroadcastBuildSideGetsTheBroadcastFix() {
      LargeCollect rule = new LargeCollect(h.options("LargeCollect"));
      h.app.stageSubmitted(new io.sparkadvisor.model.AdvisorEvent.StageSubmitted(1, 0, "run at Fut.java:1", 4,
          1, "r-1", "broadcast exchange (runId r-1)", 3));
      for (int p = 0; p < 4; p++) {
        h.end(Tasks.task(1, p, 100).result(50 * MB));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      Finding f = h.fires();
      assertThat(f.message()).startsWith("a broadcast join collected 200 MB");
      assertThat(f.fix()).contains("spark.sql.autoBroadcastJoinThreshold");
      assertThat(f.costMillis()).isEqualTo(2_000);
    }

    @Test
    void shuffleMapOutputIsNotACollect() {
      LargeCollect rule = new LargeCollect(h.options("LargeCollect"));
      h.submit(1, "s", 4);
      for (int p = 0; p < 4; p++) {
        h.end(Tasks.task(1, p, 100).shuffleRead(100 * MB));
      }
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      h.quiet();
    }
  }
}
