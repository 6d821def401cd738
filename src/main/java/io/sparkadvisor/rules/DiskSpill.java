package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StageStats;

/**
 * A stage whose tasks ran out of execution memory and spilled to disk: at least 100 MB, and at
 * least 10% of what the stage read (input plus shuffle read), so that a little spill in a large
 * stage stays quiet.
 */
@RuleInfo(id = "DiskSpill", severity = Severity.WARN,
    summary = "A stage spilled a large amount of data to disk")
public final class DiskSpill implements Rule {
  /**
   * Spill is written once and read back once: 100 MB/s for the pair (about 200 MB/s each way,
   * serialization included) is a conservative figure for executor-local disks.
   */
  static final long SPILL_BYTES_PER_SECOND = 100L << 20;

  private final long minDiskSpillBytes;
  private final double minSpillRatio;

  public DiskSpill(RuleOptions o) {
    minDiskSpillBytes = o.sizeBytes("minDiskSpill", 100L << 20);
    minSpillRatio = o.ratio("minSpillRatio", 0.1);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    long disk = s.diskSpillBytes();
    long read = s.inputBytes() + s.shuffleReadBytes();
    if (disk < minDiskSpillBytes || read > 0 && disk < minSpillRatio * read) {
      return;
    }
    boolean shuffled = s.shuffleReadBytes() > 0;
    long base = shuffled ? s.shuffleReadBytes() : s.inputBytes();
    StringBuilder msg = new StringBuilder("spilled ").append(Units.bytes(disk)).append(" to disk (")
        .append(Units.bytes(s.memorySpillBytes())).append(" in memory) across ")
        .append(s.succeededTasks() + s.failedTasks()).append(" tasks");
    if (base > 0) {
      msg.append("; disk spill is ").append(Units.times(disk / (double) base)).append(" the stage's ")
          .append(shuffled ? "shuffle read" : "input").append(" of ").append(Units.bytes(base));
    }
    int factor = (int) Math.max(2, Math.min(8, base > 0 ? Math.ceil(disk / (double) base) + 1 : 2));
    SparkSettings conf = ctx.spark(s);
    String memory = "spark.executor.memory (now " + conf.shown("spark.executor.memory", "unset, 1g") + ")";
    long morePartitions = (long) Math.max(1, s.numTasks()) * factor;
    String fix;
    if (s.executionId() < 0) {
      fix = "give each task less data: use " + morePartitions + " partitions instead of " + s.numTasks()
          + " (the numPartitions argument of the shuffle operation, or repartition), or more memory "
          + "per task: " + memory;
    } else if (shuffled) {
      long partitions = conf.count("spark.sql.shuffle.partitions").orElse(200);
      long advisory = conf.sizeBytes("spark.sql.adaptive.advisoryPartitionSizeInBytes").orElse(64L << 20);
      fix = "give each task less data: spark.sql.shuffle.partitions=" + Math.max(partitions, s.numTasks()) * factor
          + " (now " + conf.shown("spark.sql.shuffle.partitions", "200") + ")" + (conf.bool("spark.sql.adaptive.enabled", true)
              ? ", or with AQE spark.sql.adaptive.advisoryPartitionSizeInBytes="
                  + Math.max(1, (advisory >> 20) / factor) + "m" : "")
          + "; or more memory per task: " + memory;
    } else {
      long maxPartition = conf.sizeBytes("spark.sql.files.maxPartitionBytes").orElse(128L << 20);
      fix = "split the input finer: spark.sql.files.maxPartitionBytes=" + Math.max(1, (maxPartition >> 20) / factor)
          + "m, or repartition(" + morePartitions + ") before the wide operation; or more memory per task: "
          + memory;
    }
    long costMs = disk * 1_000 / SPILL_BYTES_PER_SECOND;
    ctx.report(ctx.finding(Scope.stage(s))
        .message(msg.toString())
        .cost(costMs, "~" + Units.coreTime(costMs) + " of task time writing and re-reading spill (at ~100 MB/s)")
        .fix(fix)
        .evidence("diskSpillBytes", disk)
        .evidence("memorySpillBytes", s.memorySpillBytes())
        .evidence("shuffleReadBytes", s.shuffleReadBytes())
        .evidence("inputBytes", s.inputBytes())
        .evidence("tasks", s.numTasks())
        .build());
  }
}
