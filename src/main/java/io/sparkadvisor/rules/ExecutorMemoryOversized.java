package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.AppState;

/**
 * At application end: over the whole run, no executor's JVM heap ever reached half of
 * {@code spark.executor.memory}. For executors of 4 GB and more, in applications of 5 minutes and
 * more. The heap figure counts garbage not yet collected, so the recommendation starts from what
 * survives collection: the most Spark's memory manager held on the heap for execution and storage,
 * grown back to a heap by Spark's own layout (the 300 MB it reserves, and
 * {@code spark.memory.fraction} of the rest), plus headroom; from the heap peak only where no
 * executor reported its managed memory.
 */
@RuleInfo(id = "ExecutorMemoryOversized", severity = Severity.INFO,
    summary = "Executors were given far more heap than they ever used")
public final class ExecutorMemoryOversized implements Rule {
  /** Heap Spark sets aside before sharing the rest between its memory manager and user objects. */
  static final long RESERVED = 300 * ExecutorMemory.MIB;

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
    long managed = app.executors().maxPeakManagedBytes();
    double fraction = ExecutorMemory.memoryFraction(ctx.spark());
    boolean fromManaged = managed > 0 && fraction > 0 && fraction <= 1;
    // Spark's layout: managed memory = (heap - 300 MB) * spark.memory.fraction; the rest of the
    // heap above the reserve is for user objects, and it grows with the heap in proportion.
    long needed = fromManaged ? RESERVED + (long) (managed / fraction) : peak;
    long step = 512 * ExecutorMemory.MIB;
    long suggested = Math.max(ExecutorMemory.GIB, ExecutorMemory.roundUp((long) (needed * (1 + headroom)), step));
    if (suggested >= heap) {
      return;
    }
    long spare = heap - suggested;
    int executors = Math.max(1, app.executors().peakExecutors());
    String basis = fromManaged
        ? "the most Spark's execution and storage memory held, " + Units.bytes(managed)
            + ", over spark.memory.fraction " + fraction + " plus the 300 MB Spark reserves, plus "
            + Units.percent(headroom) + " headroom"
        : "the peak plus " + Units.percent(headroom) + " headroom";
    ctx.report(ctx.finding(Scope.application())
        .message("the highest JVM heap any of " + measured + (measured == 1 ? " executor" : " executors")
            + " used was " + Units.bytes(peak) + " of " + Units.bytes(heap) + " ("
            + Units.percent(peak / (double) heap) + ") over " + Units.duration(duration)
            + (fromManaged ? ", garbage included; Spark's execution and storage memory held at most "
                + Units.bytes(managed) : ""))
        .cost(0, "~" + Units.bytes(spare * executors) + " of memory reserved on the cluster and never used ("
            + Units.bytes(spare) + " on each of up to " + executors + " executors)")
        .fix("spark.executor.memory=" + ExecutorMemory.sparkSize(suggested, step) + " (now " + Units.bytes(heap)
            + ": " + basis + "); the freed memory fits more executors "
            + "per node, or more cores per executor (spark.executor.cores)")
        .evidence("executorMemoryBytes", heap)
        .evidence("peakHeapBytes", peak)
        .evidence("peakManagedBytes", managed)
        .evidence("executorsMeasured", measured)
        .evidence("appDurationMs", duration)
        .evidence("suggestedBytes", suggested)
        .build());
  }
}
