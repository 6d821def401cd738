package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StageStats;

/**
 * A stage whose tasks spent a large share of their run time in garbage collection. The share is
 * the executors' own: their JVMs' GC pause time over the heartbeat intervals in which they ran the
 * stage, where Spark reports GC counters; otherwise the tasks' GC time over their run time. Either
 * is at most 100%, and the cost, that share of the run time, never exceeds the run time.
 */
@RuleInfo(id = "GcPressure", severity = Severity.WARN,
    summary = "A stage spent a large share of its run time in JVM garbage collection")
public final class GcPressure implements Rule {
  private final double minGcRatio;
  private final long minGcTimeMs;

  public GcPressure(RuleOptions o) {
    minGcRatio = o.ratio("minGcRatio", 0.15);
    minGcTimeMs = o.durationMillis("minGcTime", 10_000);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    long run = s.sumRunTimeMs();
    if (run <= 0) {
      return;
    }
    // A task's GC time is the JVM's GC time while it ran: launch and deserialization included,
    // concurrent collectors' time too, so short tasks can show more GC than run time.
    boolean fromExecutors = s.executorWallMs() > 0;
    double ratio = fromExecutors
        ? Math.min(1.0, s.executorGcMs() / (double) s.executorWallMs())
        : Math.min(1.0, s.sumGcMs() / (double) run);
    long gc = Math.round(ratio * run);
    if (gc < minGcTimeMs || ratio < minGcRatio) {
      return;
    }
    String memory = ctx.spark().shown("spark.executor.memory", "unset, 1g");
    String cores = ctx.spark().isSet("spark.executor.cores")
        ? " (now " + ctx.spark().shown("spark.executor.cores", "") + ")" : "";
    String measure = fromExecutors
        ? "executors' JVMs paused for GC " + Units.percent(ratio) + " of the time they ran its tasks, ~"
            + Units.duration(gc) + " of " + Units.duration(run) + " executor run time across "
            + (s.succeededTasks() + s.failedTasks()) + " tasks"
        : "GC took " + Units.duration(gc) + ", " + Units.percent(ratio) + " of " + Units.duration(run)
            + " executor run time across " + (s.succeededTasks() + s.failedTasks()) + " tasks";
    ctx.report(ctx.finding(Scope.stage(s))
        .message(measure)
        .cost(gc, "~" + Units.coreTime(gc) + " of task time in GC")
        .fix("give each task more heap: raise spark.executor.memory (now " + memory
            + ") or lower spark.executor.cores" + cores + "; cache with a serialized level "
            + "(MEMORY_AND_DISK_SER) and avoid building large per-row objects or collections in UDFs")
        .evidence("gcMs", gc)
        .evidence("runTimeMs", run)
        .evidence("gcRatio", ratio)
        .evidence("taskGcMs", s.sumGcMs())
        .evidence("executorGcMs", s.executorGcMs())
        .evidence("executorWallMs", s.executorWallMs())
        .evidence("tasks", s.numTasks())
        .build());
  }
}
