package io.sparkadvisor.findings;

import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.AppTotals;
import java.util.List;

/** The end-of-application block: findings ranked by estimated cost, then the totals. */
public final class Summary {
  private static final int MAX_LISTED = 20;

  private Summary() {}

  public static String render(AppState app, FindingLog log, long taskCpus, long droppedEvents) {
    AppTotals t = app.totals();
    long end = app.endTime() > 0 ? app.endTime() : System.currentTimeMillis();
    long held = app.executors().coreMillisHeld(end);
    long used = t.taskTimeMs() * Math.max(1, taskCpus);
    StringBuilder b = new StringBuilder(1024);
    b.append("spark-advisor summary for ")
        .append(app.appName().isEmpty() ? "application" : "'" + app.appName() + "'")
        .append(app.appId().isEmpty() ? "" : " (" + app.appId() + ")")
        .append(", ").append(Units.duration(Math.max(0, end - app.startTime())));
    List<FindingLog.Entry> ranked = log.ranked();
    if (ranked.isEmpty()) {
      b.append("\n  No findings: nothing in this application crossed a rule's threshold.");
    } else {
      b.append("\n  Findings by estimated cost (").append(ranked.size()).append(" places, ")
          .append(log.total()).append(" findings):");
      int i = 0;
      for (FindingLog.Entry e : ranked) {
        if (++i > MAX_LISTED) {
          b.append("\n    ... and ").append(ranked.size() - MAX_LISTED).append(" more");
          break;
        }
        Finding f = e.first();
        b.append("\n    ").append(i).append(". ").append(f.severity()).append(" [").append(f.ruleId())
            .append("] ").append(f.scope().where());
        if (e.count() > 1) {
          b.append(" (seen ").append(e.count()).append(" times)");
        }
        b.append(": ").append(f.costText().isEmpty() ? "cost not estimated" : f.costText());
        if (e.count() > 1 && e.totalCostMillis() > 0) {
          b.append(" (first); ~").append(Units.duration(e.totalCostMillis())).append(" in all");
        }
        b.append("; fix: ").append(f.fix());
      }
    }
    b.append("\n  Totals: ").append(t.jobs()).append(" jobs, ")
        .append(t.stagesCompleted()).append(" stages completed, ")
        .append(t.stagesFailed()).append(" failed; ")
        .append(Units.count(t.tasksSucceeded())).append(" tasks, ")
        .append(Units.count(t.tasksFailed())).append(" failed, ")
        .append(Units.count(t.tasksKilled())).append(" killed");
    b.append("\n  Task time ").append(Units.coreTime(used)).append(" of ")
        .append(Units.coreTime(held)).append(" executor core time held");
    if (held > 0) {
      b.append(" (").append(Units.percent(Math.min(1.0, used / (double) held))).append(" used)");
    }
    b.append("; GC ").append(Units.duration(t.gcMs()));
    b.append("\n  Spill ").append(Units.bytes(t.memorySpillBytes())).append(" memory, ")
        .append(Units.bytes(t.diskSpillBytes())).append(" disk; shuffle ")
        .append(Units.bytes(t.shuffleReadBytes())).append(" read, ")
        .append(Units.bytes(t.shuffleWriteBytes())).append(" written; input ")
        .append(Units.bytes(t.inputBytes())).append(", output ").append(Units.bytes(t.outputBytes()));
    if (droppedEvents > 0) {
      b.append("\n  ").append(droppedEvents)
          .append(" events were dropped by the advisor's full queue; figures may be low.");
    }
    return b.toString();
  }
}
