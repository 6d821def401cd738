package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.AppState;

/**
 * At application end: over the whole run, no executor's JVM heap ever reached half of
 * {@code spark.executor.memory}. For executors of 4 GB and more, in applications of 5 minutes and
 * more; recommends the peak plus headroom.
 */
@RuleInfo(id = "ExecutorMemoryOversized", severity = Severity.INFO,
    summary = "Executors were given far more heap than they ever used")
public final class ExecutorMemoryOversized implements Rule {
  private final double maxUsedRatio;
  private final long minExecutorMemory;
  private final long minAppDurationMs;
  private final double headroom;

  public ExecutorMemoryOversized(RuleOptions o) {
    maxUsedRatio = o.ratio("maxUsedRatio", 0.5);
    minExecutorMemory = o.sizeBytes("minExecutorMemory", 4 * ExecutorMemory.GIB);
    minAppDurationMs = o.durationMillis("minAppDuration", 300_000);
    headroom = o.ratio("headroom", 0.5);
  }

  @Override
  public void onApplicationEnd(AppState app, RuleContext ctx) {
    long duration = app.endTime() - app.startTime();
    long heap = ExecutorMemory.heapBytes(ctx.spark());
    long peak = app.executors().maxPeakHeapBytes();
    int measured = app.executors().executorsWithHeap();
    if (app.startTime() <= 0 || duration < minAppDurationMs || heap < minExecutorMemory || measured == 0
        || peak <= 0 || peak >= maxUsedRatio * heap) {
      return;
    }
    long step = 512 * ExecutorMemory.MIB;
    long suggested = ExecutorMemory.roundUp((long) (peak * (1 + headroom)), step);
    if (suggested >= heap) {
      return;
    }
    long spare = heap - suggested;
    int executors = Math.max(1, app.executors().peakExecutors());
    ctx.report(ctx.finding(Scope.application())
        .message("the highest JVM heap any of " + measured + (measured == 1 ? " executor" : " executors")
            + " used was " + Units.bytes(peak) + " of " + Units.bytes(heap) + " ("
            + Units.percent(peak / (double) heap) + ") over " + Units.duration(duration))
        .cost(0, "~" + Units.bytes(spare * executors) + " of memory reserved on the cluster and never used ("
            + Units.bytes(spare) + " on each of up to " + executors + " executors)")
        .fix("spark.executor.memory=" + ExecutorMemory.sparkSize(suggested, step) + " (now " + Units.bytes(heap)
            + ": the peak plus " + Units.percent(headroom) + " headroom); the freed memory fits more executors "
            + "per node, or more cores per executor (spark.executor.cores)")
        .evidence("executorMemoryBytes", heap)
        .evidence("peakHeapBytes", peak)
        .evidence("executorsMeasured", measured)
        .evidence("appDurationMs", duration)
        .evidence("suggestedBytes", suggested)
        .build());
  }
}
