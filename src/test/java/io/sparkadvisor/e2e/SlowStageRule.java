package io.sparkadvisor.e2e;

import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.rules.Rule;
import io.sparkadvisor.rules.RuleContext;
import io.sparkadvisor.rules.RuleInfo;

/**
 * A custom rule that holds the advisor's thread for 4 s on a stage of job group
 * {@value #GROUP}, longer than the 3 s shutdown timeout: the queue fills behind it.
 */
@RuleInfo(id = "SlowStage", severity = Severity.INFO, summary = "Holds the advisor's thread, to fill its queue")
public final class SlowStageRule implements Rule {
  static final String GROUP = "hold-the-advisor";

  @Override
  public void onStageCompleted(StageStats stage, RuleContext ctx) {
    if (GROUP.equals(stage.jobGroup())) {
      try {
        Thread.sleep(4_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
