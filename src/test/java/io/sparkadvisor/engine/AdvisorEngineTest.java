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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AdvisorEngineTest {
  private final List<Finding> emitted = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final AppState state = new AppState(10, 10);
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdvisorEngine engine(Map<String, String> conf, int capacity) {
    AdvisorConfig config = AdvisorConfig.from(conf);
    FindingSink sink = new FindingSink() {
      @Override
      public void emit(Finding f) {
        emitted.add(f);
      }

      @Override
      public void close() {
        closed.set(true);
      }
    };
    FindingLog log = new FindingLog(List.of(sink), 100);
    RuleRunner rules = RuleRunner.create(config, state, log, warnings::add);
    return new AdvisorEngine(new AdvisorEngine.Settings(capacity, 50, false, 1), state, rules, log);
  }

  private static AdvisorEvent.StageCompleted completed(int stage) {
    return new AdvisorEvent.StageCompleted(stage, 0, 2_000, null);
  }

  private static AdvisorEvent.TaskEnd task(int stage, int partition, long ms) {
    return new AdvisorEvent.TaskEnd(stage, 0, partition, partition, partition, "1", "h", false, false,
        1_000, 1_000 + ms, 0, false, null, "", null, ms, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
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
  void lifecycleEventsUseTheReserveWhenTaskEventsAreDropped() {
    AdvisorEngine engine = engine(Map.of(), 2);
    for (int i = 0; i < 5; i++) {
      engine.offer(task(1, i, 10));
    }
    engine.offer(completed(1));
    engine.offer(new AdvisorEvent.JobEnd(1, 2_000, true));
    engine.offer(new AdvisorEvent.SqlEnd(3, 2_000, null));
    engine.offer(new AdvisorEvent.ExecutorRemoved("1", "lost", 2_000));
    engine.offer(new AdvisorEvent.StreamTerminated("q", "r", null));
    assertThat(engine.queueDepth()).isEqualTo(7);
    assertThat(engine.droppedEvents()).isEqualTo(3);
    assertThat(engine.droppedLifecycleEvents()).isZero();
  }

  @Test
  void aFullReserveDropsAndCountsLifecycleEventsWithoutBlocking() {
    AdvisorEngine engine = engine(Map.of(), 2);
    int room = 2 + AdvisorEngine.MIN_RESERVE;
    for (int i = 0; i < room + 3; i++) {
      engine.offer(completed(i));
    }
    assertThat(engine.queueDepth()).isEqualTo(room);
    assertThat(engine.droppedEvents()).isEqualTo(3);
    assertThat(engine.droppedLifecycleEvents()).isEqualTo(3);
  }

  @Test
  void theApplicationEndGetsThroughABacklogWithinTheTimeout() {
    // 100 stage completions at 50 ms each: five seconds of work waiting, and one second to stop.
    AdvisorEngine engine = engine(Map.of("spark.advisor.rules.custom", SlowRule.class.getName()), 100);
    for (int i = 0; i < 100; i++) {
      engine.offer(completed(i));
    }
    engine.start();
    long start = System.nanoTime();
    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 1_000)).isTrue();
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    assertThat(engine.isAlive()).isFalse();
    assertThat(closed).as("the outputs are closed").isTrue();
    assertThat(state.endTime()).isEqualTo(50_000);
    assertThat(engine.droppedEvents()).as("the backlog left at the drain deadline").isPositive();
    assertThat(engine.processedEvents() + engine.droppedEvents()).isEqualTo(101);
  }

  @Test
  void theApplicationEndGetsThroughWhenQueueAndReserveAreFull() {
    AdvisorEngine engine = engine(Map.of(), 1);
    for (int i = 0; i < 1 + AdvisorEngine.MIN_RESERVE; i++) {
      engine.offer(completed(i));
    }
    engine.start();
    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 3_000)).isTrue();
    assertThat(engine.isAlive()).isFalse();
    assertThat(closed).isTrue();
    assertThat(state.endTime()).isEqualTo(50_000);
  }

  @Test
  void aStageWhoseCompletionWasLostIsClosedAtItsJobsEndAndNotJudged() {
    AdvisorEngine engine = engine(Map.of(), 1_000);
    engine.start();
    engine.offer(new AdvisorEvent.JobStart(1, 1_000, new int[] {1}, -1, null, null, null));
    engine.offer(new AdvisorEvent.StageSubmitted(1, 0, "count at A.java:1", 20, 1_000, null, null, -1));
    for (int p = 0; p < 19; p++) {
      engine.offer(task(1, p, 1_000));
    }
    engine.offer(task(1, 19, 30_000)); // skewed, but the stage's completion never comes
    engine.offer(new AdvisorEvent.JobEnd(1, 40_000, true));
    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 5_000)).isTrue();
    assertThat(state.activeStages()).isEmpty();
    assertThat(state.completedStages()).singleElement().satisfies(s -> {
      assertThat(s.isCompleted()).isTrue();
      assertThat(s.completionSeen()).isFalse();
      assertThat(s.completionTime()).as("closed at the job's end, not the app's").isEqualTo(40_000);
    });
    assertThat(emitted).as("a stage whose completion was lost is not judged").isEmpty();
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

  /**
   * No offer wakes the advisor's thread: an engine that has sat idle (parked, its back-off at the
   * longest) still picks up what arrives on its own, and the application's end stops it.
   */
  @Test
  void anIdleEngineTakesEventsWithoutBeingWokenAndEndsAtTheApplicationEnd() throws Exception {
    AdvisorEngine engine = engine(Map.of(), 1_000);
    engine.start();
    Thread.sleep(200);
    engine.offer(new AdvisorEvent.StageSubmitted(1, 0, "s", 1, 1_000, null, null, -1));
    engine.offer(task(1, 0, 1_000));
    engine.offer(new AdvisorEvent.StageCompleted(1, 0, 2_000, null));
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (engine.processedEvents() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(engine.processedEvents()).isEqualTo(3);
    assertThat(state.completedStages()).singleElement()
        .satisfies(s -> assertThat(s.completionSeen()).isTrue());
    assertThat(engine.queueDepth()).isZero();

    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 3_000)).isTrue();
    assertThat(engine.isAlive()).as("the advisor's thread has ended").isFalse();
    assertThat(state.endTime()).isEqualTo(50_000);
    assertThat(engine.droppedEvents()).isZero();
    long cpu = engine.cpuTimeNanos();
    assertThat(cpu).as("its CPU time, kept after it ended").isPositive();
    assertThat(engine.cpuTimeNanos()).isEqualTo(cpu);
  }

  /**
   * With nothing to do the advisor's thread sleeps until its next live check (a minute here); the
   * first offer after that wakes it, and so does the application's end.
   */
  @Test
  void anIdleEngineSleepsUntilAnOfferOrTheApplicationEndWakesIt() throws Exception {
    AdvisorEngine engine = engineWithLiveCheckEvery(60_000);
    engine.start();
    awaitTrue("asleep", engine::asleep);
    engine.offer(new AdvisorEvent.StageSubmitted(1, 0, "s", 1, 1_000, null, null, -1));
    awaitTrue("the stage taken", () -> engine.processedEvents() == 1);
    awaitTrue("asleep again", engine::asleep);
    long start = System.nanoTime();
    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 30_000)).isTrue();
    assertThat(System.nanoTime() - start).as("woken, not left to sleep out its minute")
        .isLessThan(20_000_000_000L);
    assertThat(engine.isAlive()).isFalse();
    assertThat(state.endTime()).isEqualTo(50_000);
  }

  /** Nobody should interrupt the advisor's thread; if something does, it ends rather than spin. */
  @Test
  void anInterruptedEngineStopsInsteadOfSpinning() throws Exception {
    AdvisorEngine engine = engineWithLiveCheckEvery(60_000);
    engine.start();
    Thread advisor = engine.thread();
    awaitTrue("asleep", engine::asleep);
    advisor.interrupt();
    advisor.join(10_000);
    assertThat(advisor.isAlive()).as("it stops instead of spinning on a set interrupt flag").isFalse();
    assertThat(engine.finish(new AdvisorEvent.AppEnd(50_000), 3_000)).isTrue();
  }

  /** Which events may use the reserve: every one that opens or closes something, and no other. */
  @Test
  void eventsThatOpenOrCloseSomethingAreLifecycleEvents() {
    List<AdvisorEvent> lifecycle = List.of(new AdvisorEvent.AppStart("a", "id", 1), new AdvisorEvent.AppEnd(1),
        new AdvisorEvent.ExecutorAdded("1", "h", 1, 1), new AdvisorEvent.ExecutorRemoved("1", "r", 1),
        new AdvisorEvent.JobStart(1, 1, new int[0], -1, null, null, null), new AdvisorEvent.JobEnd(1, 1, true),
        new AdvisorEvent.StageSubmitted(1, 0, "s", 1, 1, null, null, -1), completed(1),
        new AdvisorEvent.SqlStart(1, "d", 1, () -> null, Map::of), new AdvisorEvent.SqlEnd(1, 1, null),
        new AdvisorEvent.StreamStarted("q", "r", "n", 1, 1_000L), new AdvisorEvent.StreamTerminated("q", "r", null));
    List<AdvisorEvent> frequent = List.of(task(1, 0, 1), new AdvisorEvent.TaskStart(1, 0, 1, 0, 0, 1, "1", "h", false),
        new AdvisorEvent.TaskResubmitted(1, 0, 1, 0, "1", 1),
        new AdvisorEvent.ExecutorMetrics("1", 1, 1, 1, AdvisorEvent.Gc.NONE, new int[0], new int[0], false),
        new AdvisorEvent.SqlPlanUpdate(1, () -> null), new AdvisorEvent.SqlDriverMetrics(1, new long[0], new long[0]),
        new AdvisorEvent.SqlEstimates(AdvisorEvent.Estimates.NONE));
    assertThat(lifecycle).allMatch(AdvisorEngine::isLifecycle);
    assertThat(frequent).noneMatch(AdvisorEngine::isLifecycle);
  }

  private AdvisorEngine engineWithLiveCheckEvery(long millis) {
    FindingLog log = new FindingLog(List.of(), 100);
    RuleRunner rules = RuleRunner.create(AdvisorConfig.from(Map.of()), state, log, warnings::add);
    return new AdvisorEngine(new AdvisorEngine.Settings(1_000, millis, false, 1), state, rules, log);
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(1);
    }
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
