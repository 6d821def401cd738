package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.FailureKind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** ExecutorLost, ExecutorMemoryPressure and ExecutorMemoryOversized on executor fixtures. */
class ExecutorRulesTest {
  private static final long MIN = 60_000;
  private static final long GIB = 1L << 30;
  private static final long T0 = 1_700_000_000_000L;

  @Nested
  class ExecutorLostRule {
    private final RuleHarness h = new RuleHarness();
    private final ExecutorLost rule = new ExecutorLost(h.options("ExecutorLost"));

    /** Executor 2 runs two tasks that fail with it when it is removed for {@code reason}. */
    private void lose(String reason) {
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("1", "h1", 2, T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("2", "h2", 2, T0));
      h.submit(1, "count at Etl.java:9", 4);
      h.end(Tasks.task(1, 0, 5_000).executor("1"));
      h.end(Tasks.task(1, 1, 7_000).executor("2").failed(FailureKind.EXECUTOR_LOST, "", reason));
      h.end(Tasks.task(1, 2, 3_000).executor("2").failed(FailureKind.EXECUTOR_LOST, "", reason));
      h.app.executorRemoved(new AdvisorEvent.ExecutorRemoved("2", reason, T0 + 2 * MIN));
    }

    @Test
    void waitsForTheLostTasksThenReportsTheReasonAndTheirTime() {
      lose("Command exited with code 1");
      rule.onTick(h.app, T0 + 2 * MIN + 1_000, h.context(rule));
      h.quiet();
      rule.onTick(h.app, T0 + 2 * MIN + 3_000, h.context(rule));
      Finding f = h.fires();
      assertThat(f.message()).contains("executor 2 on h2 was lost after 2 min",
          "'Command exited with code 1'", "2 task attempts failed with it");
      assertThat(f.costMillis()).isEqualTo(10_000);
      assertThat(f.evidence()).containsEntry("exitCode", 1).containsEntry("lostAttempts", 2);
      assertThat(f.fix()).contains("executor's own log on h2");
      rule.onTick(h.app, T0 + 3 * MIN, h.context(rule));
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet(); // judged once
    }

    @Test
    void exitCodes137And143AndMemoryLimitsReadAsMemoryOverhead() {
      for (String reason : new String[] {"Command exited with code 137",
          "Container killed on request. Exit code is 143",
          "Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory used",
          "Container killed by YARN for exceeding physical memory limits. 10.4 GB of 10.4 GB physical memory used",
          "Container [pid=4711] is running beyond physical memory limits.",
          "The executor with id 4 exited with exit code 137(SIGKILL, possible container OOM).",
          "pod reason: OOMKilled"}) {
        assertThat(ExecutorLost.memoryKill(reason)).as(reason).isTrue();
      }
      assertThat(ExecutorLost.memoryKill("Command exited with code 1")).isFalse();
      assertThat(ExecutorLost.memoryKill("Remote RPC client disassociated.")).isFalse();

      h.conf("spark.executor.memory", "8g");
      lose("Command exited with code 137");
      rule.onApplicationEnd(h.app, h.context(rule));
      // overhead: max(384 MB, 10% of 8 GB) = 819 MB; twice that, in 256 MB steps
      assertThat(h.fires().fix()).contains("raise spark.executor.memoryOverhead (now 819 MB) to 1792m");
    }

