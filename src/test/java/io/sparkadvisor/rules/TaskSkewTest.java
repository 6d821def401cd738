package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sparkadvisor.findings.Finding;
import org.junit.jupiter.api.Test;

class TaskSkewTest {
  private final RuleHarness h = new RuleHarness();

  private TaskSkew rule() {
    return new TaskSkew(h.options("TaskSkew"));
  }

  private void stageWithLongest(int tasks, long median, long longest) {
    h.submit(1, "count at Report.java:42", tasks).endMany(1, 0, tasks - 1, median)
        .end(Tasks.task(1, 17, longest).executor("7"));
  }

  @Test
  void firesOnALongTaskWithEvidenceAndCost() {
    TaskSkew rule = rule();
    stageWithLongest(20, 1_000, 41_000);
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    Finding f = h.fires();
    assertThat(f.ruleId()).isEqualTo("TaskSkew");
    assertThat(f.evidence().get("maxTaskMs")).isEqualTo(41_000L);
    assertThat((Long) f.evidence().get("medianTaskMs")).isCloseTo(1_000L, within(20L));
    assertThat(f.evidence().get("partition")).isEqualTo(17);
    assertThat(f.costMillis()).isCloseTo(40_000L, within(20L));
    assertThat(f.render()).contains("stage 1.0 'count at Report.java:42'", "41 s", "partition 17",
        "executor 7", "~40 s of stage wall time", "docs/rules/TaskSkew.md");
  }

  @Test
  void aTaskThatWaitedForItsExecutorToStartIsNotSkewed() {
    // Launch to finish, partition 17 took 41 s: 40 s of it waiting for a new executor to start.
    TaskSkew rule = rule();
    h.submit(1, "count at Report.java:42", 20).endMany(1, 0, 19, 1_000)
        .end(Tasks.task(1, 17, 41_000).runTime(1_100).executor("7"));
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    h.quiet();
  }

  @Test
  void judgesRunTimeEvenWhenLaunchToFinishIsEven() {
    TaskSkew rule = rule();
    h.submit(1, "count at Report.java:42", 20);
    for (int p = 0; p < 19; p++) {
      h.end(Tasks.task(1, p, 40_000).runTime(1_000)); // each waited 39 s for a slot
    }
    h.end(Tasks.task(1, 19, 41_000).runTime(41_000));
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    Finding f = h.fires();
    assertThat(f.evidence()).containsEntry("maxTaskMs", 41_000L).containsEntry("partition", 19);
  }

  @Test
  void sparksFileListingJobIsNotSkewed() {
    TaskSkew rule = rule();
    h.app.stageSubmitted(new io.sparkadvisor.model.AdvisorEvent.StageSubmitted(1, 0, "parquet at Etl.java:12", 40,
        1_000_000, null, "Listing leaf files and directories for 40 paths:<br/>file:/data/day=1, ...", -1));
    h.endMany(1, 0, 39, 100).end(Tasks.task(1, 39, 30_000));
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    h.quiet();
  }

  @Test
  void quietOnAnEvenStage() {
    TaskSkew rule = rule();
    stageWithLongest(20, 1_000, 1_500);
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    h.quiet();
  }

  @Test
  void needsAtLeastEightTasks() {
    TaskSkew rule = rule();
    stageWithLongest(7, 1_000, 60_000);
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    h.quiet();
  }

  @Test
  void needsFiveTimesTheMedianAndFiveSecondsMore() {
    // 20x the median but only 1.9 s more: a fast stage is not worth a finding.
    TaskSkew rule = rule();
    stageWithLongest(20, 100, 2_000);
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    h.quiet();

    // 5 s more but only 2x the median: a long, even stage.
    RuleHarness h2 = new RuleHarness();
    TaskSkew rule2 = new TaskSkew(h2.options("TaskSkew"));
    h2.submit(2, "s", 20).endMany(2, 0, 19, 6_000).end(Tasks.task(2, 19, 12_000));
    rule2.onStageCompleted(h2.complete(2, null), h2.context(rule2));
    h2.quiet();
  }

  @Test
  void firesJustAboveTheBoundary() {
    // median 1.2 s, longest 6.3 s: 5.25x and 5.1 s more (the median sketch is exact to 1%).
    TaskSkew rule = rule();
    stageWithLongest(20, 1_200, 6_300);
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    assertThat(h.fires().evidence().get("maxTaskMs")).isEqualTo(6_300L);
  }

  @Test
  void firesOnAHeavyShuffleReadEvenWhenTimesAreEven() {
    TaskSkew rule = rule();
    h.submit(1, "join at Etl.scala:10", 10);
    for (int p = 0; p < 9; p++) {
      h.end(Tasks.task(1, p, 1_000).shuffleRead(20L << 20));
    }
    h.end(Tasks.task(1, 9, 1_200).shuffleRead(300L << 20));
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    Finding f = h.fires();
    assertThat(f.evidence().get("maxShuffleReadBytes")).isEqualTo(300L << 20);
    assertThat(f.evidence().get("maxShuffleReadPartition")).isEqualTo(9);
    assertThat(f.fix()).contains("spark.sql.adaptive.skewJoin.enabled=true", "salt");
  }

  @Test
  void aSlowTaskThatReadFarMoreIsCalledDataSkewEvenUnder256Mb() {
    TaskSkew rule = rule();
    h.submit(1, "s", 10);
    for (int p = 0; p < 9; p++) {
      h.end(Tasks.task(1, p, 1_000).shuffleRead(1L << 20));
    }
    h.end(Tasks.task(1, 9, 20_000).shuffleRead(100L << 20));
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    assertThat(h.fires().fix()).contains("skewed on the shuffle key");
  }

  @Test
  void aSlowTaskThatReadAsMuchAsTheOthersIsNotCalledDataSkew() {
    TaskSkew rule = rule();
    h.submit(1, "s", 10);
    for (int p = 0; p < 9; p++) {
      h.end(Tasks.task(1, p, 1_000).shuffleRead(10L << 20));
    }
    h.end(Tasks.task(1, 9, 20_000).shuffleRead(11L << 20));
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    assertThat(h.fires().fix()).contains("read 11 MB, close to the median 10 MB").doesNotContain("salt");
  }

  @Test
  void quietWhenTheLargestReadIsUnder256Mb() {
    TaskSkew rule = rule();
    h.submit(1, "s", 10);
    for (int p = 0; p < 9; p++) {
      h.end(Tasks.task(1, p, 1_000).shuffleRead(1L << 20));
    }
    h.end(Tasks.task(1, 9, 1_000).shuffleRead(200L << 20));
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    h.quiet();
  }

  @Test
  void optionsLowerTheFloors() {
    h.option("minDurationExcess", "1s").option("minTasks", "4");
    TaskSkew rule = rule();
    stageWithLongest(5, 100, 2_000);
    rule.onStageCompleted(h.complete(1, null), h.context(rule));
    h.fires();
  }
}
