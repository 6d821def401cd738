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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The advisor's own thread: applying a task end to the model (counters and two sketch updates),
 * and one pass of every built-in rule over a completed 10,000-task stage.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ModelBenchmark {
  private static final int EVENTS = 4_096;

  private AppState state;
  private AdvisorEvent.TaskEnd[] ends;
  private RuleRunner rules;
  private StageStats bigStage;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(7);
    state = new AppState(1_000, 1_000);
    ends = new AdvisorEvent.TaskEnd[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      ends[i] = Events.taskEnd(i % 1_000, i, i, random);
    }
    for (int s = 0; s < 1_000; s++) {
      state.stageSubmitted(new AdvisorEvent.StageSubmitted(s, 0, "stage " + s, 10_000, 1, null, null, -1));
    }

    AppState ruleState = new AppState(10, 10);
    ruleState.stageSubmitted(new AdvisorEvent.StageSubmitted(1, 0, "count at A.java:1", 10_000, 1, null, null, -1));
    for (int t = 0; t < 10_000; t++) {
      ruleState.taskEnded(Events.taskEnd(1, t, t, random));
    }
    bigStage = ruleState.stageCompleted(new AdvisorEvent.StageCompleted(1, 0, 100_000, null));
    rules = RuleRunner.create(AdvisorConfig.from(Map.of()), ruleState, new FindingLog(List.of(), 100), w -> {});
  }

  @Benchmark
  public void applyTaskEnd() {
    state.taskEnded(ends[next++ & (EVENTS - 1)]);
  }

  @Benchmark
  public void rulePassOverStage() {
    rules.stageCompleted(bigStage);
  }
}
