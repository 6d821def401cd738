package io.sparkadvisor.rules;

import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import java.util.List;

/** What the plan rules share: where a finding about an operator goes, and the settings they read. */
final class Plans {
  /** The rate used to turn bytes moved into time, for costs: a conservative ~100 MB/s per core. */
  static final long BYTES_PER_SECOND = 100L << 20;
  static final String BROADCAST_THRESHOLD = "spark.sql.autoBroadcastJoinThreshold";
  static final String AQE = "spark.sql.adaptive.enabled";

  private Plans() {}

  /**
   * A finding about {@code operator} in query {@code q}. The same operator in the same query shape
   * (the same description, run again in a loop) is one place; two joins of one query are two.
   */
  static Finding.Builder at(RuleContext ctx, SqlQuery q, PlanNode operator) {
    Scope scope = Scope.query(q);
    return ctx.finding(scope).samePlaceAs(scope.shapeKey() + "|" + operator.label());
  }

  /** Time to move {@code bytes} once at {@link #BYTES_PER_SECOND}, in milliseconds. */
  static long transferMillis(long bytes) {
    return bytes * 1_000 / BYTES_PER_SECOND;
  }

  /**
   * The measured task time of the query's completed stages that wrote {@code exchange}'s
   * {@code metric} (the map stage of a shuffle) or ran {@code operator}: what a cost about that
   * work may not exceed. 0 when no such stage is known (not yet run, or no longer retained).
   */
  static long taskMillisOf(RuleContext ctx, SqlQuery q, PlanNode exchange, String metric, PlanNode operator) {
    long total = 0;
    for (StageStats s : ctx.app().completedStages()) {
      if (s.executionId() == q.executionId() && (s.updated(exchange, metric) || s.ran(operator))) {
        total += s.sumDurationMs();
      }
    }
    return total;
  }

  /** A size setting that may be -1 (off): its value in bytes, -1 when off, {@code dflt} when unset. */
  static long sizeOrOff(SparkSettings conf, String key, long dflt) {
    String raw = conf.get(key).orElse("").trim();
    if (raw.startsWith("-")) {
      return -1;
    }
    return conf.sizeBytes(key).orElse(dflt);
  }

  static boolean aqeOn(SparkSettings conf) {
    return conf.bool(AQE, true);
  }

  /** The first file scan under {@code node}, or null. */
  static PlanNode scanUnder(PlanNode node) {
    List<PlanNode> scans = node.findAll(n -> n.kind() == OperatorKind.FILE_SCAN);
    return scans.isEmpty() ? null : scans.get(0);
  }

  /**
   * A name a user knows a join side by: the table its scan reads ({@code dim_customer}), else
   * "the left side" or "the right side".
   */
  static String sideName(PlanNode side, boolean left) {
    PlanNode scan = scanUnder(side);
    if (scan != null && scan.name().startsWith("Scan ")) {
      String[] parts = scan.name().trim().split(" ");
      if (parts.length >= 3) {
        String table = parts[parts.length - 1];
        return table.substring(table.lastIndexOf('.') + 1);
      }
    }
    return left ? "the left side" : "the right side";
  }

  /** The parent of {@code node} skipping operators that only pass rows through. */
  static PlanNode consumerOf(PlanNode root, PlanNode node) {
    PlanNode p = root.parentOf(node);
    while (p != null && (p.name().startsWith("WholeStageCodegen") || p.name().equals("InputAdapter")
        || p.name().endsWith("QueryStage") || p.name().startsWith("AQEShuffleRead")
        || p.name().equals("Project") || p.name().equals("ColumnarToRow"))) {
      p = root.parentOf(p);
    }
    return p;
  }
}
