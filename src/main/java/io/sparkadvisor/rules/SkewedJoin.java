package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/**
 * A shuffle join whose stage read one partition far larger than the median, which AQE's skew join
 * handling did not split. Judged when the join's stage completes; says why AQE left it.
 */
@RuleInfo(id = "SkewedJoin", severity = Severity.WARN,
    summary = "A shuffle join has a skewed partition that AQE did not split")
public final class SkewedJoin implements Rule {
  static final String SKEW_JOIN = "spark.sql.adaptive.skewJoin.enabled";
  static final String SKEW_THRESHOLD = "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes";
  static final String SKEW_FACTOR = "spark.sql.adaptive.skewJoin.skewedPartitionFactor";
  static final String ADVISORY = "spark.sql.adaptive.advisoryPartitionSizeInBytes";

  private final double minRatio;
  private final long minPartitionBytes;

  public SkewedJoin(RuleOptions o) {
    minRatio = o.ratio("minRatio", 5.0);
    minPartitionBytes = o.sizeBytes("minPartitionSize", 256L << 20);
  }

  @Override
  public void onQueryProgress(SqlQuery q, StageStats stage, RuleContext ctx) {
    if (stage == null || stage.largestShuffleRead() == null || q.isStreaming()) {
      return;
    }
    long max = stage.largestShuffleRead().value();
    long median = Math.round(stage.shuffleReads().median());
    if (max < minPartitionBytes || max < minRatio * Math.max(1, median)) {
      return;
    }
    for (PlanNode join : q.plan().findAll(n -> n.kind().isShuffleJoin())) {
      // AQE names a join it split for skew "SortMergeJoin(skew=true)".
      if (join.name().contains("skew=true") || !stage.ran(join)) {
        continue;
      }
      SparkSettings conf = ctx.spark(q);
      String why = whyNotSplit(join, conf, max, median);
      StageStats.TaskRef longest = stage.longestTask();
      long costMs = longest == null ? 0 : Math.max(0, longest.value() - Math.round(stage.durations().median()));
      ctx.report(Plans.at(ctx, q, join)
          .message(join.label() + (join.joinType().isEmpty() ? "" : " (" + join.joinType() + ")") + " in stage "
              + stage.stageId() + "." + stage.attempt() + ": partition " + stage.largestShuffleRead().partition()
              + " read " + Units.bytes(max) + " vs median " + Units.bytes(median) + " ("
              + Units.times(max / (double) Math.max(1, median)) + "), and AQE did not split it: " + why)
          .cost(costMs, "~" + Units.duration(costMs) + " of stage wall time waiting for the skewed task")
          .fix(fix(why, conf, max))
          .evidence("operator", join.label())
          .evidence("stageId", stage.stageId())
          .evidence("partition", stage.largestShuffleRead().partition())
          .evidence("maxPartitionBytes", max)
          .evidence("medianPartitionBytes", median)
          .build());
    }
  }

  private static String whyNotSplit(PlanNode join, SparkSettings conf, long max, long median) {
    if (!Plans.aqeOn(conf)) {
      return conf.display(Plans.AQE) + " (AQE is off)";
    }
    if (!conf.bool(SKEW_JOIN, true)) {
      return conf.display(SKEW_JOIN);
    }
    long threshold = conf.sizeBytes(SKEW_THRESHOLD).orElse(256L << 20);
    double factor = conf.get(SKEW_FACTOR).map(v -> {
      try {
        return Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        return 5.0;
      }
    }).orElse(5.0);
    if (max < threshold || max < factor * median) {
      return "the partition is under AQE's skew thresholds (" + SKEW_THRESHOLD + "="
          + conf.shown(SKEW_THRESHOLD, "256MB") + ", " + SKEW_FACTOR + "=" + conf.shown(SKEW_FACTOR, "5") + ")";
    }
    long advisory = conf.sizeBytes(ADVISORY).orElse(64L << 20);
    if (max <= advisory) {
      return "AQE splits a skewed partition into pieces of " + ADVISORY + "=" + conf.shown(ADVISORY, "64MB")
          + ", and this one is not larger than that";
    }
    if (join.joinType().equals("FullOuter")) {
      return "AQE cannot split either side of a FullOuter join";
    }
    return "AQE skips skew handling when splitting would need an extra shuffle (another join or aggregate "
        + "over the same partitioning in this stage), or when the skewed side is one this join type cannot split "
        + "(the right side of a LeftOuter, LeftSemi or LeftAnti join, the left side of a RightOuter join)";
  }

  private static String fix(String why, SparkSettings conf, long max) {
    if (why.startsWith(Plans.AQE)) {
      return Plans.AQE + "=true and " + SKEW_JOIN + "=true (the defaults) let AQE split skewed partitions";
    }
    if (why.startsWith(SKEW_JOIN)) {
      return SKEW_JOIN + "=true lets AQE split skewed partitions";
    }
    if (why.startsWith("AQE splits a skewed partition into pieces")) {
      return ADVISORY + "=" + Math.max(1, (max / 4) >> 20) + "m so AQE can split it into pieces";
    }
    if (why.startsWith("the partition is under")) {
      return SKEW_THRESHOLD + "=" + Math.max(1, (max / 2) >> 20) + "m so AQE treats it as skewed"
          + " (and " + SKEW_FACTOR + " at most the observed ratio)";
    }
    return "spark.sql.adaptive.forceOptimizeSkewedJoin=true accepts the extra shuffle; otherwise salt the hot "
        + "key: add a random 0..N suffix on the large side and replicate the matching rows N times on the other";
  }
}
