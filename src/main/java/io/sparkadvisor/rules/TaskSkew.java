package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StageStats;

/**
 * A completed stage whose longest task, or largest shuffle read, dwarfs the median task's. Task
 * time is the task's own run time (executor run time, shuffle fetch waits included), not launch to
 * finish: a task that waited for its executor to start up or for its result to be fetched is not
 * skewed.
 */
@RuleInfo(id = "TaskSkew", severity = Severity.WARN,
    summary = "One task took or read far more than the median task of its stage")
public final class TaskSkew implements Rule {
  private final long minTasks;
  private final double durationRatio;
  private final long minDurationExcessMs;
  private final double shuffleReadRatio;
  private final long minShuffleReadBytes;

  public TaskSkew(RuleOptions o) {
    minTasks = o.count("minTasks", 8);
    durationRatio = o.ratio("durationRatio", 5.0);
    minDurationExcessMs = o.durationMillis("minDurationExcess", 5_000);
    shuffleReadRatio = o.ratio("shuffleReadRatio", 5.0);
    minShuffleReadBytes = o.sizeBytes("minShuffleRead", 256L << 20);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    StageStats.TaskRef longest = s.longestRun();
    // A slow task of Spark's file listing job is a large directory, not skewed data.
    if (s.succeededTasks() < minTasks || longest == null || SparkInternalJobs.isFileListing(s)) {
      return;
    }
    long median = Math.round(s.runTimes().median());
    long p90 = Math.round(s.runTimes().quantile(0.9));
    long max = longest.value();
    boolean slow = max >= durationRatio * median && max - median >= minDurationExcessMs;

    StageStats.TaskRef biggest = s.largestShuffleRead();
    long medianRead = Math.round(s.shuffleReads().median());
    long maxRead = biggest == null ? 0 : biggest.value();
    boolean heavy = maxRead >= shuffleReadRatio * medianRead && maxRead >= minShuffleReadBytes;
    if (!slow && !heavy) {
      return;
    }

    StringBuilder msg = new StringBuilder();
    msg.append("longest of ").append(s.succeededTasks()).append(" tasks took ")
        .append(Units.duration(max)).append(" vs median ").append(Units.duration(median))
        .append(" (p90 ").append(Units.duration(p90)).append(')');
    if (median > 0) {
      msg.append(", ").append(Units.times(max / (double) median)).append(" the median");
    }
    msg.append(", partition ").append(longest.partition()).append(" on executor ")
        .append(longest.executorId()).append(" (").append(longest.host()).append(')');
    if (heavy) {
      msg.append("; largest shuffle read ").append(Units.bytes(maxRead)).append(" in partition ")
          .append(biggest.partition()).append(" vs median ").append(Units.bytes(medianRead));
    }

    // Data skew when the slow task also read far more shuffle data than the median task.
    boolean dataSkew = heavy
        || longest.shuffleReadBytes() > 0 && longest.shuffleReadBytes() >= shuffleReadRatio * medianRead;
    String fix;
    if (dataSkew) {
      fix = "the data is skewed on the shuffle key: for SQL joins keep "
          + "spark.sql.adaptive.skewJoin.enabled=true (AQE splits skewed partitions), otherwise salt "
          + "the hot key (append a random 0..N suffix and aggregate in two steps) or repartition on a "
          + "better-distributed key";
    } else if (longest.shuffleReadBytes() > 0) {
      fix = "partition " + longest.partition() + " read " + Units.bytes(longest.shuffleReadBytes())
          + ", close to the median " + Units.bytes(medianRead) + ": look for costlier records in it or a "
          + "slow executor " + longest.executorId() + "; spark.speculation=true re-runs slow tasks elsewhere";
    } else {
      fix = "check partition " + longest.partition() + "'s input split (a large or unsplittable file; "
          + "spark.sql.files.maxPartitionBytes) and executor " + longest.executorId() + " for a slow "
          + "host; spark.speculation=true re-runs slow tasks elsewhere";
    }
    ctx.report(ctx.finding(Scope.stage(s))
        .message(msg.toString())
        .cost(max - median, "~" + Units.duration(max - median) + " of stage wall time")
        .fix(fix)
        .evidence("tasks", s.succeededTasks())
        .evidence("maxTaskMs", max)
        .evidence("medianTaskMs", median)
        .evidence("p90TaskMs", p90)
        .evidence("partition", longest.partition())
        .evidence("executorId", longest.executorId())
        .evidence("maxShuffleReadBytes", maxRead)
        .evidence("medianShuffleReadBytes", medianRead)
        .evidence("maxShuffleReadPartition", biggest == null ? -1 : biggest.partition())
        .build());
  }
}
