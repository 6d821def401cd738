package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;

/**
 * An exchange into a single partition that moves many rows: one task then does all the work after
 * it. Judged when the exchange's map side is written, before that single task runs.
 */
@RuleInfo(id = "SinglePartitionExchange", severity = Severity.WARN,
    summary = "An exchange funnels a large amount of data into a single partition")
public final class SinglePartitionExchange extends QueryRule {
  private final long minRows;
  private final long minBytes;

  public SinglePartitionExchange(RuleOptions o) {
    minRows = o.count("minRows", 1_000_000);
    minBytes = o.sizeBytes("minSize", 100L << 20);
  }

  @Override
  void check(SqlQuery q, RuleContext ctx) {
    if (q.isStreaming()) {
      return;
    }
    for (PlanNode ex : q.plan().findAll(n -> n.kind() == OperatorKind.SHUFFLE_EXCHANGE
        && n.detail().contains("SinglePartition"))) {
      long rows = q.metric(ex, "shuffle records written");
      long bytes = q.metric(ex, "data size");
      if (rows < minRows && bytes < minBytes) {
        continue;
      }
      PlanNode consumer = Plans.consumerOf(q.plan(), ex);
      if (consumer != null && consumer.kind() == OperatorKind.SORT) {
        // A window sorts its single partition first: the window is what asked for it.
        PlanNode above = Plans.consumerOf(q.plan(), consumer);
        consumer = above != null && above.kind() == OperatorKind.WINDOW ? above : consumer;
      }
      String what;
      String fix;
      if (consumer != null && consumer.kind() == OperatorKind.WINDOW) {
        what = "a window function without PARTITION BY";
        fix = "partition the window: OVER (PARTITION BY <key> ORDER BY ...) or Window.partitionBy(...).orderBy(...); "
            + "for a global row number or rank, compute it per partition and add offsets, or use "
            + "monotonically_increasing_id() when only uniqueness is needed";
      } else if (consumer != null && consumer.name().contains("Limit")) {
        what = "a LIMIT over many rows";
        fix = "limit earlier and smaller, or use sample()/take(n); a large LIMIT gathers every row into one task";
      } else if (ex.detail().contains("REPARTITION")) {
        what = "repartition(1)";
        fix = "keep the heavy work at full parallelism: drop repartition(1), or apply it only to the final, "
            + "small result (aggregate or filter first); coalesce(1) is worse, it runs the whole stage before it "
            + "in one task";
      } else if (consumer != null && consumer.kind() == OperatorKind.AGGREGATE) {
        what = "a global aggregate whose partial step does not shrink the data (e.g. collect_list, DISTINCT)";
        fix = "group by a key first, or aggregate in two steps so the single final task receives few rows";
      } else {
        what = "an operator that needs all rows in one place" + (consumer == null ? "" : " (" + consumer.name() + ")");
        fix = "give the operator a key to partition by, or reduce the data before it";
      }
      long costMs = Plans.transferMillis(Math.max(0, bytes));
      ctx.report(Plans.at(ctx, q, ex)
          .message("Exchange SinglePartition for " + what + " moves " + Units.count(Math.max(0, rows)) + " rows ("
              + Units.bytes(Math.max(0, bytes)) + ") into one partition: one task does all the work after it")
          .cost(costMs, "~" + Units.duration(costMs) + " for the single task just to read its input (at ~100 MB/s), "
              + "on one core while the others idle")
          .fix(fix)
          .evidence("operator", "Exchange SinglePartition")
          .evidence("consumer", consumer == null ? "" : consumer.name())
          .evidence("rows", rows)
          .evidence("bytes", bytes)
          .build());
    }
  }
}
