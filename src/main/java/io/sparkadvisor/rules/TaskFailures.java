package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.FailureGroup;
import io.sparkadvisor.model.StageStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failed task attempts in a stage, grouped by reason. Killed attempts (speculative copies that
 * lost the race, commits denied to duplicates) do not count, and neither do attempts lost with an
 * executor that went for reasons outside the tasks (preemption, decommissioning).
 */
@RuleInfo(id = "TaskFailures", severity = Severity.WARN,
    summary = "Task attempts failed and were retried, or failed the stage")
public final class TaskFailures implements Rule {
  private static final int MAX_MESSAGE = 160;

  private final long minFailures;

  public TaskFailures(RuleOptions o) {
    minFailures = o.count("minFailures", 1);
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    int failed = s.failedByJobTasks();
    if (failed < Math.max(1, minFailures)) {
      return;
    }
    List<FailureGroup> groups = s.failureGroups().stream().filter(g -> g.kind().causedByJob()).toList();
    StringBuilder msg = new StringBuilder().append(failed)
        .append(failed == 1 ? " task attempt failed (" : " task attempts failed (");
    Map<String, Object> byReason = new LinkedHashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      FailureGroup g = groups.get(i);
      msg.append(i == 0 ? "" : ", ").append(g.count()).append(" x ").append(g.label());
      byReason.put(g.label(), g.count());
    }
    msg.append(')');
    FailureGroup top = groups.get(0);
    if (top.sampleMessage() != null && !top.sampleMessage().isBlank()) {
      msg.append(", e.g. '").append(clip(top.sampleMessage())).append('\'');
    }
    msg.append(s.isFailed() ? "; the stage failed" : "; retries succeeded");
    ctx.report(ctx.finding(Scope.stage(s))
        .message(msg.toString())
        .cost(s.failedByJobTimeMs(), "~" + Units.coreTime(s.failedByJobTimeMs()) + " of task time in failed attempts")
        .fix(fix(top, ctx))
        .evidence("failedAttempts", failed)
        .evidence("failedTimeMs", s.failedByJobTimeMs())
        .evidence("stageFailed", s.isFailed())
        .evidence("reasons", byReason)
        .build());
  }

  private static String fix(FailureGroup top, RuleContext ctx) {
    String memory = ctx.spark().shown("spark.executor.memory", "unset, 1g");
    return switch (top.kind()) {
      case OUT_OF_MEMORY -> "tasks ran out of heap: raise spark.executor.memory (now " + memory
          + "), or use more partitions so each task holds less (spark.sql.shuffle.partitions)";
      case FETCH_FAILED -> "shuffle output was lost, usually with its executor: find why executors died "
          + "(OOM kills, exit 137); spark.shuffle.io.maxRetries and spark.shuffle.io.retryWait ride out "
          + "flaky networks, an external shuffle service keeps files when executors go";
      case EXECUTOR_LOST -> "executors died under these tasks: check the executor logs and the cluster "
          + "manager for memory kills (exit 137/143) and raise spark.executor.memoryOverhead";
      case EXCEPTION -> "the job's code throws " + top.detail() + ": fix its cause; each retry re-runs "
          + "the task and spark.task.maxFailures only hides it";
      case RESULT_LOST -> "task results were lost before the driver fetched them: check executor "
          + "health and spark.driver.maxResultSize";
      case OTHER, EXECUTOR_RELEASED -> "see the executor logs for the failed attempts";
    };
  }

  private static String clip(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= MAX_MESSAGE ? one : one.substring(0, MAX_MESSAGE - 3) + "...";
  }
}
