package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/**
 * A sort-merge or shuffled hash join one of whose sides Spark could broadcast, and small enough to.
 * Judged from the measured size of the sides' shuffles once they are written; with adaptive query
 * execution off also from the optimizer's estimates when the query starts, and then named as
 * estimates. Says why Spark did not broadcast the side.
 */
@RuleInfo(id = "MissingBroadcastJoin", severity = Severity.WARN,
    summary = "A shuffle join whose smaller side is small enough to broadcast")
public final class MissingBroadcastJoin implements Rule {
  static final String ADAPTIVE_THRESHOLD = "spark.sql.adaptive.autoBroadcastJoinThreshold";

  private final long maxSmallSideBytes;
  private final double minSizeRatio;
  private final long minLargeSideBytes;

  public MissingBroadcastJoin(RuleOptions o) {
    maxSmallSideBytes = o.sizeBytes("maxSmallSide", 10L << 20);
    minSizeRatio = o.ratio("minSizeRatio", 10.0);
    minLargeSideBytes = o.sizeBytes("minLargeSide", 8L << 20);
  }

  /**
   * The sizes a judgement rests on, and the side to broadcast: the smaller of the sides the join
   * type lets Spark build; {@code estimated} when the sizes are the optimizer's.
   */
  private record Sides(long left, long right, boolean buildLeft, boolean estimated) {
    /** Null when the join type lets Spark broadcast neither side (a full outer join). */
    static Sides of(String joinType, long left, long right, boolean estimated) {
      boolean leftOk = canBuild(joinType, true);
      boolean rightOk = canBuild(joinType, false);
      if (!leftOk && !rightOk) {
        return null;
      }
      return new Sides(left, right, leftOk && (!rightOk || left <= right), estimated);
    }

    long small() {
      return buildLeft ? left : right;
    }

    long large() {
      return buildLeft ? right : left;
    }
  }

  @Override
  public void onQueryRunning(SqlQuery q, RuleContext ctx) {
    SparkSettings conf = ctx.spark(q);
    // With AQE on, estimates are never judged: AQE re-plans each join from the sizes it measures,
    // and without the cost-based optimizer a join's estimate is the product of its inputs' sizes,
    // which runs to petabytes three joins up.
    if (q.isStreaming() || Plans.aqeOn(conf) || adaptive(q)) {
      return;
    }
    for (PlanNode join : q.plan().findAll(n -> n.kind().isShuffleJoin())) {
      PlanNode.Estimate e = q.estimate(join);
      if (e == null || e.leftBytes() < 0 || e.rightBytes() < 0) {
        continue;
      }
      Sides sides = Sides.of(join.joinType(), e.leftBytes(), e.rightBytes(), true);
      if (sides != null && qualifies(sides, conf, false)) {
        report(q, join, sides, conf, false, 0, ctx);
      }
    }
  }

  @Override
  public void onQueryProgress(SqlQuery q, StageStats stage, RuleContext ctx) {
    judgeMeasuredSizes(q, stage, false, ctx);
  }

  @Override
  public void onQueryEnded(SqlQuery q, RuleContext ctx) {
    judgeMeasuredSizes(q, null, true, ctx);
  }

  /** True when AQE runs this query: its plan is an adaptive one. */
  private static boolean adaptive(SqlQuery q) {
    return q.plan().kind() == OperatorKind.ADAPTIVE_ROOT || q.initialPlan().kind() == OperatorKind.ADAPTIVE_ROOT;
  }

