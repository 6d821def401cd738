package io.sparkadvisor.bench;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.LiveListenerBusMetrics;
import org.apache.spark.scheduler.SparkListenerInterface;
import org.apache.spark.status.api.v1.ExecutorSummary;
import org.apache.spark.status.api.v1.StageData;

/**
 * What one run of {@link ListenerBusBenchmark} measured, read from Spark's listener bus, its
 * status store and the advisor's registry after the bus drained and before the context stops
 * (the application-end callbacks wait and would distort the timers).
 *
 * @param sparkVersion the running Spark's version
 * @param pair         0 for the warm-up pair, then 1, 2, ...
 * @param advisor      whether the advisor was attached (run B) or not (run A)
 * @param workNanos    wall time of the job's actions only, session start and stop excluded
 * @param drainNanos   from the last action's return until Spark's queues were empty
 * @param eventsPosted events posted to Spark's bus during the whole application so far
 * @param listeners    Spark's per-listener-class timers, by class name
 * @param dropped      Spark's dropped-event counters, by queue name
 * @param advisorMeters the advisor's own meters (events processed, dropped, CPU), by name; empty in A
 * @param threadCpuNanos CPU time of named threads during the work and drain, by thread name
 * @param taskMillis   tasks' time as the Executors page shows it ("Task Time", launch to finish)
 * @param runMillis    the stages' executorRunTime, summed
 * @param cpuNanos     the stages' executorCpuTime, summed
 * @param tasks        completed tasks, summed over stages
 */
record BusRun(String sparkVersion, int pair, boolean advisor, long workNanos, long drainNanos, long eventsPosted,
    Map<String, ListenerTime> listeners, Map<String, Long> dropped, Map<String, Double> advisorMeters,
    Map<String, Long> threadCpuNanos, long taskMillis, long runMillis, long cpuNanos, long tasks,
    long idleCpuNanos) {

  /** The advisor thread's CPU over {@link ListenerBusBenchmark#IDLE_SECONDS} with no job running. */
  BusRun withIdleCpu(long nanos) {
    return new BusRun(sparkVersion, pair, advisor, workNanos, drainNanos, eventsPosted, listeners, dropped,
        advisorMeters, threadCpuNanos, taskMillis, runMillis, cpuNanos, tasks, nanos);
  }

  /** One listener class's timer: events timed, mean and 99th percentile of its samples. */
  record ListenerTime(long count, double meanMicros, double p99Micros) {
    static ListenerTime of(Timer t) {
      Snapshot s = t.getSnapshot();
      return new ListenerTime(t.getCount(), s.getMean() / 1e3, s.get99thPercentile() / 1e3);
    }
  }

  static final String DROPPED_SUFFIX = ".numDroppedEvents";

  /** The run's figures; {@code advisorRegistry} is null in run A. */
  static BusRun read(String sparkVersion, int pair, boolean advisor, long workNanos, long drainNanos, SparkContext sc,
      MeterRegistry advisorRegistry, Map<String, Long> threadCpuNanos, List<String> advisorMeterNames) {
    LiveListenerBusMetrics metrics = sc.listenerBus().metrics();

    // Spark's timer for each registered listener's class: the one each queue times its calls with.
    Map<String, ListenerTime> listeners = new TreeMap<>();
    for (SparkListenerInterface l : sc.listenerBus().listeners()) {
      scala.Option<Timer> timer = metrics.getTimerForListenerClass(l.getClass());
      if (timer.isDefined()) {
        listeners.put(l.getClass().getName(), ListenerTime.of(timer.get()));
      }
    }

    Map<String, Long> dropped = new TreeMap<>();
    for (Map.Entry<String, Counter> e : metrics.metricRegistry().getCounters().entrySet()) {
      if (e.getKey().endsWith(DROPPED_SUFFIX)) {
        String queue = e.getKey().substring(0, e.getKey().length() - DROPPED_SUFFIX.length());
        dropped.put(queue.startsWith("queue.") ? queue.substring("queue.".length()) : queue,
            e.getValue().getCount());
      }
    }

    Map<String, Double> meters = new TreeMap<>();
    if (advisorRegistry != null) {
      for (String name : advisorMeterNames) {
        Meter m = advisorRegistry.find(name).meter();
        if (m != null) {
          for (Measurement measurement : m.measure()) {
            meters.put(name, measurement.getValue());
            break;
          }
        }
      }
    }

    long taskMillis = 0;
    scala.collection.Iterator<ExecutorSummary> executors = sc.statusStore().executorList(false).iterator();
    while (executors.hasNext()) {
      taskMillis += executors.next().totalDuration();
    }
    long runMillis = 0;
    long cpuNanos = 0;
    long tasks = 0;
    scala.collection.Iterator<StageData> stages =
        sc.statusStore().stageList(List.of(), false, false, new double[0], List.of()).iterator();
    while (stages.hasNext()) {
      StageData s = stages.next();
      runMillis += s.executorRunTime();
      cpuNanos += s.executorCpuTime();
      tasks += s.numCompleteTasks();
    }
    return new BusRun(sparkVersion, pair, advisor, workNanos, drainNanos, metrics.numEventsPosted().getCount(),
        listeners, dropped, meters, Map.copyOf(threadCpuNanos), taskMillis, runMillis, cpuNanos, tasks, -1);
  }

  ListenerTime listener(String className) {
    return listeners.get(className);
  }

  long sparkDropped() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** CPU of the named thread, or -1 when no such thread ran. */
  long cpu(String thread) {
    return threadCpuNanos.getOrDefault(thread, -1L);
  }
}
