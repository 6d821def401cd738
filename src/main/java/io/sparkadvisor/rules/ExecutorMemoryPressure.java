package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.ExecutorStats;
import io.sparkadvisor.model.StageStats;

/**
 * Executors short of heap: the peak JVM heap used reached 95% of {@code spark.executor.memory},
 * or GC took 30% of the task time an executor ran (at least a minute of it). Judged at each
 * stage's end and at the application's, reported once for the application with the worst
 * executor.
 */
@RuleInfo(id = "ExecutorMemoryPressure", severity = Severity.WARN,
    summary = "Executors ran with their heap nearly full or spent much of their time in GC")
public final class ExecutorMemoryPressure implements Rule {
  private final double maxHeapRatio;
  private final double maxGcRatio;
  private final long minRunTimeMs;
  private boolean reported;

  public ExecutorMemoryPressure(RuleOptions o) {
    maxHeapRatio = o.ratio("maxHeapRatio", 0.95);
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
      boolean full = x.peakHeapBytes() >= maxHeapRatio * heap;
      boolean gc = x.runTimeMs() >= minRunTimeMs && x.gcMs() >= maxGcRatio * x.runTimeMs();
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
    String evidence = worstHeap != null
        ? "executor " + worstHeap.id() + " used up to " + Units.bytes(worstHeap.peakHeapBytes()) + " of its "
            + Units.bytes(heap) + " heap (" + Units.percent(worstHeap.peakHeapBytes() / (double) heap) + ")"
        : "";
    if (worstGc != null) {
      evidence += (evidence.isEmpty() ? "" : "; ") + "executor " + worstGc.id() + " spent "
          + Units.duration(worstGc.gcMs()) + " of " + Units.duration(worstGc.runTimeMs()) + " task time in GC ("
          + Units.percent(gcRatio(worstGc)) + ")";
    }
    long gcCost = 0;
    for (ExecutorStats x : app.executors().all()) {
      gcCost += x.isDriver() ? 0 : x.gcMs();
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
        .evidence("gcRatio", worstGc == null ? 0.0 : gcRatio(worstGc))
        .build());
  }

  private static double gcRatio(ExecutorStats x) {
    return x.runTimeMs() == 0 ? 0 : x.gcMs() / (double) x.runTimeMs();
  }
}
