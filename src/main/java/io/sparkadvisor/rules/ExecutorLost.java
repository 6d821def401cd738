package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.ExecutorStats;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An executor removed by a failure, not released by the driver (dynamic allocation's idle
 * release, decommissioning): its reason, and the task time that failed with it. Judged a few
 * seconds after the removal, when the failed attempts it took with it have been reported.
 */
@RuleInfo(id = "ExecutorLost", severity = Severity.WARN,
    summary = "An executor was lost to a failure, taking running tasks with it")
public final class ExecutorLost implements Rule {
  private static final Pattern EXIT_CODE = Pattern.compile(
      "(?:exit(?:ed)?(?: with)?(?: a non-zero)? (?:code|status)(?: is)?|exit status:?)\\s*:?\\s*(-?\\d+)",
      Pattern.CASE_INSENSITIVE);
  private static final int MAX_REPORTED = 1_000;

  private final long settleMs;
  private final Set<String> judged = new LinkedHashSet<>();

  public ExecutorLost(RuleOptions o) {
    settleMs = o.durationMillis("settleTime", 3_000);
  }

  @Override
  public void onTick(AppState app, long now, RuleContext ctx) {
    judge(app, now, ctx);
  }

  @Override
  public void onApplicationEnd(AppState app, RuleContext ctx) {
    judge(app, Long.MAX_VALUE, ctx);
  }

  private void judge(AppState app, long now, RuleContext ctx) {
    for (ExecutorStats x : app.executors().removedList()) {
      if (judged.contains(x.id()) || now - x.removedAt() < settleMs) {
        continue;
      }
      judged.add(x.id());
      if (judged.size() > MAX_REPORTED) {
        judged.remove(judged.iterator().next());
      }
      if (!releasedOnPurpose(x.removalReason())) {
        report(x, ctx);
      }
    }
  }

  /**
   * Removed by the driver itself: dynamic allocation, an explicit kill, decommissioning. YARN (and
   * Kubernetes before 3.1) report a container the driver asked them to kill as "exited from
   * explicit termination request".
   */
  static boolean releasedOnPurpose(String reason) {
    String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
    return r.contains("killed by driver") || r.contains("decommission") || r.contains("idle")
        || r.contains("dynamic allocation") || r.contains("explicit termination request");
  }

  /** The exit code in Spark's or the cluster manager's words, or null. */
  static Integer exitCode(String reason) {
    Matcher m = EXIT_CODE.matcher(reason == null ? "" : reason);
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  /** Killed for memory: by the OS or cluster manager (137, 143) or over its container's limit. */
  static boolean memoryKill(String reason) {
    Integer code = exitCode(reason);
    return (code != null && (code == 137 || code == 143)) || statesMemoryLimit(reason);
  }

  /**
   * The cluster manager's own words that a memory limit was exceeded, not only an exit code. YARN:
   * "... for exceeding memory limits", "... exceeding physical memory limits", "running beyond
   * physical memory limits"; Kubernetes: OOMKilled.
   */
  static boolean statesMemoryLimit(String reason) {
    String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
    return r.contains("memory limits") || r.contains("oomkilled");
  }

  private void report(ExecutorStats x, RuleContext ctx) {
    String reason = x.removalReason() == null || x.removalReason().isBlank() ? "no reason given" : x.removalReason();
    long lived = Math.max(0, x.removedAt() - x.addedAt());
    String fix;
    // Spark's own verdict that the tasks did not cause the exit (preemption, a lost node) outweighs
    // an exit code: a preempted YARN container also exits with 143.
    if (memoryKill(reason) && (!x.lostNotByTasks() || statesMemoryLimit(reason))) {
      long heap = ExecutorMemory.heapBytes(ctx.spark());
      long overhead = ExecutorMemory.overheadBytes(ctx.spark());
      String suggested = ExecutorMemory.sparkSize(Math.max(2 * overhead, heap / 5), 256 * ExecutorMemory.MIB);
      fix = "the container was killed for memory outside the JVM heap (off-heap buffers, Python workers, "
          + "native libraries, thread stacks): raise spark.executor.memoryOverhead (now "
          + Units.bytes(overhead) + ") to " + suggested + ", or lower spark.executor.cores so fewer tasks "
          + "share it; if the heap itself is full, see ExecutorMemoryPressure";
    } else {
      fix = "read the executor's own log on " + (x.host().isEmpty() ? "its host" : x.host()) + " (stderr in the "
          + "worker, NodeManager or pod logs) for the cause: an OutOfMemoryError, a crashed JVM, a lost or "
          + "preempted node (on spot or preemptible nodes set spark.decommission.enabled=true so work "
          + "moves off before the node goes)";
    }
    String lost = x.lostAttempts() == 0 ? "no running task attempt failed with it"
        : x.lostAttempts() + (x.lostAttempts() == 1 ? " task attempt" : " task attempts") + " failed with it";
    if (x.lostOutputs() > 0) {
      lost += ", and the map output of " + x.lostOutputs() + (x.lostOutputs() == 1 ? " finished task" : " finished tasks")
          + " was lost and resubmitted";
    }
    ctx.report(ctx.finding(Scope.application())
        .samePlaceAs("executor|" + x.id())
        .occurrence("executor:" + x.id() + ":" + x.addedAt())
        .message("executor " + x.id() + (x.host().isEmpty() ? "" : " on " + x.host()) + " was lost after "
            + Units.duration(lived) + ": '" + clip(reason) + "'; " + lost)
        .cost(x.lostTaskMs(), "~" + Units.duration(x.lostTaskMs()) + " of task time lost and re-run")
        .fix(fix)
        .evidence("executorId", x.id())
        .evidence("host", x.host())
        .evidence("reason", reason)
        .evidence("exitCode", exitCode(reason) == null ? -1 : exitCode(reason))
        .evidence("lostAttempts", x.lostAttempts())
        .evidence("lostOutputs", x.lostOutputs())
        .evidence("lostTaskMs", x.lostTaskMs())
        .build());
  }

  private static String clip(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= 200 ? one : one.substring(0, 197) + "...";
  }
}
