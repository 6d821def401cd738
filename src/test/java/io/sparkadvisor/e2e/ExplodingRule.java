package io.sparkadvisor.e2e;

import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.rules.Rule;
import io.sparkadvisor.rules.RuleContext;
import io.sparkadvisor.rules.RuleInfo;

/** A custom rule with a bug: it throws on every stage. Loaded through spark.advisor.rules.custom. */
@RuleInfo(id = "Exploding", severity = Severity.WARN, summary = "Throws, to show that rules are contained")
public final class ExplodingRule implements Rule {
  @Override
  public void onStageCompleted(StageStats stage, RuleContext ctx) {
    throw new IllegalStateException("bug in a rule, stage " + stage.stageId());
  }
}
