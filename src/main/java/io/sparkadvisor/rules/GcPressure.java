package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StageStats;

/** A stage whose tasks spent a large share of their run time in garbage collection. */
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
    long gc = s.sumGcMs();
    long run = s.sumRunTimeMs();
    if (gc < minGcTimeMs || run <= 0 || gc < minGcRatio * run) {
      return;
    }
    String memory = ctx.spark().shown("spark.executor.memory", "unset, 1g");
    String cores = ctx.spark().isSet("spark.executor.cores")
        ? " (now " + ctx.spark().shown("spark.executor.cores", "") + ")" : "";
    ctx.report(ctx.finding(Scope.stage(s))
        .message("GC took " + Units.duration(gc) + ", " + Units.percent(gc / (double) run)
            + " of " + Units.duration(run) + " executor run time across "
            + (s.succeededTasks() + s.failedTasks()) + " tasks")
        .cost(gc, "~" + Units.coreTime(gc) + " of task time in GC")
        .fix("give each task more heap: raise spark.executor.memory (now " + memory
            + ") or lower spark.executor.cores" + cores + "; cache with a serialized level "
            + "(MEMORY_AND_DISK_SER) and avoid building large per-row objects or collections in UDFs")
        .evidence("gcMs", gc)
        .evidence("runTimeMs", run)
        .evidence("gcRatio", gc / (double) run)
        .evidence("tasks", s.numTasks())
        .build());
  }
}
