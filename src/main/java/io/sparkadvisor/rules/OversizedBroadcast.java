package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;

/**
 * A broadcast exchange that is too big or too slow: the driver collects the whole relation, builds
 * it and ships a copy to every executor. Judged as soon as the driver posts the broadcast's metrics.
 */
@RuleInfo(id = "OversizedBroadcast", severity = Severity.WARN,
    summary = "A broadcast join's build side is large or slow to collect and build")
public final class OversizedBroadcast extends QueryRule {
  private final long minBytes;
  private final long minBuildMs;

  public OversizedBroadcast(RuleOptions o) {
    minBytes = o.sizeBytes("minSize", 1L << 30);
    minBuildMs = o.durationMillis("minBuildTime", 30_000);
  }

  @Override
  void check(SqlQuery q, RuleContext ctx) {
    for (PlanNode b : q.plan().findAll(n -> n.kind() == OperatorKind.BROADCAST_EXCHANGE)) {
      long size = q.metric(b, "data size");
      long collect = Math.max(0, q.metric(b, "time to collect"));
      long build = Math.max(0, q.metric(b, "time to build"));
      long rows = q.metric(b, "number of output rows");
      if (size < minBytes && collect + build < minBuildMs) {
        continue;
      }
      PlanNode join = Plans.consumerOf(q.plan(), b);
      String side = Plans.sideName(b, true);
      String sideText = side.startsWith("the ") ? "the broadcast side" : side;
      SparkSettings conf = ctx.spark(q);
      String threshold = conf.shown(Plans.BROADCAST_THRESHOLD, "10m");
      ctx.report(Plans.at(ctx, q, b)
          .message("BroadcastExchange" + (join == null ? "" : " for " + join.label()) + " of " + sideText
              + ": " + Units.bytes(Math.max(0, size)) + (rows >= 0 ? " in " + Units.count(rows) + " rows" : "")
              + ", collected in " + Units.duration(collect) + " and built in " + Units.duration(build)
              + " on the driver, then copied to every executor")
          .cost(collect + build, "~" + Units.duration(collect + build) + " of driver time before the join starts; "
              + Units.bytes(Math.max(0, size)) + " of memory on the driver and on each executor")
          .fix("let Spark shuffle this side instead: drop the BROADCAST hint or broadcast() on " + sideText
              + ", or lower " + Plans.BROADCAST_THRESHOLD + " (now " + threshold + ") below "
              + Units.bytes(Math.max(0, size)) + "; if it must stay broadcast, filter and project it to the "
              + "columns the join needs first, and raise spark.sql.broadcastTimeout (now "
              + conf.shown("spark.sql.broadcastTimeout", "300") + ") and spark.driver.memory (now "
              + conf.shown("spark.driver.memory", "1g") + ")")
          .evidence("operator", "BroadcastExchange")
          .evidence("dataSizeBytes", size)
          .evidence("rows", rows)
          .evidence("collectMs", collect)
          .evidence("buildMs", build)
          .build());
    }
  }
}
