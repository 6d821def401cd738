package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StageStats;

/**
 * A stage of thousands of tasks so short that scheduling overhead rivals the work. Spark's own
 * parallel file listing job is left out: it runs one task per path by design.
 */
@RuleInfo(id = "TinyTasks", severity = Severity.WARN,
    summary = "A stage ran thousands of tasks that each did almost nothing")
public final class TinyTasks implements Rule {
  /** A task should run for at least this long for its overhead to stay small. */
  static final long TARGET_TASK_MS = 200;

  private final long minTasks;
  private final long maxMedianMs;

  public TinyTasks(RuleOptions o) {
    minTasks = o.count("minTasks", 1_000);
    maxMedianMs = o.durationMillis("maxMedianDuration", 50);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    if (s.succeededTasks() < minTasks || SparkInternalJobs.isFileListing(s)) {
      return;
    }
    long median = Math.round(s.durations().median());
    if (median >= maxMedianMs) {
      return;
    }
    long overhead = Math.max(0, s.sumDurationMs() - s.sumRunTimeMs());
    int cores = Math.max(1, ctx.app().executors().activeCores());
    long target = Math.max(Math.min(2L * cores, s.succeededTasks()),
        Math.min(s.succeededTasks() / 2, (s.sumDurationMs() + TARGET_TASK_MS - 1) / TARGET_TASK_MS));
    target = Math.max(1, target);
    SparkSettings conf = ctx.spark(s);
    String fix;
    if (s.executionId() < 0) {
      fix = "fewer partitions: coalesce(" + target + ") or a lower partition count where the data is "
          + "created or shuffled (numSlices, the numPartitions argument, repartition)";
    } else if (s.shuffleReadBytes() > 0) {
      long current = conf.count("spark.sql.shuffle.partitions").orElse(200);
      fix = (target < current && s.numTasks() <= current
          ? "fewer shuffle partitions: spark.sql.shuffle.partitions=" + target + " (now "
              + conf.shown("spark.sql.shuffle.partitions", "200") + ")"
          : "fewer partitions: " + s.numTasks() + " tasks is more than spark.sql.shuffle.partitions="
              + conf.shown("spark.sql.shuffle.partitions", "200") + ", so the query's repartition(n) sets them: use repartition(" + target + ")")
          + (conf.bool("spark.sql.adaptive.enabled", true)
              && conf.bool("spark.sql.adaptive.coalescePartitions.enabled", true)
              ? ", or a larger spark.sql.adaptive.advisoryPartitionSizeInBytes for AQE to coalesce them"
              : ", or let AQE coalesce them: spark.sql.adaptive.enabled=true and "
                  + "spark.sql.adaptive.coalescePartitions.enabled=true");
    } else {
      long current = conf.sizeBytes("spark.sql.files.maxPartitionBytes").orElse(128L << 20);
      fix = "fewer, larger input splits: spark.sql.files.maxPartitionBytes=" + Math.max(256, 2 * (current >> 20))
          + "m (now " + conf.shown("spark.sql.files.maxPartitionBytes", "128m") + ") and compact the small files, or coalesce(" + target
          + ") after reading";
    }
    ctx.report(ctx.finding(Scope.stage(s))
        .message(Units.count(s.succeededTasks()) + " tasks with median " + Units.duration(median)
            + " (p90 " + Units.duration(Math.round(s.durations().quantile(0.9))) + "); scheduling, "
            + "deserialization and result overhead took " + Units.coreTime(overhead) + " of "
            + Units.coreTime(s.sumDurationMs()) + " task time")
        .cost(overhead, "~" + Units.coreTime(overhead) + " of task overhead")
        .fix(fix)
        .evidence("tasks", s.succeededTasks())
        .evidence("medianTaskMs", median)
        .evidence("overheadMs", overhead)
        .evidence("taskTimeMs", s.sumDurationMs())
        .evidence("suggestedPartitions", target)
        .build());
  }
}
