package io.sparkadvisor.rules;

import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds plans in the advisor's own model the way the summarizer would, each metric with a fresh
 * accumulator id, and remembers the values given so a test can post them as Spark would.
 */
final class PlanFixture {
  private long nextId = 1;
  /** Every metric value given, by accumulator id. */
  final Map<Long, Long> values = new HashMap<>();

  /**
   * An operator. {@code metrics} alternates metric names and values; a value below zero declares
   * the metric without a value.
   */
  PlanNode node(String name, String detail, OperatorKind kind, Map<String, String> metadata, Object[] metrics,
      PlanNode... children) {
    Map<String, Long> ids = new LinkedHashMap<>();
    for (int i = 0; i + 1 < metrics.length; i += 2) {
      long id = nextId++;
      ids.put((String) metrics[i], id);
      long v = ((Number) metrics[i + 1]).longValue();
      if (v >= 0) {
        values.put(id, v);
      }
    }
    return new PlanNode(name, detail, kind, metadata, ids, List.of(children));
  }

  static Object[] m(Object... nameValue) {
    return nameValue;
  }

  PlanNode adaptive(PlanNode child) {
    return node("AdaptiveSparkPlan", "AdaptiveSparkPlan isFinalPlan=false", OperatorKind.ADAPTIVE_ROOT, Map.of(), m(),
        child);
  }

  PlanNode range(long rows) {
    return node("Range", "Range (0, " + rows + ", step=1, splits=2)", OperatorKind.OTHER, Map.of(),
        m("number of output rows", rows));
  }

  PlanNode scan(String table, long rows) {
    return node("Scan parquet spark_catalog.default." + table, "FileScan parquet spark_catalog.default." + table,
        OperatorKind.FILE_SCAN, Map.of("Format", "Parquet", "Location", "InMemoryFileIndex(1 paths)[file:/w/" + table + "]",
            "PartitionFilters", "[]"), m("number of output rows", rows, "number of files read", -1), new PlanNode[0]);
  }

  PlanNode exchange(String partitioning, long rows, long bytes, PlanNode child) {
    return node("Exchange", "Exchange " + partitioning + ", ENSURE_REQUIREMENTS, [plan_id=1]",
        OperatorKind.SHUFFLE_EXCHANGE, Map.of(), m("shuffle records written", rows, "data size", bytes), child);
  }

  PlanNode sort(PlanNode child) {
    return node("Sort", "Sort [k#1L ASC NULLS FIRST], false, 0", OperatorKind.SORT, Map.of(), m(), child);
  }

  PlanNode smj(String joinType, long outputRows, PlanNode left, PlanNode right) {
    return node("SortMergeJoin", "SortMergeJoin [k#1L], [k#7L], " + joinType, OperatorKind.SORT_MERGE_JOIN, Map.of(),
        m("number of output rows", outputRows, "spill size", -1), left, right);
  }
}
