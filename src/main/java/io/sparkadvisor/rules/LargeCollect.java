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
  private final long minBytes;

  public LargeCollect(RuleOptions o) {
    minBytes = o.sizeBytes("minBytes", 100L << 20);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    if (!s.isResultStage() || s.resultBytes() < minBytes) {
      return;
    }
    String limit = ctx.spark().get("spark.driver.maxResultSize").orElse("1g");
    String fetch = s.resultFetchMs() > 0
        ? "; ~" + Units.duration(s.resultFetchMs()) + " of task time fetching results" : "";
    ctx.report(ctx.finding(Scope.stage(s))
        .message("the action sent " + Units.bytes(s.resultBytes()) + " of serialized results from "
            + s.succeededTasks() + " tasks to the driver (spark.driver.maxResultSize=" + limit + ")")
        .cost(s.resultFetchMs(), Units.bytes(s.resultBytes()) + " held in driver memory" + fetch)
        .fix("keep the data distributed: write it out (df.write...) or aggregate/limit before the "
            + "action; toLocalIterator() streams one partition at a time, take(n) fetches a sample")
        .evidence("resultBytes", s.resultBytes())
        .evidence("tasks", s.succeededTasks())
        .evidence("fetchMs", s.resultFetchMs())
        .build());
  }
}
