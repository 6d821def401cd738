package io.sparkadvisor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.config.AdvisorConfig;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.FindingLog;
import io.sparkadvisor.findings.FindingSink;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdvisorEngineTest {
  private final List<Finding> emitted = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private AdvisorEngine engine(Map<String, String> conf, int capacity) {
    AdvisorConfig config = AdvisorConfig.from(conf);
    AppState state = new AppState(10, 10);
    FindingLog log = new FindingLog(List.of((FindingSink) emitted::add), 100);
    RuleRunner rules = RuleRunner.create(config, state, log, warnings::add);
    return new AdvisorEngine(new AdvisorEngine.Settings(capacity, 50, false, 1), state, rules, log);
  }

  private static AdvisorEvent.TaskEnd task(int stage, int partition, long ms) {
    return new AdvisorEvent.TaskEnd(stage, 0, partition, partition, partition, "1", "h", false, false,
        1_000, 1_000 + ms, 0, false, null, "", null, ms, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void aFullQueueCountsDropsInsteadOfBlocking() {
    AdvisorEngine engine = engine(Map.of(), 2);
    for (int i = 0; i < 5; i++) {
      engine.offer(task(1, i, 10));
    }
    assertThat(engine.queueDepth()).isEqualTo(2);
    assertThat(engine.droppedEvents()).isEqualTo(3);
  }

  @Test
  void stagesFlowThroughTheRulesAndTheEngineStopsAtApplicationEnd() {
    AdvisorEngine engine = engine(Map.of(), 1_000);
    engine.start();
    engine.offer(new AdvisorEvent.StageSubmitted(1, 0, "count at A.java:1", 20, 1_000, null, null, -1));
    for (int p = 0; p < 19; p++) {
      engine.offer(task(1, p, 1_000));
    }
    engine.offer(task(1, 19, 30_000));
    engine.offer(new AdvisorEvent.StageCompleted(1, 0, 40_000, null));
    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 5_000)).isTrue();
    assertThat(engine.isAlive()).isFalse();
    assertThat(emitted).extracting(Finding::ruleId).containsExactly("TaskSkew");
    assertThat(engine.processedEvents()).isEqualTo(23);
  }

  @Test
  void unknownRuleIdsAndOptionsAreReported() {
    engine(Map.of("spark.advisor.rules.disabled", "TaskSkew,NoSuchRule",
        "spark.advisor.rule.Nope.x", "1", "spark.advisor.rule.TaskSkew.minTaks", "3"), 10);
    assertThat(warnings).hasSize(3)
        .anySatisfy(w -> assertThat(w).contains("unknown rule id 'NoSuchRule'", "spark.advisor.rules.disabled"))
        .anySatisfy(w -> assertThat(w).contains("unknown rule id 'Nope'"))
        .anySatisfy(w -> assertThat(w).contains("spark.advisor.rule.TaskSkew.minTaks", "minTasks"));
  }

  @Test
  void disabledRulesDoNotRun() {
    AdvisorEngine engine = engine(Map.of("spark.advisor.rules.disabled", "TaskSkew"), 1_000);
    engine.start();
    engine.offer(new AdvisorEvent.StageSubmitted(1, 0, "s", 20, 1_000, null, null, -1));
    for (int p = 0; p < 19; p++) {
      engine.offer(task(1, p, 1_000));
    }
    engine.offer(task(1, 19, 30_000));
    engine.offer(new AdvisorEvent.StageCompleted(1, 0, 40_000, null));
    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 5_000)).isTrue();
    assertThat(emitted).isEmpty();
  }
}
