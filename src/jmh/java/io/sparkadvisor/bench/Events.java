package io.sparkadvisor.bench;

import io.sparkadvisor.model.AdvisorEvent;
import java.util.Random;
import org.apache.spark.Success$;
import org.apache.spark.TaskState;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.TaskLocality;

/** Realistic Spark task events and their advisor copies, for the benchmarks. */
final class Events {
  private Events() {}

  static TaskInfo taskInfo(long taskId, int partition, long launch) {
    return new TaskInfo(taskId, partition, 0, partition, launch, "exec-" + (partition % 50),
        "host-" + (partition % 50), TaskLocality.PROCESS_LOCAL(), false);
  }

  static SparkListenerTaskStart sparkTaskStart(int stage, long taskId, int partition) {
    return new SparkListenerTaskStart(stage, 0, taskInfo(taskId, partition, 1_000_000L + taskId));
  }

  static SparkListenerTaskEnd sparkTaskEnd(int stage, long taskId, int partition, Random random) {
    TaskInfo info = taskInfo(taskId, partition, 1_000_000L + taskId);
    info.markFinished(TaskState.FINISHED(), info.launchTime() + 200 + random.nextInt(2_000));
    TaskMetrics metrics = TaskMetrics.empty();
    metrics.setExecutorRunTime(180 + random.nextInt(1_800));
    metrics.setExecutorCpuTime(150_000_000L);
    metrics.setJvmGCTime(random.nextInt(50));
    metrics.setResultSize(2_048);
    metrics.incMemoryBytesSpilled(random.nextInt(1 << 20));
    return new SparkListenerTaskEnd(stage, 0, "ShuffleMapTask", Success$.MODULE$, info,
        new ExecutorMetrics(), metrics);
  }

  static AdvisorEvent.TaskEnd taskEnd(int stage, long taskId, int partition, Random random) {
    long launch = 1_000_000L + taskId;
    long duration = 200 + random.nextInt(2_000);
    return new AdvisorEvent.TaskEnd(stage, 0, taskId, partition, partition, "exec-" + (partition % 50),
        "host-" + (partition % 50), false, false, launch, launch + duration, 0, false, null, "", null,
        duration - 20, 150_000_000L, 5, random.nextInt(50), 2_048, random.nextInt(1 << 20), 0,
        random.nextInt(64 << 20), 1_000, 0, 0, random.nextInt(64 << 20), 1_000, 3, 1 << 20, 1_000);
  }

  /**
   * A completed SQL stage as Spark reports it: {@code sqlMetrics} SQL metrics of the operators that
   * ran in it and {@code internal} task metric accumulators, with their totals.
   */
  static org.apache.spark.scheduler.SparkListenerStageCompleted sqlStageCompleted(int stage, int sqlMetrics, int internal) {
    scala.collection.immutable.List<Object> none = scala.collection.immutable.List$.MODULE$.empty();
    org.apache.spark.scheduler.StageInfo info = new org.apache.spark.scheduler.StageInfo(stage, 0, "stage " + stage, 200,
        scala.collection.immutable.List$.MODULE$.empty(), none, "", null,
        scala.collection.immutable.List$.MODULE$.empty(), scala.Option.empty(), 0, false, 0);
    for (int i = 0; i < sqlMetrics + internal; i++) {
      boolean sql = i < sqlMetrics;
      long id = 1_000L + i;
      info.accumulables().put(id, new org.apache.spark.scheduler.AccumulableInfo(id,
          scala.Option.apply(sql ? "number of output rows" : "internal.metrics.executorRunTime"), scala.Option.empty(),
          scala.Option.apply((Object) Long.valueOf(123_456L + i)), !sql, true,
          sql ? scala.Option.apply("sql") : scala.Option.empty()));
    }
    info.completionTime_$eq(scala.Option.apply((Object) 2_000_000L));
    return new org.apache.spark.scheduler.SparkListenerStageCompleted(info);
  }
}
