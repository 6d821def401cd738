package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.RunningTask;
import io.sparkadvisor.model.StageStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Live: a task still running long after most of its stage finished. Reported while the stage
 * runs, once per task; the set of reported tasks lives only as long as the stage.
 */
@RuleInfo(id = "StragglerTask", severity = Severity.WARN,
    summary = "A running task takes far longer than its stage's finished tasks")
public final class StragglerTask implements Rule {
  private final double minFinishedFraction;
  private final double ratio;
  private final long minElapsedMs;
  private static final int MAX_TRACKED_STAGES = 1_000;
  private final Map<String, Set<Long>> reported = new HashMap<>();

  public StragglerTask(RuleOptions o) {
    minFinishedFraction = o.ratio("minFinishedFraction", 0.5);
    ratio = o.ratio("ratio", 5.0);
    minElapsedMs = o.durationMillis("minElapsed", 30_000);
  }

  @Override
  public void onStageRunning(StageStats s, long now, RuleContext ctx) {
    int finished = s.succeededTasks();
    if (s.numTasks() <= 0 || finished == 0 || finished < minFinishedFraction * s.numTasks()) {
      return;
    }
    long median = Math.round(s.durations().median());
    long threshold = Math.max(Math.round(ratio * median), minElapsedMs);
    for (RunningTask t : s.runningTasks()) {
      long elapsed = t.elapsedMs(now);
      // A speculative copy is Spark's answer to a straggler, not a straggler of its own.
      if (t.speculative() || elapsed < threshold) {
        continue;
      }
      if (reported.size() > MAX_TRACKED_STAGES) {
        reported.clear(); // completions were missed; forget rather than grow
      }
      if (!reported.computeIfAbsent(key(s), k -> new HashSet<>()).add(t.taskId())) {
        continue;
      }
      boolean speculation = ctx.spark().bool("spark.speculation", false);
      String msg = "task " + t.index() + " (partition " + t.partition() + ", TID " + t.taskId()
          + ") on executor " + t.executorId() + " (" + t.host() + ") has run " + Units.duration(elapsed)
          + ", " + (median > 0 ? Units.times(elapsed / (double) median) + " the" : "vs the")
          + " median " + Units.duration(median) + " of the " + finished + "/" + s.numTasks()
          + " finished tasks, and is still running";
      String fix = speculation
          ? "speculation is on: Spark copies it elsewhere once spark.speculation.quantile of the tasks "
              + "finished; if the copy is slow too, partition " + t.partition() + " holds more data than "
              + "the others (salt or repartition the key; see TaskSkew), else executor " + t.executorId()
              + " is unhealthy"
          : "spark.speculation=true (it is off) re-launches slow tasks on other executors; if partition " + t.partition()
              + " holds more data than the others, it is skew: salt or repartition the key";
      ctx.report(ctx.finding(Scope.stage(s))
          .occurrence(Scope.stage(s).occurrence() + ":task" + t.taskId())
          .message(msg)
          .cost(elapsed - median, "~" + Units.duration(elapsed - median) + " of stage wall time so far")
          .fix(fix)
          .evidence("taskId", t.taskId())
          .evidence("partition", t.partition())
          .evidence("executorId", t.executorId())
          .evidence("elapsedMs", elapsed)
          .evidence("medianTaskMs", median)
          .evidence("finishedTasks", finished)
          .evidence("tasks", s.numTasks())
          .evidence("speculation", speculation)
          .build());
    }
  }

  @Override
  public void onStageCompleted(StageStats s, RuleContext ctx) {
    reported.remove(key(s));
  }

  private static String key(StageStats s) {
    return s.stageId() + "." + s.attempt();
  }
}
