package io.sparkadvisor.plan;

import io.sparkadvisor.capture.Scala;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.execution.SparkPlanInfo;

/**
 * Turns Spark's {@link SparkPlanInfo} into the advisor's {@link PlanNode} tree: the only code that
 * reads plan classes. Runs on the advisor's thread. Unknown operators pass through as OTHER with
 * their names; very deep or very large plans are cut off rather than followed without bound.
 */
public final class PlanSummarizer {
  static final int MAX_DEPTH = 400;
  static final int MAX_NODES = 20_000;
  private static final int MAX_DETAIL = 300;

  private int nodes;

  private PlanSummarizer() {}

  public static PlanNode summarize(SparkPlanInfo root) {
    return root == null ? PlanNode.empty() : new PlanSummarizer().node(root, 0);
  }

  private PlanNode node(SparkPlanInfo info, int depth) {
    nodes++;
    String name = info.nodeName() == null ? "" : info.nodeName();
    String detail = info.simpleString() == null ? "" : info.simpleString();
    List<PlanNode> children = new ArrayList<>();
    if (depth < MAX_DEPTH) {
      for (SparkPlanInfo child : Scala.list(info.children())) {
        if (nodes >= MAX_NODES) {
          break;
        }
        children.add(node(child, depth + 1));
      }
    }
    return new PlanNode(name, clip(detail), kind(name, detail), children);
  }

  static OperatorKind kind(String name, String detail) {
    switch (name) {
      case "AdaptiveSparkPlan":
        return OperatorKind.ADAPTIVE_ROOT;
      case "Exchange":
      case "ShuffleExchange":
        return OperatorKind.SHUFFLE_EXCHANGE;
      case "BroadcastExchange":
        return OperatorKind.BROADCAST_EXCHANGE;
      case "ReusedExchange":
        return OperatorKind.REUSED_EXCHANGE;
      default:
        break;
    }
    if (name.startsWith("Streaming") || name.startsWith("StateStore") || name.equals("MicroBatchScan")
        || detail.contains("MicroBatchWrite")) {
      return OperatorKind.STREAMING;
    }
    return OperatorKind.OTHER;
  }

  private static String clip(String s) {
    return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL - 3) + "...";
  }
}
