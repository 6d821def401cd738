package io.sparkadvisor.bench;

import io.sparkadvisor.config.AdvisorConfig;
import io.sparkadvisor.metrics.AdvisorMetrics;
import io.sparkadvisor.metrics.SparkMeters;
import io.sparkadvisor.model.AdvisorEvent;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The meters' cost per task end on the advisor's thread (never Spark's): counters, the task
 * duration histogram, through the composite registry with only the in-memory registry, and with
 * the Prometheus registry added.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class MetricsBenchmark {
  private static final int EVENTS = 4_096;

  @Param({"", "prometheus"})
  public String registries;

  private AdvisorMetrics metrics;
  private SparkMeters meters;
  private AdvisorEvent.TaskEnd[] ends;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    metrics = new AdvisorMetrics("bench", "app-1", AdvisorConfig.from(Map.of(
        "spark.advisor.metrics.registries", registries,
        "spark.advisor.metrics.prometheus.host", "127.0.0.1",
        "spark.advisor.metrics.prometheus.port", "0")).metrics());
    meters = metrics.sparkMeters();
    Random random = new Random(7);
    ends = new AdvisorEvent.TaskEnd[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      ends[i] = Events.taskEnd(i % 1_000, i, i, random);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    metrics.close();
  }

  @Benchmark
  public void meterTaskEnd() {
    meters.taskEnded(ends[next++ & (EVENTS - 1)]);
  }
}