  private void judgeMeasuredSizes(SqlQuery q, StageStats stage, boolean ended, RuleContext ctx) {
    if (q.isStreaming()) {
      return;
    }
    SparkSettings conf = ctx.spark(q);
    boolean aqe = Plans.aqeOn(conf) && adaptive(q);
    // q.plan() is the latest plan: a join AQE switched to a broadcast join is no longer here.
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
      // With AQE, Spark may still switch to a broadcast join: judge only once the join ran as a
      // shuffle join, or at the query's end, when the plan is final.
      boolean decided = !aqe || ended || stage != null && stage.ran(join);
      Sides sides = Sides.of(join.joinType(), q.metric(left, "data size"), q.metric(right, "data size"), false);
      if (decided && sides != null && qualifies(sides, conf, aqe)) {
        PlanNode largeExchange = sides.buildLeft() ? right : left;
        report(q, join, sides, conf, aqe, Plans.taskMillisOf(ctx, q, largeExchange, "data size", join), ctx);
      }
    }
  }

  private boolean qualifies(Sides s, SparkSettings conf, boolean aqe) {
    long limit = Math.max(maxSmallSideBytes, threshold(conf, aqe));
    return s.small() <= limit && s.large() >= minLargeSideBytes && s.large() >= minSizeRatio * Math.max(1, s.small());
  }

  /** The threshold that decided this join: AQE's own when AQE re-planned it, else the planner's. */
  private static long threshold(SparkSettings conf, boolean aqe) {
    long planner = Plans.sizeOrOff(conf, Plans.BROADCAST_THRESHOLD, 10L << 20);
    return aqe && conf.isSet(ADAPTIVE_THRESHOLD) ? Plans.sizeOrOff(conf, ADAPTIVE_THRESHOLD, planner) : planner;
  }

  private static String thresholdKey(SparkSettings conf, boolean aqe) {
    return aqe && conf.isSet(ADAPTIVE_THRESHOLD) ? ADAPTIVE_THRESHOLD : Plans.BROADCAST_THRESHOLD;
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

  /**
   * Reports the join. {@code spentMs} is the task time of the stages that wrote the large side's
   * shuffle and ran the join, as measured; the cost never exceeds it.
   */
  private void report(SqlQuery q, PlanNode join, Sides s, SparkSettings conf, boolean aqe, long spentMs,
      RuleContext ctx) {
    boolean leftSmall = s.buildLeft();
    PlanNode smallSide = join.children().get(leftSmall ? 0 : 1);
    String small = Plans.sideName(smallSide, leftSmall);
    String table = small.startsWith("the ") ? "<small table>" : small;
    String type = join.joinType().isEmpty() ? "join" : join.joinType() + " join";
    String key = thresholdKey(conf, aqe);
    long threshold = threshold(conf, aqe);
    String now = conf.shown(key, "10m");
    String hint = "/*+ BROADCAST(" + table + ") */ or broadcast(df)";
    String why;
    String fix;
    if (threshold < 0) {
      why = conf.display(key) + " switches broadcast joins off";
      fix = hint + " on " + small + ", or " + key + "=" + suggestedThreshold(s.small()) + " (now " + now + ")";
    } else if (threshold < s.small()) {
      why = "the broadcast threshold " + key + "=" + now + " is below the side's " + Units.bytes(s.small());
      fix = hint + " on " + small + ", or " + key + "=" + suggestedThreshold(s.small()) + " (now " + now + ")";
    } else if (!s.estimated() && !aqe) {
      PlanNode.Estimate e = q.estimate(join);
      why = (e == null || (leftSmall ? e.leftBytes() : e.rightBytes()) < 0
          ? "the optimizer's estimate of the side was above the threshold"
          : "the optimizer estimated the side at " + Units.bytes(leftSmall ? e.leftBytes() : e.rightBytes()))
          + " (an unestimable filter, UDF or missing statistics) and with " + conf.display(Plans.AQE)
          + " nothing re-plans the join at run time";
      fix = Plans.AQE + "=true (AQE switches to a broadcast join once it sees the real size), or " + hint
          + " on " + small + ", or ANALYZE TABLE ... COMPUTE STATISTICS for a better estimate";
    } else {
      why = "the join stayed a shuffle join although the side is under the threshold " + key + "=" + now
          + " (a SHUFFLE_MERGE or SHUFFLE_HASH hint, or AQE kept the join "
          + "because most of the side's partitions are empty: spark.sql.adaptive.nonEmptyPartitionRatioForBroadcastJoin)";
      fix = hint + " on " + small;
    }
    // Shuffling and sorting the large side: its bytes written and read, then sorted, at ~100 MB/s,
    // but never more than the measured task time of the stages that did it.
    long modelMs = Plans.transferMillis(s.large()) * 2;
    long costMs = s.estimated() ? 0 : Math.min(modelMs, spentMs);
    String costText = s.estimated()
        ? "not measured yet: the sides are the optimizer's estimates, made before the query ran"
        : "~" + Units.coreTime(costMs) + " of task time shuffling and sorting the " + Units.bytes(s.large())
            + " side (at ~100 MB/s, at most the " + Units.coreTime(spentMs)
            + " task time of the stages that wrote it and ran the join)";
    ctx.report(Plans.at(ctx, q, join)
        .message(join.label() + " (" + type + "): " + (s.estimated() ? "the optimizer estimated the sides at "
                : "shuffled sides ") + Units.bytes(s.left()) + " (left) and " + Units.bytes(s.right()) + " (right); the "
            + (leftSmall ? "left" : "right") + " side" + (small.startsWith("the ") ? "" : " " + small) + " is "
            + (s.estimated() ? "estimated at " : "") + Units.bytes(s.small())
            + ", " + (s.small() > 0 ? Units.times(s.large() / (double) s.small()) + " smaller" : "empty")
            + " and could be broadcast, but " + why)
        .cost(costMs, costText)
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
