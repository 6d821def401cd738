package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import java.util.regex.Pattern;

/** An action that pulled a large result into the driver's memory. */
@RuleInfo(id = "LargeCollect", severity = Severity.WARN,
    summary = "An action pulled a large result into the driver")
public final class LargeCollect implements Rule {
  /** The driver receives and deserializes results one task at a time: a conservative rate. */
  static final long TRANSFER_BYTES_PER_SECOND = 100L << 20;

  /** Call sites of actions whose result stage runs the whole plan but does not return its rows. */
  private static final Pattern NOT_RETURNED =
      Pattern.compile("(foreach|foreachPartition|toLocalIterator|checkpoint|localCheckpoint)\\b");

  private final long minBytes;
  private final long minRows;

  public LargeCollect(RuleOptions o) {
    minBytes = o.sizeBytes("minBytes", 100L << 20);
    minRows = o.count("minRows", 1_000_000);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    if (!s.isResultStage()) {
      return;
    }
    SqlQuery q = s.executionId() >= 0 ? ctx.app().query(s.executionId()) : null;
    long rows = returnedRows(s, q);
    boolean manyRows = minRows > 0 && rows >= minRows;
    if (s.resultBytes() < minBytes && !manyRows) {
      return;
    }
    // A broadcast join's build side is collected to the driver the same way, in a job Spark
    // describes as "broadcast exchange (runId ...)".
    boolean broadcast = s.description() != null && s.description().startsWith("broadcast exchange");
    String limit = ctx.spark().shown("spark.driver.maxResultSize", "1g");
    long shipMs = s.resultBytes() * 1_000 / TRANSFER_BYTES_PER_SECOND;
    // The results reach the driver while the stage runs: the time cannot exceed the stage's.
    long wall = s.wallTimeMs();
    long costMs = Math.max(s.resultFetchMs(), shipMs);
    costMs = wall > 0 ? Math.min(costMs, wall) : costMs;
    String fix = broadcast
        ? "the build side of a broadcast join is too large to broadcast: lower "
            + "spark.sql.autoBroadcastJoinThreshold (now " + ctx.spark(s).shown("spark.sql.autoBroadcastJoinThreshold", "10m") + ") or drop the broadcast hint, so Spark shuffles both sides instead"
        : "keep the data distributed: write it out (df.write...) or aggregate/limit before the "
            + "action; toLocalIterator() streams one partition at a time, take(n) fetches a sample";
    String tasks = " from " + s.succeededTasks() + " tasks";
    String maxResult = "spark.driver.maxResultSize=" + limit;
    String what = manyRows && s.resultBytes() < minBytes
        ? "the action returned " + Units.count(rows) + " rows to the driver, each a Row object in its heap ("
            + Units.bytes(s.resultBytes()) + " of serialized results" + tasks + "; " + maxResult + ")"
        : (broadcast ? "a broadcast join collected " : "the action sent ") + Units.bytes(s.resultBytes())
            + " of serialized results" + tasks + " to the driver (" + maxResult + ")";
    ctx.report(ctx.finding(Scope.stage(s))
        .message(what + query(q, what.contains(" rows to the driver") ? -1 : rows))
        .cost(costMs, Units.bytes(s.resultBytes()) + (rows >= 0 ? " (" + Units.count(rows) + " rows)" : "")
            + " held in driver memory; ~" + Units.duration(costMs)
            + " to ship it through the driver (at ~100 MB/s, or as measured, at most the stage's time)")
        .fix(fix)
        .evidence("resultBytes", s.resultBytes())
        .evidence("tasks", s.succeededTasks())
        .evidence("fetchMs", s.resultFetchMs())
        .evidence("broadcast", broadcast)
        .evidence("rows", rows)
        .build());
  }

  /** The SQL query behind the action and the rows it returned, when known. */
  private static String query(SqlQuery q, long rows) {
    if (q == null) {
      return "";
    }
    return "; SQL query " + q.executionId() + (q.description().isEmpty() ? "" : " '" + clip(q.description()) + "'")
        + (rows >= 0 ? " returned " + Units.count(rows) + " rows" : "");
  }

  /**
   * The rows this result stage returned to the driver: the "number of output rows" of the query
   * plan's top operator that counts rows, when this stage ran that operator; -1 otherwise (no SQL
   * query, a write, whose command counts rows on the driver, or a broadcast job). Actions whose
   * result stage runs the whole plan but returns nothing ({@code foreach}, {@code
   * foreachPartition}, a checkpoint) or one partition at a time ({@code toLocalIterator}) are
   * told by their call site, which Spark gives the stage as its name.
   */
  static long returnedRows(StageStats s, SqlQuery q) {
    if (q == null || s.name() == null || NOT_RETURNED.matcher(s.name()).lookingAt()) {
      return -1;
    }
    PlanNode source = SqlQuery.rowSource(q.plan());
    String metric = source == null ? null : SqlQuery.rowMetric(source);
    return source != null && s.updated(source, metric) ? q.metric(source, metric) : -1;
  }


  private static String clip(String text) {
    String one = text.replaceAll("\\s+", " ").trim();
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }
}
