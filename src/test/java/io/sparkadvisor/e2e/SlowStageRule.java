package io.sparkadvisor.e2e;

import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.rules.Rule;
import io.sparkadvisor.rules.RuleContext;
import io.sparkadvisor.rules.RuleInfo;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A custom rule that holds the advisor's thread on a stage of job group {@value #GROUP} until the
 * test lets it go (30 s at most), so the queue fills behind it and the application ends with the
 * advisor's thread busy past the shutdown timeout.
 */
@RuleInfo(id = "SlowStage", severity = Severity.INFO, summary = "Holds the advisor's thread, to fill its queue")
public final class SlowStageRule implements Rule {
  static final String GROUP = "hold-the-advisor";
  static final CountDownLatch RELEASE = new CountDownLatch(1);

  @Override
  public void onStageCompleted(StageStats stage, RuleContext ctx) {
    if (GROUP.equals(stage.jobGroup())) {
      try {
        RELEASE.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
