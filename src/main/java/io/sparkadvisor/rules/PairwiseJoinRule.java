package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/**
 * A join that compares every row of one side with every row of the other: its candidate pairs are
 * the product of its inputs' rows. Judged when the stage that ran the join completes, when both
 * inputs' row counts are final, or at the query's end.
 */
abstract class PairwiseJoinRule implements Rule {
  private final OperatorKind kind;
  private final double minPairs;

  PairwiseJoinRule(OperatorKind kind, RuleOptions o) {
    this.kind = kind;
    this.minPairs = o.ratio("minCandidatePairs", 1e9);
  }

  /** The fix for this kind of join. */
  abstract String fix(PlanNode join);

  /**
   * The candidate pairs; -1 when they cannot be told yet. By default the product of the inputs'
   * rows, each input counted once (a broadcast side is built once, the streamed side read once).
   */
  double pairs(SqlQuery q, PlanNode join, long leftRows, long rightRows, StageStats stage) {
    return (double) leftRows * rightRows;
  }

  @Override
  public void onQueryProgress(SqlQuery q, StageStats stage, RuleContext ctx) {
    for (PlanNode join : joins(q)) {
      if (stage != null && stage.ran(join)) {
        check(q, join, stage, ctx);
      }
    }
  }

  @Override
  public void onQueryEnded(SqlQuery q, RuleContext ctx) {
    for (PlanNode join : joins(q)) {
      check(q, join, null, ctx);
    }
  }

  private java.util.List<PlanNode> joins(SqlQuery q) {
    return q.plan().findAll(n -> n.kind() == kind && n.children().size() == 2);
  }

  private void check(SqlQuery q, PlanNode join, StageStats stage, RuleContext ctx) {
    long left = q.rows(join.children().get(0));
    long right = q.rows(join.children().get(1));
    if (left < 0 || right < 0) {
      return;
    }
    double pairs = pairs(q, join, left, right, stage);
    if (pairs < 0 || pairs < minPairs) {
      return;
    }
    long out = q.metric(join, "number of output rows");
    long costMs = stage == null ? 0 : stage.sumDurationMs();
    ctx.report(Plans.at(ctx, q, join)
        .message(join.label() + (join.joinType().isEmpty() ? "" : " (" + join.joinType() + ")") + ": "
            + String.format(java.util.Locale.ROOT, "%.3g", pairs) + " candidate row pairs"
            + (kind == OperatorKind.BROADCAST_NESTED_LOOP_JOIN ? ", each tested against the join condition" : "")
            + ", from inputs of " + Units.count(left) + " x " + Units.count(right) + " rows"
            + (pairs == (double) left * right ? "" : " (as read: each input re-read for every partition of the other)")
            + (out >= 0 ? "; " + Units.count(out) + " rows matched" : ""))
        .cost(costMs, costMs > 0 ? "~" + Units.coreTime(costMs) + " of task time in the stage that ran it"
            : "grows with the product of the inputs' rows")
        .fix(fix(join))
        .evidence("operator", join.label())
        .evidence("leftRows", left)
        .evidence("rightRows", right)
        .evidence("candidatePairs", pairs)
        .evidence("outputRows", out)
        .build());
  }
}
