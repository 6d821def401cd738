package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
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
            + "(spark.driver.maxResultSize=" + limit + ")")
        .cost(costMs, Units.bytes(s.resultBytes()) + " held in driver memory; ~" + Units.duration(costMs)
            + " to ship it through the driver (at ~100 MB/s, or as measured)")
        .fix(fix)
        .evidence("resultBytes", s.resultBytes())
        .evidence("tasks", s.succeededTasks())
        .evidence("fetchMs", s.resultFetchMs())
        .evidence("broadcast", broadcast)
        .build());
  }
}
