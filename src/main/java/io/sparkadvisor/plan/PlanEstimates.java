package io.sparkadvisor.plan;

import io.sparkadvisor.capture.Scala;
import io.sparkadvisor.model.PlanNode;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Statistics;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.joins.BaseJoinExec;
import org.apache.spark.sql.internal.SQLConf;

/**
 * The optimizer's size estimates for a query's joins, read from its QueryExecution on the
 * advisor's thread: for each physical join, the estimated size of the logical plans it joins, as
 * the planner cached it when it chose the join. Keyed by {@link PlanNode#joinSignature()}, which
 * names the same join in the plans Spark's events carry. Reads only what planning already
 * computed: callers hand over only QueryExecutions already planned (their executed plan is
 * there), and a side's statistics are read from its cache ({@code statsCache}), never through
 * {@code stats()}, which would compute them when missing (a catalog lookup, a file listing, a
 * connector's own estimate). A join whose sides are not both cached has no estimate; any surprise
 * yields no estimates.
 */
public final class PlanEstimates {
  private static final int MAX_NODES = 20_000;

  private PlanEstimates() {}

  public static Map<String, PlanNode.Estimate> of(org.apache.spark.sql.execution.QueryExecution qe) {
    Map<String, PlanNode.Estimate> out = new HashMap<>();
    int maxFields = SQLConf.get().maxToStringFields();
    Deque<SparkPlan> todo = new ArrayDeque<>();
    todo.push(qe.executedPlan());
    Map<SparkPlan, Boolean> seen = new IdentityHashMap<>();
    while (!todo.isEmpty() && seen.size() < MAX_NODES) {
      SparkPlan p = todo.pop();
      if (seen.put(p, Boolean.TRUE) != null) {
        continue;
      }
      if (p instanceof AdaptiveSparkPlanExec a) {
        todo.push(a.executedPlan());
        todo.push(a.inputPlan());
      } else if (p instanceof QueryStageExec stage) {
        todo.push(stage.plan());
      }
      // Only shuffle joins are judged on estimates; the planner usually computed their sides'
      // statistics when it chose them, and only those cached figures are read.
      if (p instanceof BaseJoinExec && (p.nodeName().startsWith("SortMergeJoin")
          || p.nodeName().startsWith("ShuffledHashJoin"))) {
        PlanNode.Estimate e = estimate(p);
        if (e != null) {
          out.putIfAbsent(PlanNode.joinSignature(p.nodeName(), p.simpleString(maxFields)), e);
        }
      }
      for (SparkPlan child : Scala.list(p.children())) {
        todo.push(child);
      }
    }
    return out;
  }

  private static PlanNode.Estimate estimate(SparkPlan join) {
    if (join.logicalLink().isEmpty()) {
      return null;
    }
    List<LogicalPlan> sides = Scala.list(join.logicalLink().get().children());
    if (sides.size() != 2) {
      return null;
    }
    long left = cachedBytes(sides.get(0));
    long right = cachedBytes(sides.get(1));
    return left < 0 || right < 0 ? null : new PlanNode.Estimate(left, right);
  }

  /** The side's estimated size if the optimizer already computed it, else -1. */
  static long cachedBytes(LogicalPlan side) {
    scala.Option<Statistics> cached = side.statsCache();
    if (cached == null || cached.isEmpty()) {
      return -1;
    }
    BigInteger size = cached.get().sizeInBytes().bigInteger();
    return size.signum() < 0 ? -1 : size.bitLength() < 63 ? size.longValue() : Long.MAX_VALUE;
  }
}
