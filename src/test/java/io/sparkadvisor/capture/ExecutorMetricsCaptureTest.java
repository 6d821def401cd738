package io.sparkadvisor.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.model.AdvisorEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.metrics.ExecutorMetricType$;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** Heartbeats as Spark posts them: per-stage peaks, cumulative GC counters, the driver's own. */
class ExecutorMetricsCaptureTest {
  private final List<AdvisorEvent> events = new ArrayList<>();
  private final EventCapture capture = new EventCapture(events::add);

  /** Spark's metrics array with the named values set, the rest zero. */
  private static ExecutorMetrics metrics(Map<String, Long> values) {
    long[] array = new long[ExecutorMetricType$.MODULE$.numMetrics()];
    values.forEach((name, v) -> array[((Number) ExecutorMetricType$.MODULE$.metricToOffset().apply(name)).intValue()] = v);
    return new ExecutorMetrics(array);
  }

  private static Tuple2<Object, Object> stage(int id, int attempt) {
    return new Tuple2<>(id, attempt);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static SparkListenerExecutorMetricsUpdate heartbeat(String exec, scala.collection.immutable.Map updates) {
    return new SparkListenerExecutorMetricsUpdate(exec, (scala.collection.immutable.List) scala.collection.immutable.Nil$.MODULE$,
        updates);
  }

  @Test
  void takesTheHighestHeapAndTheLatestGcCountersOverTheStagesReported() {
    ExecutorMetrics earlier = metrics(Map.of("JVMHeapMemory", 3L << 30, "OnHeapUnifiedMemory", 200L << 20,
        "MinorGCCount", 40L, "MinorGCTime", 900L, "MajorGCCount", 1L, "MajorGCTime", 300L, "TotalGCTime", 1_200L));
    ExecutorMetrics later = metrics(Map.of("JVMHeapMemory", 1L << 30, "OnHeapUnifiedMemory", 500L << 20,
        "MinorGCCount", 42L, "MinorGCTime", 950L, "MajorGCCount", 2L, "MajorGCTime", 800L, "TotalGCTime", 1_750L));
    capture.executorMetrics(heartbeat("7", new scala.collection.immutable.Map.Map2<>(stage(3, 0), earlier, stage(4, 1), later)));

    assertThat(events).singleElement().isInstanceOfSatisfying(AdvisorEvent.ExecutorMetrics.class, e -> {
      assertThat(e.executorId()).isEqualTo("7");
      assertThat(e.peakJvmHeapBytes()).isEqualTo(3L << 30);
      assertThat(e.peakOnHeapManagedBytes()).isEqualTo(500L << 20);
      assertThat(e.gc()).isEqualTo(new AdvisorEvent.Gc(42, 950, 2, 800, 1_750));
      assertThat(e.gc().pauseMs()).isEqualTo(1_750);
      assertThat(e.driverOnly()).isFalse();
      Map<Integer, Integer> attempts = new java.util.HashMap<>();
      for (int i = 0; i < e.stageIds().length; i++) {
        attempts.put(e.stageIds()[i], e.stageAttempts()[i]);
      }
      assertThat(attempts).isEqualTo(Map.of(3, 0, 4, 1));
    });
  }

  @Test
  void theDriversOwnHeartbeatReportsNoStage() {
    ExecutorMetrics m = metrics(Map.of("JVMHeapMemory", 512L << 20, "MinorGCCount", 3L, "MinorGCTime", 40L));
    capture.executorMetrics(heartbeat("driver", new scala.collection.immutable.Map.Map1<>(stage(-1, -1), m)));
    assertThat(events).singleElement().isInstanceOfSatisfying(AdvisorEvent.ExecutorMetrics.class, e -> {
      assertThat(e.driverOnly()).isTrue();
      assertThat(e.stageIds()).isEmpty();
      assertThat(e.gc().pauseMs()).isEqualTo(40);
    });
  }

  @Test
  void anIdleExecutorsHeartbeatCarriesNothing() {
    capture.executorMetrics(heartbeat("7", scala.collection.immutable.Map$.MODULE$.empty()));
    assertThat(events).isEmpty();
  }
}
