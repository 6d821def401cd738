package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.model.StageStats;
import org.junit.jupiter.api.Test;

class StragglerTaskTest {
  private final RuleHarness h = new RuleHarness();
  private static final long T0 = 1_000_000;

  /** 10 tasks: {@code finished} of them done in 2 s each, task 9 running since T0. */
  private StageStats stage(int finished) {
    h.submit(3, "save at Job.java:7", 10);
    Tasks straggler = Tasks.task(3, 9, 0).executor("4").launchedAt(T0);
    h.start(straggler);
    h.endMany(3, 0, finished, 2_000);
    return h.running(3);
  }

  @Test
  void firesWhileRunningOnceElapsedPassesBothFloors() {
    StragglerTask rule = new StragglerTask(h.options("StragglerTask"));
    StageStats s = stage(5);
    RuleContext ctx = h.context(rule);
    rule.onStageRunning(s, T0 + 29_000, ctx);
    h.quiet();
    rule.onStageRunning(s, T0 + 30_000, ctx);
    Finding f = h.fires();
    assertThat(f.evidence().get("elapsedMs")).isEqualTo(30_000L);
    assertThat(f.evidence().get("partition")).isEqualTo(9);
    assertThat(f.render()).contains("still running", "5/10 finished", "executor 4",
        "spark.speculation=true (it is off)");
    // Reported once per task, not on every check.
    rule.onStageRunning(s, T0 + 60_000, ctx);
    h.quiet();
  }

  @Test
  void aSpeculativeCopyIsNotAStraggler() {
    StragglerTask rule = new StragglerTask(h.options("StragglerTask"));
    h.submit(3, "s", 10);
    h.start(Tasks.task(3, 9, 0).launchedAt(T0).speculative());
    h.endMany(3, 0, 9, 2_000);
    rule.onStageRunning(h.running(3), T0 + 120_000, h.context(rule));
    h.quiet();
  }

  @Test
  void waitsForHalfTheTasks() {
    StragglerTask rule = new StragglerTask(h.options("StragglerTask"));
    StageStats s = stage(4);
    rule.onStageRunning(s, T0 + 120_000, h.context(rule));
    h.quiet();
  }

  @Test
  void usesFiveTimesTheMedianWhenThatIsLonger() {
    h.option("minElapsed", "1s");
    StragglerTask rule = new StragglerTask(h.options("StragglerTask"));
    StageStats s = stage(6);
    RuleContext ctx = h.context(rule);
    rule.onStageRunning(s, T0 + 9_900, ctx);
    h.quiet();
    rule.onStageRunning(s, T0 + 10_000, ctx);
    h.fires();
  }

  @Test
  void mentionsSpeculationWhenItIsOn() {
    h.conf("spark.speculation", "true");
    StragglerTask rule = new StragglerTask(h.options("StragglerTask"));
    StageStats s = stage(9);
    rule.onStageRunning(s, T0 + 45_000, h.context(rule));
    assertThat(h.fires().fix()).contains("speculation is on");
  }
}
