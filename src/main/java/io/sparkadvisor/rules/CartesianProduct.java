package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/** A cartesian product over at least a billion candidate row pairs. */
@RuleInfo(id = "CartesianProduct", severity = Severity.WARN,
    summary = "A cartesian product pairs a billion or more rows")
public final class CartesianProduct extends PairwiseJoinRule {

  public CartesianProduct(RuleOptions o) {
    super(OperatorKind.CARTESIAN_PRODUCT, o);
  }

  /**
   * A cartesian product's task pairs one partition of each side and computes both there, so an
   * input computed in the join's own stage is counted once per partition of the other side. Its
   * stage runs (left partitions x right partitions) tasks, which undoes that; an input read from
   * a shuffle is counted once, and the other side was then computed once per its partitions.
   */
  @Override
  double pairs(SqlQuery q, PlanNode join, long leftRows, long rightRows, StageStats stage) {
    if (stage == null) {
      return -1; // the repeat factor is known only from the stage that ran it
    }
    PlanNode left = SqlQuery.rowSource(join.children().get(0));
    PlanNode right = SqlQuery.rowSource(join.children().get(1));
    // An exchange's rows are written by the stage before; the reading stage updates only its read metrics.
    boolean leftHere = left != null && stage.updated(left, SqlQuery.rowMetric(left));
    boolean rightHere = right != null && stage.updated(right, SqlQuery.rowMetric(right));
    double product = (double) leftRows * rightRows;
    if (leftHere && rightHere) {
      return product / Math.max(1, stage.numTasks());
    }
    if (leftHere != rightHere) {
      long shuffledPartitions = q.metric(leftHere ? right : left, "number of partitions");
      return shuffledPartitions > 0 ? product / shuffledPartitions : product;
    }
    return product;
  }

  @Override
  String fix(PlanNode join) {
    return "add the missing join condition (a CROSS JOIN, or a join whose condition Spark cannot use as a "
        + "key); if every pair is really wanted, filter both sides first and broadcast the small one: "
        + "crossJoin(broadcast(small)) or /*+ BROADCAST(small) */";
  }
}
