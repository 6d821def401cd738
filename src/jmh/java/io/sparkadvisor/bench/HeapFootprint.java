package io.sparkadvisor.bench;

import io.sparkadvisor.config.AdvisorConfig;
import io.sparkadvisor.engine.RuleRunner;
import io.sparkadvisor.findings.FindingLog;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.StageStats;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.openjdk.jol.info.GraphLayout;

/**
 * Heap the advisor retains after 1,000,000 task-end events over 1,000 stages (target: at most
 * 64 MB), and after 10,000 stages, where the 1,000-stage cap evicts the oldest. Measured by
 * walking the object graph from the model and the findings with JOL.
 */
public final class HeapFootprint {
  private HeapFootprint() {}

  public static void main(String[] args) {
    report(1_000, 1_000);
    report(10_000, 100);
  }

  private static void report(int stages, int tasksPerStage) {
    Random random = new Random(1);
    AppState state = new AppState(1_000, 1_000);
    FindingLog findings = new FindingLog(List.of(), 10_000);
    RuleRunner rules = RuleRunner.create(AdvisorConfig.from(Map.of()), state, findings, w -> {});
    long taskId = 0;
    for (int s = 0; s < stages; s++) {
      state.stageSubmitted(new AdvisorEvent.StageSubmitted(s, 0, "stage at Job.java:" + s, tasksPerStage,
          1, "group", "job", -1));
      for (int t = 0; t < tasksPerStage; t++) {
        AdvisorEvent.TaskEnd e = Events.taskEnd(s, taskId++, t, random);
        state.taskStarted(new AdvisorEvent.TaskStart(s, 0, e.taskId(), t, t, e.launchTime(), e.executorId(),
            e.host(), false));
        state.taskEnded(e);
      }
      StageStats done = state.stageCompleted(new AdvisorEvent.StageCompleted(s, 0, 10_000_000, null));
      rules.stageCompleted(done);
    }
    long bytes = GraphLayout.parseInstance(state, findings).totalSize();
    System.out.printf("heap retained after %,d task-end events over %,d stages: %.1f MB "
        + "(%,d stages retained, %,d finding places)%n", taskId, stages, bytes / (1024.0 * 1024.0),
        state.completedStages().size(), findings.ranked().size());
  }
}
