package io.sparkadvisor.plan;

import io.sparkadvisor.capture.Scala;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.execution.SparkPlanInfo;
import org.apache.spark.sql.execution.metric.SQLMetricInfo;

/**
 * Turns Spark's {@link SparkPlanInfo} into the advisor's {@link PlanNode} tree: with
 * {@link PlanEstimates}, the only code that reads plan classes. Runs on the advisor's thread.
 * Unknown operators pass through as OTHER with their names; very deep or very large plans are cut
 * off rather than followed without bound.
 */
public final class PlanSummarizer {
  static final int MAX_DEPTH = 400;
  static final int MAX_NODES = 20_000;
  private static final int MAX_DETAIL = 400;
  private static final int MAX_METADATA = 500;

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
    Map<String, Long> metrics = new HashMap<>();
    for (SQLMetricInfo m : Scala.list(info.metrics())) {
      if (m != null && m.name() != null) {
        metrics.putIfAbsent(m.name(), m.accumulatorId());
      }
    }
    Map<String, String> metadata = new HashMap<>();
    Scala.map(info.metadata()).forEach((k, v) -> {
      if (k != null && v != null) {
        metadata.put(k, clip(v, MAX_METADATA));
      }
    });
    return new PlanNode(name, clip(detail, MAX_DETAIL), kind(name, detail, metrics, metadata), metadata,
        metrics, children);
  }

  static OperatorKind kind(String name, String detail, Map<String, Long> metrics,
      Map<String, String> metadata) {
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
      case "BroadcastHashJoin":
        return OperatorKind.BROADCAST_HASH_JOIN;
      case "BroadcastNestedLoopJoin":
        return OperatorKind.BROADCAST_NESTED_LOOP_JOIN;
      case "CartesianProduct":
        return OperatorKind.CARTESIAN_PRODUCT;
      case "Window":
        return OperatorKind.WINDOW;
      case "Sort":
        return OperatorKind.SORT;
      default:
        break;
    }
    // AQE marks a join it split for skew in its name: SortMergeJoin(skew=true).
    if (name.startsWith("SortMergeJoin")) {
      return OperatorKind.SORT_MERGE_JOIN;
    }
    if (name.startsWith("ShuffledHashJoin")) {
      return OperatorKind.SHUFFLED_HASH_JOIN;
    }
    if (name.startsWith("Streaming") || name.startsWith("StateStore") || name.equals("MicroBatchScan")
        || detail.contains("MicroBatchWrite")) {
      return OperatorKind.STREAMING;
    }
    if (metrics.containsKey("number of files read")
        || metadata.containsKey("Location") && metadata.containsKey("Format")) {
      return OperatorKind.FILE_SCAN;
    }
    if (metrics.containsKey("number of written files")) {
      return OperatorKind.WRITE;
    }
    if (name.endsWith("Aggregate")) {
      return OperatorKind.AGGREGATE;
    }
    return OperatorKind.OTHER;
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
