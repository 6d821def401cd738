package io.sparkadvisor.model;

import java.util.List;
import java.util.function.Predicate;

/**
 * One operator of a physical plan, in the advisor's own terms. Built by the plan summarizer, the
 * only code that reads Spark's plan classes; operators it does not know pass through as
 * {@link OperatorKind#OTHER} with their name.
 */
public record PlanNode(String name, String detail, OperatorKind kind, List<PlanNode> children) {

  public PlanNode {
    children = List.copyOf(children);
  }

  public boolean anyMatch(Predicate<PlanNode> test) {
    if (test.test(this)) {
      return true;
    }
    for (PlanNode child : children) {
      if (child.anyMatch(test)) {
        return true;
      }
    }
    return false;
  }

  public int count(Predicate<PlanNode> test) {
    int n = test.test(this) ? 1 : 0;
    for (PlanNode child : children) {
      n += child.count(test);
    }
    return n;
  }

  public static PlanNode empty() {
    return new PlanNode("", "", OperatorKind.OTHER, List.of());
  }
}
