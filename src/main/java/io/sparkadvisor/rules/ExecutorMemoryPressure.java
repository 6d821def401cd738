package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.ExecutorStats;
import io.sparkadvisor.model.StageStats;
import java.util.ArrayList;
import java.util.List;

/**
 * Executors short of heap. Spark's JVM heap figure is heap used, garbage included: a heap at 95%
 * just before a collection is normal. So a full heap counts only with the collector's evidence
 * that it stayed full: at least 10 s of major (old-generation, under G1 full) GC pauses on that
 * executor, or an OutOfMemoryError in one of its tasks. Or the JVM paused for GC 30% of the time
 * (its own GC counters over its heartbeats; the tasks' GC time over their run time, clamped at
 * 100%, where Spark reports none), with at least a minute of task time. Judged at each stage's end
 * and at the application's, reported once for the application with the worst executor.
 */
@RuleInfo(id = "ExecutorMemoryPressure", severity = Severity.WARN,
    summary = "Executors ran with their heap full and collecting, or spent much of their time in GC")
public final class ExecutorMemoryPressure implements Rule {
  private final double maxHeapRatio;
  private final long minMajorGcMs;
  private final double maxGcRatio;
  private final long minRunTimeMs;
  private boolean reported;

  public ExecutorMemoryPressure(RuleOptions o) {
    maxHeapRatio = o.ratio("maxHeapRatio", 0.95);
    minMajorGcMs = o.durationMillis("minMajorGcTime", 10_000);
    maxGcRatio = o.ratio("maxGcRatio", 0.3);
    minRunTimeMs = o.durationMillis("minRunTime", 60_000);
  }

  @Override
  public void onStageCompleted(StageStats stage, RuleContext ctx) {
    judge(ctx.app(), ctx);
  }

  @Override
  public void onApplicationEnd(AppState app, RuleContext ctx) {
    judge(app, ctx);
  }

  private void judge(AppState app, RuleContext ctx) {
    if (reported) {
      return;
    }
    long heap = ExecutorMemory.heapBytes(ctx.spark());
    ExecutorStats worstHeap = null;
    ExecutorStats worstGc = null;
    int affected = 0;
    for (ExecutorStats x : app.executors().all()) {
      if (x.isDriver()) {
        continue; // local mode: the driver's heap is not spark.executor.memory
      }
      boolean full = x.peakHeapBytes() >= maxHeapRatio * heap
          && (x.gc().majorMs() >= minMajorGcMs || x.oomFailures() > 0);
      boolean gc = x.runTimeMs() >= minRunTimeMs && gcRatio(x) >= maxGcRatio;
      if (full && (worstHeap == null || x.peakHeapBytes() > worstHeap.peakHeapBytes())) {
        worstHeap = x;
      }
      if (gc && (worstGc == null || gcRatio(x) > gcRatio(worstGc))) {
        worstGc = x;
      }
      affected += full || gc ? 1 : 0;
    }
    if (affected == 0) {
      return;
    }
    reported = true;
    long cores = ctx.spark().count("spark.executor.cores").orElse(0);
    String evidence = "";
    if (worstHeap != null) {
      evidence = "executor " + worstHeap.id() + " used up to " + Units.bytes(worstHeap.peakHeapBytes()) + " of its "
          + Units.bytes(heap) + " heap (" + Units.percent(worstHeap.peakHeapBytes() / (double) heap) + ")";
      List<String> why = new ArrayList<>();
      if (worstHeap.gc().majorMs() >= minMajorGcMs) {
        why.add(Units.count(worstHeap.gc().majorCount()) + " major GCs took " + Units.duration(worstHeap.gc().majorMs()));
      }
      if (worstHeap.oomFailures() > 0) {
        why.add(worstHeap.oomFailures() + (worstHeap.oomFailures() == 1 ? " task" : " tasks")
            + " failed with OutOfMemoryError");
      }
      evidence += " and " + String.join(", ", why);
    }
    if (worstGc != null) {
      evidence += (evidence.isEmpty() ? "" : "; ") + "executor " + worstGc.id()
          + (worstGc.jvmGcShare() >= 0
              ? "'s JVM paused for GC " + Units.percent(gcRatio(worstGc)) + " of its "
                  + Units.duration(worstGc.measuredWallMs())
              : " spent " + Units.duration(Math.min(worstGc.gcMs(), worstGc.runTimeMs())) + " of "
                  + Units.duration(worstGc.runTimeMs()) + " task time in GC (" + Units.percent(gcRatio(worstGc)) + ")");
    }
    long gcCost = 0;
    for (ExecutorStats x : app.executors().all()) {
      gcCost += x.isDriver() ? 0 : Math.round(gcRatio(x) * x.runTimeMs());
    }
    String fewerCores = cores > 1
        ? " or fewer cores per executor (spark.executor.cores=" + Math.max(1, cores / 2) + ", now " + cores
            + ") so each task gets a larger share"
        : " or fewer concurrent tasks per executor (spark.executor.cores) so each gets a larger share";
    ctx.report(ctx.finding(Scope.application())
        .message(affected + (affected == 1 ? " executor" : " executors") + " short of heap: " + evidence)
        .cost(gcCost, "~" + Units.duration(gcCost) + " of task time in GC on executors; next come spill, "
            + "OutOfMemoryError and lost executors")
        .fix("more heap per task: spark.executor.memory=" + ExecutorMemory.sparkSize((long) (heap * 1.5), 512
            * ExecutorMemory.MIB) + " (now " + Units.bytes(heap) + ")" + fewerCores
            + "; cache less, or serialized (MEMORY_AND_DISK_SER)")
        .evidence("executors", affected)
        .evidence("executorMemoryBytes", heap)
        .evidence("peakHeapBytes", worstHeap == null ? -1 : worstHeap.peakHeapBytes())
        .evidence("majorGcMs", worstHeap == null ? 0 : worstHeap.gc().majorMs())
        .evidence("oomFailures", worstHeap == null ? 0 : worstHeap.oomFailures())
        .evidence("gcRatio", worstGc == null ? 0.0 : gcRatio(worstGc))
        .build());
  }

  /**
   * The executor's share of time in GC: its JVM's pauses over its life where its heartbeats
   * carried GC counters, else its tasks' GC time over their run time; at most 1.
   */
  private static double gcRatio(ExecutorStats x) {
    if (x.jvmGcShare() >= 0) {
      return x.jvmGcShare();
    }
    return x.runTimeMs() == 0 ? 0 : Math.min(1.0, x.gcMs() / (double) x.runTimeMs());
  }
}
