package io.sparkadvisor.rules;

import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.SqlQuery;

/**
 * A batch SQL query that shuffles while adaptive query execution is off. Logged once for the
 * application (the setting affects every query alike) and counted after.
 */
@RuleInfo(id = "AqeDisabled", severity = Severity.WARN,
    summary = "A batch SQL query shuffles with adaptive query execution switched off")
public final class AqeDisabled implements Rule {
  static final String KEY = "spark.sql.adaptive.enabled";

  public AqeDisabled(RuleOptions o) {
    // no options: the check is whether a setting is off
  }

  @Override
  public void onQueryRunning(SqlQuery q, RuleContext ctx) {
    // Structured Streaming switches AQE off in every micro-batch on purpose.
    if (q.isStreaming()) {
      return;
    }
    SparkSettings effective = ctx.spark().overlay(q.modifiedConfigs());
    if (effective.bool(KEY, true)) {
      return;
    }
    int exchanges = q.plan().count(n -> n.kind() == OperatorKind.SHUFFLE_EXCHANGE);
    if (exchanges == 0 || q.plan().anyMatch(n -> n.kind() == OperatorKind.ADAPTIVE_ROOT)) {
      return;
    }
    String where = q.modifiedConfigs().containsKey(KEY) ? "the session's SQL conf" : "the application's conf";
    String partitions = effective.shown("spark.sql.shuffle.partitions", "200");
    ctx.report(ctx.finding(Scope.query(q))
        .samePlaceAs("application")
        .message("adaptive query execution is off (" + effective.display(KEY) + " in " + where
            + ") and this query shuffles through " + exchanges + (exchanges == 1 ? " exchange" : " exchanges")
            + " at a fixed spark.sql.shuffle.partitions=" + partitions
            + ": no runtime partition coalescing, skew-join splitting or switch to broadcast join")
        .cost(0, "not estimated; every shuffle of every query keeps its static plan")
        .fix(KEY + "=true (the default since Spark 3.2)")
        .evidence("exchanges", exchanges)
        .evidence("shufflePartitions", partitions)
        .evidence("setIn", q.modifiedConfigs().containsKey(KEY) ? "session" : "application")
        .build());
  }
}
