package io.sparkadvisor.bench;

import io.sparkadvisor.SparkAdvisorListener;
import io.sparkadvisor.capture.EventCapture;
import io.sparkadvisor.model.AdvisorEvent;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The callbacks on Spark's listener thread. {@code onTaskEnd} and {@code onTaskStart} go through
 * the real listener into the advisor's queue while its thread drains it; {@code captureTaskEnd} is
 * the copy alone. Target: at most 1 µs per task-end event.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class ListenerBenchmark {
  private static final int EVENTS = 4_096;

  private SparkAdvisorListener listener;
  private SparkListenerTaskEnd[] ends;
  private SparkListenerTaskStart[] starts;
  private org.apache.spark.scheduler.SparkListenerStageCompleted sqlStage;
  private EventCapture capture;
  private AdvisorEvent last;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    SparkConf conf = new SparkConf(false).set("spark.app.name", "bench").set("spark.app.id", "bench-1")
        .set("spark.advisor.summary.enabled", "false");
    listener = new SparkAdvisorListener(conf);
    Random random = new Random(42);
    ends = new SparkListenerTaskEnd[EVENTS];
    starts = new SparkListenerTaskStart[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      ends[i] = Events.sparkTaskEnd(i % 16, i, i, random);
      starts[i] = Events.sparkTaskStart(i % 16, i, i);
    }
    capture = new EventCapture(e -> last = e);
    sqlStage = Events.sqlStageCompleted(7, 60, 30);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    // The advisor's thread is a daemon and ends with the fork. How many events it had to drop
    // (queue full) shows whether the consumer kept up while the callbacks were hammered.
    System.out.printf("%n  advisor meters: %s%n", listener.meterRegistry().getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("spark.advisor.events"))
        .map(m -> m.getId().getName() + "=" + m.measure().iterator().next().getValue()).toList());
  }

  @Benchmark
  public void onTaskEnd() {
    listener.onTaskEnd(ends[next++ & (EVENTS - 1)]);
  }

  @Benchmark
  public void onTaskStart() {
    listener.onTaskStart(starts[next++ & (EVENTS - 1)]);
  }

  /** Once per stage, not per task: copies the SQL metric totals of a stage with 60 of them. */
  @Benchmark
  public void captureSqlStageCompleted(Blackhole bh) {
    capture.stageCompleted(sqlStage);
    bh.consume(last);
  }

  @Benchmark
  public void captureTaskEnd(Blackhole bh) {
    capture.taskEnd(ends[next++ & (EVENTS - 1)]);
    bh.consume(last);
  }
}
