package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;

/** A broadcast nested loop join over at least a billion candidate row pairs. */
@RuleInfo(id = "NestedLoopJoin", severity = Severity.WARN,
    summary = "A broadcast nested loop join tests a billion or more row pairs")
public final class NestedLoopJoin extends PairwiseJoinRule {

  public NestedLoopJoin(RuleOptions o) {
    super(OperatorKind.BROADCAST_NESTED_LOOP_JOIN, o);
  }

  @Override
  String fix(PlanNode join) {
    return "give the join an equality condition so Spark can hash or sort-merge it: a condition with only "
        + "<, >, BETWEEN, OR or a function of both sides forces a nested loop. For a range join, add an "
        + "equality on a coarse bucket (e.g. floor(ts / 3600)), exploding each interval into every bucket it "
        + "overlaps, and keep the range condition besides";
  }
}
