package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/**
 * A join that emits many times the rows of its larger input: duplicated keys on both sides
 * multiply. Judged when the stage that ran the join completes, or at the query's end.
 */
@RuleInfo(id = "JoinExplosion", severity = Severity.WARN,
    summary = "A join emits far more rows than its larger input")
public final class JoinExplosion implements Rule {
  private final double minRatio;
  private final long minOutputRows;

  public JoinExplosion(RuleOptions o) {
    minRatio = o.ratio("minRatio", 10.0);
    minOutputRows = o.count("minOutputRows", 10_000_000);
  }

  @Override
  public void onQueryProgress(SqlQuery q, StageStats stage, RuleContext ctx) {
    if (stage == null) {
      return;
    }
    for (PlanNode join : joins(q)) {
      if (stage.ran(join)) {
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

  private static java.util.List<PlanNode> joins(SqlQuery q) {
    // Keyless joins (nested loop, cartesian) have rules of their own.
    return q.plan().findAll(n -> (n.kind().isShuffleJoin() || n.kind() == OperatorKind.BROADCAST_HASH_JOIN)
        && n.children().size() == 2);
  }

  private void check(SqlQuery q, PlanNode join, StageStats stage, RuleContext ctx) {
    long out = q.metric(join, "number of output rows");
    long left = q.rows(join.children().get(0));
    long right = q.rows(join.children().get(1));
    long larger = Math.max(left, right);
    if (out < minOutputRows || left < 0 || right < 0 || out < minRatio * Math.max(1, larger)) {
      return;
    }
    long costMs = stage == null ? 0 : stage.sumDurationMs();
    String keys = join.joinKeys();
    ctx.report(Plans.at(ctx, q, join)
        .message(join.label() + ": emitted " + Units.count(out) + " rows from inputs of " + Units.count(left)
            + " (left) and " + Units.count(right) + " (right) rows, " + Units.times(out / (double) Math.max(1, larger))
            + " the larger input")
        .cost(costMs, (costMs > 0 ? "~" + Units.coreTime(costMs) + " of task time in the stage that ran it; " : "")
            + Units.count(out - larger) + " extra rows for every later operator")
        .fix("the join key" + (keys.isEmpty() || keys.equals("[]") ? "" : " " + keys) + " repeats on both sides, so "
            + "matches multiply: deduplicate or aggregate one side to one row per key before joining "
            + "(dropDuplicates, groupBy), add the key column the condition is missing, and look for "
            + "placeholder keys ('', 0, 'unknown', -1) shared by many rows")
        .evidence("operator", join.label())
        .evidence("outputRows", out)
        .evidence("leftRows", left)
        .evidence("rightRows", right)
        .build());
  }
}
