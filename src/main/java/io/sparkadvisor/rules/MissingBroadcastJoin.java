package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/**
 * A sort-merge or shuffled hash join one of whose sides is small enough to broadcast, judged by the
 * optimizer's estimate when the query starts or by the actual size of that side's shuffle once it
 * is written. Says why Spark did not broadcast it.
 */
@RuleInfo(id = "MissingBroadcastJoin", severity = Severity.WARN,
    summary = "A shuffle join whose smaller side is small enough to broadcast")
public final class MissingBroadcastJoin implements Rule {
  private final long maxSmallSideBytes;
  private final double minSizeRatio;
  private final long minLargeSideBytes;

  public MissingBroadcastJoin(RuleOptions o) {
    maxSmallSideBytes = o.sizeBytes("maxSmallSide", 10L << 20);
    minSizeRatio = o.ratio("minSizeRatio", 10.0);
    minLargeSideBytes = o.sizeBytes("minLargeSide", 8L << 20);
  }

  /** The sizes a judgement rests on; {@code estimated} when they are the optimizer's. */
  private record Sides(long left, long right, boolean estimated) {
    boolean leftSmaller() {
      return left <= right;
    }

    long small() {
      return Math.min(left, right);
    }

    long large() {
      return Math.max(left, right);
    }
  }

  @Override
  public void onQueryRunning(SqlQuery q, RuleContext ctx) {
    if (q.isStreaming()) {
      return;
    }
    SparkSettings conf = ctx.spark(q);
    for (PlanNode join : q.plan().findAll(n -> n.kind().isShuffleJoin())) {
      PlanNode.Estimate e = q.estimate(join);
      if (e == null || e.leftBytes() < 0 || e.rightBytes() < 0) {
        continue;
      }
      Sides sides = new Sides(e.leftBytes(), e.rightBytes(), true);
      // With AQE on, a side that is small at run time gets broadcast anyway unless broadcasting is
      // off for AQE too or the join type forbids it: only those are certain at the start.
      if (qualifies(sides, conf) && (!Plans.aqeOn(conf) || adaptiveThreshold(conf) < 0
          || !canBuild(join.joinType(), sides.leftSmaller()))) {
        report(q, join, sides, conf, ctx);
      }
    }
  }

  @Override
  public void onQueryProgress(SqlQuery q, StageStats stage, RuleContext ctx) {
    judgeActualSizes(q, stage, false, ctx);
  }

  @Override
  public void onQueryEnded(SqlQuery q, RuleContext ctx) {
    judgeActualSizes(q, null, true, ctx);
  }

  private void judgeActualSizes(SqlQuery q, StageStats stage, boolean ended, RuleContext ctx) {
    if (q.isStreaming()) {
      return;
    }
    SparkSettings conf = ctx.spark(q);
    boolean aqe = Plans.aqeOn(conf) && q.plan().kind() == io.sparkadvisor.model.OperatorKind.ADAPTIVE_ROOT;
    for (PlanNode join : q.plan().findAll(n -> n.kind().isShuffleJoin())) {
      if (join.children().size() != 2) {
        continue;
      }
      PlanNode left = SqlQuery.exchangeBelow(join.children().get(0));
      PlanNode right = SqlQuery.exchangeBelow(join.children().get(1));
      if (left == null || right == null || !q.isSettled(left, "data size") || !q.isSettled(right, "data size")) {
        continue;
      }
      // Without AQE the plan is fixed once both sides are written: say so before the join runs.
      // With AQE, Spark may still switch to a broadcast join: judge only once the join ran.
      boolean decided = !aqe || ended || stage != null && stage.ran(join);
      Sides sides = new Sides(q.metric(left, "data size"), q.metric(right, "data size"), false);
      if (decided && qualifies(sides, conf)) {
        report(q, join, sides, conf, ctx);
      }
    }
  }

  private boolean qualifies(Sides s, SparkSettings conf) {
    long limit = Math.max(maxSmallSideBytes, threshold(conf));
    return s.small() <= limit && s.large() >= minLargeSideBytes && s.large() >= minSizeRatio * Math.max(1, s.small());
  }

  private static long threshold(SparkSettings conf) {
    return Plans.sizeOrOff(conf, Plans.BROADCAST_THRESHOLD, 10L << 20);
  }

  private static long adaptiveThreshold(SparkSettings conf) {
    return conf.isSet("spark.sql.adaptive.autoBroadcastJoinThreshold")
        ? Plans.sizeOrOff(conf, "spark.sql.adaptive.autoBroadcastJoinThreshold", threshold(conf))
        : threshold(conf);
  }

  /** Whether a broadcast hash join of this type can build (broadcast) the left or the right side. */
  static boolean canBuild(String joinType, boolean leftSide) {
    String t = joinType.startsWith("ExistenceJoin") ? "ExistenceJoin" : joinType;
    return switch (t) {
      case "Inner", "Cross", "" -> true;
      case "LeftOuter", "LeftSemi", "LeftAnti", "ExistenceJoin" -> !leftSide;
      case "RightOuter" -> leftSide;
      default -> false; // FullOuter broadcasts neither side
    };
  }