    @Test
    void quietWhenTheDriverReleasedTheExecutor() {
      lose("Executor killed by driver.");
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("3", "h3", 2, T0));
      h.app.executorRemoved(new AdvisorEvent.ExecutorRemoved("3", "Executor decommission: spot loss", T0 + MIN));
      // YARN's reason for a container released by dynamic allocation (seen in Spark's own test logs).
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("4", "h4", 2, T0));
      h.app.executorRemoved(new AdvisorEvent.ExecutorRemoved("4",
          "Container container_e18_1628109047826_1317105_01_000002 exited from explicit termination request.", T0 + MIN));
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet();
    }
  }

  @Nested
  class ExecutorMemoryPressureRule {
    private final RuleHarness h = new RuleHarness().conf("spark.executor.memory", "4g")
        .conf("spark.executor.cores", "4");
    private final ExecutorMemoryPressure rule = new ExecutorMemoryPressure(h.options("ExecutorMemoryPressure"));

    private void executor(String id, long peakHeap, long runMs, long gcMs) {
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded(id, "h" + id, 4, T0));
      h.app.executorMetrics(new AdvisorEvent.ExecutorMetrics(id, peakHeap, T0 + MIN));
      h.submit(Integer.parseInt(id), "s" + id, 1);
      h.end(Tasks.task(Integer.parseInt(id), 0, runMs).executor(id).gc(gcMs));
    }

    /** A heartbeat of executor {@code id} with its JVM's GC counters, {@code at} ms after T0. */
    private void gc(String id, long at, long minorMs, long majorCount, long majorMs) {
      h.app.executorMetrics(new AdvisorEvent.ExecutorMetrics(id, GIB, T0 + at, -1,
          new AdvisorEvent.Gc(100, minorMs, majorCount, majorMs, minorMs + majorMs), new int[0], new int[0], false));
    }

    @Test
    void aFullHeapWithoutMajorCollectionsIsHealthy() {
      // Heap used counts garbage: 99% just before a young collection is how a busy heap looks.
      executor("1", (long) (0.99 * 4 * GIB), 10 * MIN, 0);
      gc("1", 10 * MIN, 20_000, 0, 0);
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet();
    }

    @Test
    void firesWhenAHeapReached95PercentAndMajorCollectionsTookTenSeconds() {
      executor("1", (long) (0.96 * 4 * GIB), 10_000, 100);
      gc("1", 10 * MIN, 20_000, 4, 12_000);
      executor("2", 2 * GIB, 10_000, 100);
      rule.onStageCompleted(h.complete(1, null), h.context(rule));
      Finding f = h.fires();
      assertThat(f.message()).contains("1 executor short of heap",
          "executor 1 used up to 3.8 GB of its 4 GB heap (96%) and 4 major GCs took 12 s");
      assertThat(f.evidence()).containsEntry("majorGcMs", 12_000L);
      assertThat(f.fix()).contains("spark.executor.memory=6g", "spark.executor.cores=2, now 4");
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet(); // once per application
    }

    @Test
    void firesWhenAFullHeapEndedInAnOutOfMemoryError() {
      executor("1", (long) (0.97 * 4 * GIB), 10_000, 100);
      h.end(Tasks.task(1, 1, 2_000).executor("1").failed(FailureKind.OUT_OF_MEMORY, "", "Java heap space"));
      rule.onApplicationEnd(h.app, h.context(rule));
      assertThat(h.fires().message()).contains("(97%) and 1 task failed with OutOfMemoryError");
    }

    @Test
    void judgesGcByTheExecutorsJvmWhereItReportsIt() {
      // The tasks' GC time says half their run time; the JVM paused 5% of its 10 minutes.
      executor("1", 2 * GIB, 5 * MIN, (long) (2.5 * MIN));
      gc("1", 10 * MIN, 30_000, 0, 0);
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet();
    }

    @Test
    void firesWhenTheExecutorsJvmPausedForGcAThirdOfTheTime() {
      executor("1", 2 * GIB, 5 * MIN, 0);
      gc("1", 10 * MIN, 3 * MIN, 2, MIN);
      rule.onApplicationEnd(h.app, h.context(rule));
      Finding f = h.fires();
      assertThat(f.message()).contains("executor 1's JVM paused for GC 40% of its 10 min");
      assertThat(f.costMillis()).isEqualTo(2 * MIN); // 40% of its 5 min of task time
    }

    @Test
    void firesWhenGcTookAThirdOfAnExecutorsTaskTime() {
      executor("1", 2 * GIB, 3 * MIN, MIN);
      rule.onApplicationEnd(h.app, h.context(rule));
      assertThat(h.fires().message()).contains("executor 1 spent 1 min of 3 min task time in GC (33.3%)");
    }

    @Test
    void quietBelowTheThresholdsAndTheFloor() {
      executor("1", (long) (0.94 * 4 * GIB), 3 * MIN, (long) (0.29 * 3 * MIN));
      executor("2", 2 * GIB, 50_000, 40_000); // most of its time in GC, but under a minute of it
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet();
    }

    @Test
    void theDriversHeapInLocalModeIsNotJudged() {
      executor("1", GIB, 1_000, 0);
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("driver", "localhost", 4, T0));
      h.app.executorMetrics(new AdvisorEvent.ExecutorMetrics("driver", 5 * GIB, T0));
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet();
    }
  }

  @Nested
  class ExecutorMemoryOversizedRule {
    private final RuleHarness h = new RuleHarness().conf("spark.executor.memory", "8g");
    private final ExecutorMemoryOversized rule = new ExecutorMemoryOversized(h.options("ExecutorMemoryOversized"));

    private void run(long appMs, long... peaks) {
      h.app.appStarted(new AdvisorEvent.AppStart("etl", "app-1", T0));
      for (int i = 0; i < peaks.length; i++) {
        String id = Integer.toString(i + 1);
        h.app.executorAdded(new AdvisorEvent.ExecutorAdded(id, "h" + id, 4, T0));
        h.app.executorMetrics(new AdvisorEvent.ExecutorMetrics(id, peaks[i], T0 + MIN));
      }
      h.submit(1, "s", 1).end(Tasks.task(1, 0, 1_000));
      h.app.appEnded(new AdvisorEvent.AppEnd(T0 + appMs));
      rule.onApplicationEnd(h.app, h.context(rule));
    }

    @Test
    void recommendsThePeakPlusHeadroomWhenEveryExecutorStayedUnderHalf() {
      run(10 * MIN, 2 * GIB, 3 * GIB);
      Finding f = h.fires();
      assertThat(f.message()).contains("highest JVM heap any of 2 executors used was 3 GB of 8 GB (37.5%)");
      assertThat(f.fix()).contains("spark.executor.memory=4608m (now 8 GB");
      assertThat(f.evidence()).containsEntry("suggestedBytes", 4608L << 20);
    }

    @Test
    void recommendsFromWhatSparksMemoryManagerHeldNotTheRawPeak() {
      // 3 GB of heap used at the peak, garbage included; execution and storage held 600 MB.
      h.app.appStarted(new AdvisorEvent.AppStart("etl", "app-1", T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("1", "h1", 4, T0));
      h.app.executorMetrics(new AdvisorEvent.ExecutorMetrics("1", 3 * GIB, T0 + MIN, 600L << 20,
          AdvisorEvent.Gc.NONE, new int[] {1}, new int[] {0}, false));
      h.submit(1, "s", 1).end(Tasks.task(1, 0, 1_000));
      h.app.appEnded(new AdvisorEvent.AppEnd(T0 + 10 * MIN));
      rule.onApplicationEnd(h.app, h.context(rule));
      Finding f = h.fires();
      // 300 MB + 600 MB / 0.6 = 1,300 MB, plus 50% = 1,950 MB, in 512 MB steps
      assertThat(f.fix()).startsWith("spark.executor.memory=2g (now 8 GB: the most Spark's execution and storage "
          + "memory held, 600 MB, over spark.memory.fraction 0.6 plus the 300 MB Spark reserves, plus 50% headroom)");
      assertThat(f.message()).contains("was 3 GB of 8 GB (37.5%) over 10 min, garbage included; Spark's "
          + "execution and storage memory held at most 600 MB");
      assertThat(f.evidence()).containsEntry("suggestedBytes", 2 * GIB).containsEntry("peakManagedBytes", 600L << 20);
    }

    @Test
    void quietWhenOneExecutorUsedHalf() {
      run(10 * MIN, GIB, 4 * GIB);
      h.quiet();
    }

    @Test
    void quietForSmallExecutorsShortApplicationsAndNoMeasurement() {
      h.conf("spark.executor.memory", "3g");
      run(10 * MIN, GIB);
      h.quiet();
    }

    @Test
    void quietForShortApplications() {
      run(5 * MIN - 1, GIB);
      h.quiet();
    }

    @Test
    void quietWithoutHeapMeasurements() {
      run(10 * MIN);
      h.quiet();
    }

    @Test
    void aBareNumberIsMebibytesAsInSpark() {
      h.conf("spark.executor.memory", "8192");
      run(10 * MIN, GIB);
      assertThat(h.fires().evidence()).containsEntry("executorMemoryBytes", 8 * GIB);
    }
  }
}
