package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;

/**
 * A scan of a partitioned table that reads every one of many partitions because no partition
 * filter reached it. Judged when the driver has listed the partitions, before the scan runs.
 */
@RuleInfo(id = "MissingPartitionFilter", severity = Severity.WARN,
    summary = "A scan of a partitioned table reads all of its partitions: no partition filter reached it")
public final class MissingPartitionFilter extends QueryRule {
  private final long minPartitions;

  public MissingPartitionFilter(RuleOptions o) {
    minPartitions = o.count("minPartitions", 100);
  }

  @Override
  void check(SqlQuery q, RuleContext ctx) {
    for (PlanNode scan : q.plan().findAll(n -> n.kind() == OperatorKind.FILE_SCAN)) {
      long partitions = q.metric(scan, "number of partitions read");
      String filters = scan.metadata().get("PartitionFilters");
      if (partitions < minPartitions || filters == null || prunes(filters)) {
        continue;
      }
      long bytes = q.metric(scan, "size of files read");
      long files = q.metric(scan, "number of files read");
      long costMs = Plans.transferMillis(Math.max(0, bytes));
      ctx.report(Plans.at(ctx, q, scan)
          .message(scan.label() + ": reads all " + Units.count(partitions) + " partitions"
              + (files >= 0 ? " (" + Units.count(files) + " files, " + Units.bytes(Math.max(0, bytes)) + ")" : "")
              + ": no partition filter reached the scan (PartitionFilters: " + filters + ")")
          .cost(costMs, "~" + Units.coreTime(costMs) + " of task time reading every partition (at ~100 MB/s)")
          .fix("add a condition on the partition columns alone (WHERE dt >= '2026-11-01'); pruning fails when "
              + "it is ORed with a condition on a data column, goes through a Python UDF or a non-deterministic "
              + "function, or is applied after cache()/persist(); if the whole table is really needed, raise "
              + "spark.advisor.rule.MissingPartitionFilter.minPartitions")
          .evidence("operator", scan.label())
          .evidence("partitions", partitions)
          .evidence("files", files)
          .evidence("bytes", bytes)
          .build());
    }
  }

  /** True when a partition filter prunes: anything beyond Spark's own isnotnull(column) checks. */
  static boolean prunes(String filters) {
    String inner = filters.trim();
    if (inner.startsWith("[") && inner.endsWith("]")) {
      inner = inner.substring(1, inner.length() - 1).trim();
    }
    if (inner.isEmpty()) {
      return false;
    }
    for (String f : inner.split(",\\s*(?![^()]*\\))")) {
      if (!f.trim().startsWith("isnotnull(")) {
        return true;
      }
    }
    return false;
  }
}