  private void report(SqlQuery q, PlanNode join, Sides s, SparkSettings conf, RuleContext ctx) {
    boolean leftSmall = s.leftSmaller();
    PlanNode smallSide = join.children().get(leftSmall ? 0 : 1);
    String small = Plans.sideName(smallSide, leftSmall);
    String type = join.joinType().isEmpty() ? "join" : join.joinType() + " join";
    long threshold = threshold(conf);
    String why;
    String fix;
    String hint = "/*+ BROADCAST(" + (small.startsWith("the ") ? "<small table>" : small) + ") */ or broadcast(df)";
    if (!canBuild(join.joinType(), leftSmall)) {
      why = "a " + type + " cannot broadcast its " + (leftSmall ? "left" : "right") + " side";
      String table = small.startsWith("the ") ? "<small table>" : small;
      fix = join.joinType().contains("Outer")
          ? "the join type keeps every row of " + small + ", so it cannot be broadcast; avoid sorting the large "
              + "side instead: /*+ SHUFFLE_HASH(" + table + ") */ builds a hash table of the small side (Spark 3.5+; "
              + "or spark.sql.join.preferSortMergeJoin=false)"
          : "a " + type + " can only build its right side: join " + table + " to the DISTINCT keys of the large side "
              + "instead (an inner join, which can broadcast " + table + "), or filter the large side before the join";
    } else if (threshold < 0) {
      why = conf.display(Plans.BROADCAST_THRESHOLD) + " switches broadcast joins off";
      fix = hint + " on " + small + ", or " + Plans.BROADCAST_THRESHOLD + "=" + suggestedThreshold(s.small())
          + " (now " + conf.shown(Plans.BROADCAST_THRESHOLD, "10m") + ")";
    } else if (threshold < s.small()) {
      why = "the broadcast threshold " + conf.shown(Plans.BROADCAST_THRESHOLD, "10m") + " is below the side's "
          + Units.bytes(s.small());
      fix = hint + " on " + small + ", or " + Plans.BROADCAST_THRESHOLD + "=" + suggestedThreshold(s.small())
          + " (now " + conf.shown(Plans.BROADCAST_THRESHOLD, "10m") + ")";
    } else if (!s.estimated() && !Plans.aqeOn(conf)) {
      PlanNode.Estimate e = q.estimate(join);
      why = (e == null ? "the optimizer's estimate of the side was above the threshold"
          : "the optimizer estimated the side at " + Units.bytes(leftSmall ? e.leftBytes() : e.rightBytes()))
          + " (an unestimable filter, UDF or missing statistics) and with " + conf.display(Plans.AQE)
          + " nothing re-plans the join at run time";
      fix = Plans.AQE + "=true (AQE switches to a broadcast join once it sees the real size), or " + hint
          + " on " + small + ", or ANALYZE TABLE ... COMPUTE STATISTICS for a better estimate";
    } else {
      why = "the planner chose a shuffle join although the side is under the threshold "
          + conf.shown(Plans.BROADCAST_THRESHOLD, "10m") + " (a SHUFFLE_MERGE or SHUFFLE_HASH hint, or AQE kept the join "
          + "because most of the side's partitions are empty: spark.sql.adaptive.nonEmptyPartitionRatioForBroadcastJoin)";
      fix = hint + " on " + small;
    }
    long costMs = Plans.transferMillis(s.large()) * 2; // write and read the large side's shuffle, plus its sort
    ctx.report(Plans.at(ctx, q, join)
        .message(join.label() + " (" + type + "): " + (s.estimated() ? "estimated" : "shuffled") + " sides "
            + Units.bytes(s.left()) + " (left) and " + Units.bytes(s.right()) + " (right); the "
            + (leftSmall ? "left" : "right") + " side" + (small.startsWith("the ") ? "" : " " + small) + " is " + Units.bytes(s.small())
            + ", " + (s.small() > 0 ? Units.times(s.large() / (double) s.small()) + " smaller" : "empty")
            + " and could be broadcast, but " + why)
        .cost(costMs, "~" + Units.coreTime(costMs) + " of task time shuffling and sorting the "
            + Units.bytes(s.large()) + " side (at ~100 MB/s)")
        .fix(fix)
        .evidence("operator", join.label())
        .evidence("joinType", join.joinType())
        .evidence("leftBytes", s.left())
        .evidence("rightBytes", s.right())
        .evidence("sizes", s.estimated() ? "estimated" : "actual")
        .evidence("broadcastThreshold", threshold)
        .build());
  }

  /** A threshold that admits {@code bytes}, rounded up to whole megabytes with some room. */
  private static String suggestedThreshold(long bytes) {
    long mb = Math.max(10, (bytes * 2 + (1L << 20) - 1) >> 20);
    return mb + "m";
  }
}
