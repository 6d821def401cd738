package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/** An action that pulled a large result into the driver's memory. */
@RuleInfo(id = "LargeCollect", severity = Severity.WARN,
    summary = "An action pulled a large result into the driver")
public final class LargeCollect implements Rule {
  /** The driver receives and deserializes results one task at a time: a conservative rate. */
  static final long TRANSFER_BYTES_PER_SECOND = 100L << 20;

  private final long minBytes;

  public LargeCollect(RuleOptions o) {
    minBytes = o.sizeBytes("minBytes", 100L << 20);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    if (!s.isResultStage() || s.resultBytes() < minBytes) {
      return;
    }
    // A broadcast join's build side is collected to the driver the same way, in a job Spark
    // describes as "broadcast exchange (runId ...)".
    boolean broadcast = s.description() != null && s.description().startsWith("broadcast exchange");
    String limit = ctx.spark().shown("spark.driver.maxResultSize", "1g");
    long shipMs = s.resultBytes() * 1_000 / TRANSFER_BYTES_PER_SECOND;
    long costMs = Math.max(s.resultFetchMs(), shipMs);
    String fix = broadcast
        ? "the build side of a broadcast join is too large to broadcast: lower "
            + "spark.sql.autoBroadcastJoinThreshold (now " + ctx.spark(s).shown("spark.sql.autoBroadcastJoinThreshold", "10m") + ") or drop the broadcast hint, so Spark shuffles both sides instead"
        : "keep the data distributed: write it out (df.write...) or aggregate/limit before the "
            + "action; toLocalIterator() streams one partition at a time, take(n) fetches a sample";
    ctx.report(ctx.finding(Scope.stage(s))
        .message((broadcast ? "a broadcast join collected " : "the action sent ") + Units.bytes(s.resultBytes())
            + " of serialized results from " + s.succeededTasks() + " tasks to the driver "
            + "(spark.driver.maxResultSize=" + limit + ")" + query(s, ctx))
        .cost(costMs, Units.bytes(s.resultBytes()) + " held in driver memory; ~" + Units.duration(costMs)
            + " to ship it through the driver (at ~100 MB/s, or as measured)")
        .fix(fix)
        .evidence("resultBytes", s.resultBytes())
        .evidence("tasks", s.succeededTasks())
        .evidence("fetchMs", s.resultFetchMs())
        .evidence("broadcast", broadcast)
        .evidence("rows", rows(s, ctx))
        .build());
  }

  /** The SQL query behind the action and the rows its plan returned, when known. */
  private static String query(StageStats s, RuleContext ctx) {
    SqlQuery q = s.executionId() >= 0 ? ctx.app().query(s.executionId()) : null;
    if (q == null) {
      return "";
    }
    long rows = q.rows(q.plan());
    return "; SQL query " + q.executionId() + (q.description().isEmpty() ? "" : " '" + clip(q.description()) + "'")
        + (rows >= 0 ? " returned " + Units.count(rows) + " rows" : "");
  }

  private static long rows(StageStats s, RuleContext ctx) {
    SqlQuery q = s.executionId() >= 0 ? ctx.app().query(s.executionId()) : null;
    return q == null ? -1 : q.rows(q.plan());
  }

  private static String clip(String text) {
    String one = text.replaceAll("\\s+", " ").trim();
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }
}
