package io.sparkadvisor.engine;

import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.rules.Rule;
import io.sparkadvisor.rules.RuleContext;
import io.sparkadvisor.rules.RuleInfo;

/** A custom rule that takes 50 ms a stage, so a backlog of stage events takes the engine long. */
@RuleInfo(id = "Slow", severity = Severity.INFO, summary = "Sleeps on every stage, to build a backlog")
public final class SlowRule implements Rule {
  @Override
  public void onStageCompleted(StageStats stage, RuleContext ctx) {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
