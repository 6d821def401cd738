package io.sparkadvisor.capture;

import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.FailureKind;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.FetchFailed;
import org.apache.spark.Resubmitted$;
import org.apache.spark.TaskCommitDenied;
import org.apache.spark.TaskEndReason;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.TaskKilled;
import org.apache.spark.TaskResultLost$;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Copies what the advisor needs out of Spark's events, on Spark's listener thread, and hands it
 * on. O(1) per event: field reads, a few instanceof checks, one small record. No logging, no I/O,
 * no locks beyond the hand-off queue's. The only code that reads Spark's event classes.
 */
public final class EventCapture {
  static final String JOB_GROUP = "spark.jobGroup.id";
  static final String JOB_DESCRIPTION = "spark.job.description";
  static final String SQL_EXECUTION_ID = "spark.sql.execution.id";
  static final String STREAMING_QUERY_ID = "sql.streaming.queryId";

  private final Consumer<AdvisorEvent> sink;
  private final boolean sqlAvailable;

  public EventCapture(Consumer<AdvisorEvent> sink) {
    this.sink = sink;
    this.sqlAvailable = classPresent("org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart");
  }

  private static boolean classPresent(String name) {
    try {
      Class.forName(name, false, EventCapture.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  public void appStart(SparkListenerApplicationStart e) {
    sink.accept(new AdvisorEvent.AppStart(e.appName(), Scala.stringOr(e.appId(), ""), e.time()));
  }

  public AdvisorEvent.AppEnd appEnd(SparkListenerApplicationEnd e) {
    return new AdvisorEvent.AppEnd(e.time());
  }

  public void executorAdded(SparkListenerExecutorAdded e) {
    sink.accept(new AdvisorEvent.ExecutorAdded(e.executorId(), e.executorInfo().executorHost(),
        e.executorInfo().totalCores(), e.time()));
  }

  /**
   * A heartbeat's executor metrics: peaks per stage since the last heartbeat. Heap and managed
   * memory are taken at their highest over those stages; the GC counters are cumulative for the
   * JVM, so their highest is the latest. The running tasks' accumulator updates it also carries are
   * skipped.
   */
  public void executorMetrics(org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate e) {
    long heap = -1;
    long managed = -1;
    long minorCount = 0;
    long minorMs = 0;
    long majorCount = 0;
    long majorMs = 0;
    long totalMs = 0;
    int n = e.executorUpdates().size();
    int[] stageIds = new int[n];
    int[] attempts = new int[n];
    int stages = 0;
    boolean driverOnly = n > 0;
    scala.collection.Iterator<? extends scala.Tuple2<?, org.apache.spark.executor.ExecutorMetrics>> it =
        e.executorUpdates().iterator();
    while (it.hasNext()) {
      scala.Tuple2<?, org.apache.spark.executor.ExecutorMetrics> entry = it.next();
      org.apache.spark.executor.ExecutorMetrics m = entry._2();
      heap = Math.max(heap, m.getMetricValue("JVMHeapMemory"));
      managed = Math.max(managed, m.getMetricValue("OnHeapUnifiedMemory"));
      minorCount = Math.max(minorCount, m.getMetricValue("MinorGCCount"));
      minorMs = Math.max(minorMs, m.getMetricValue("MinorGCTime"));
      majorCount = Math.max(majorCount, m.getMetricValue("MajorGCCount"));
      majorMs = Math.max(majorMs, m.getMetricValue("MajorGCTime"));
      totalMs = Math.max(totalMs, TOTAL_GC_TIME ? m.getMetricValue("TotalGCTime") : 0);
      scala.Tuple2<?, ?> key = (scala.Tuple2<?, ?>) entry._1();
      int stageId = ((Number) key._1()).intValue();
      if (stageId >= 0) { // the driver's own heartbeat reports under stage (-1, -1)
        driverOnly = false;
        stageIds[stages] = stageId;
        attempts[stages++] = ((Number) key._2()).intValue();
      }
    }
    if (heap > 0) {
      // The event carries no time: stamped here, where it arrives, so a backlog on the advisor's
      // thread cannot squeeze two heartbeats' GC into a short interval. Collectors Spark sorts into
      // neither young nor old (ZGC, Shenandoah) report only a total that counts concurrent work,
      // not pauses: such counters are left unknown.
      boolean unsorted = minorCount == 0 && majorCount == 0 && totalMs > 0;
      sink.accept(new AdvisorEvent.ExecutorMetrics(e.execId(), heap, System.currentTimeMillis(), managed,
          unsorted ? AdvisorEvent.Gc.NONE : new AdvisorEvent.Gc(minorCount, minorMs, majorCount, majorMs, totalMs),
          java.util.Arrays.copyOf(stageIds, stages), java.util.Arrays.copyOf(attempts, stages), driverOnly));
    }
  }

  /** Whether this Spark reports the JVM's total GC time among its executor metrics. */
  private static final boolean TOTAL_GC_TIME = reportsMetric("TotalGCTime");

  private static boolean reportsMetric(String name) {
    try {
      new org.apache.spark.executor.ExecutorMetrics().getMetricValue(name);
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  public void executorRemoved(SparkListenerExecutorRemoved e) {
    sink.accept(new AdvisorEvent.ExecutorRemoved(e.executorId(), e.reason(), e.time()));
  }

  public void jobStart(SparkListenerJobStart e) {
    Properties p = e.properties();
    sink.accept(new AdvisorEvent.JobStart(e.jobId(), e.time(), Scala.ints(e.stageIds()),
        executionId(p), property(p, STREAMING_QUERY_ID), property(p, JOB_GROUP),
        property(p, JOB_DESCRIPTION)));
  }

  public void jobEnd(SparkListenerJobEnd e) {
    sink.accept(new AdvisorEvent.JobEnd(e.jobId(), e.time(),
        e.jobResult() instanceof org.apache.spark.scheduler.JobSucceeded$));
  }

  public void stageSubmitted(SparkListenerStageSubmitted e) {
    StageInfo s = e.stageInfo();
    Properties p = e.properties();
    sink.accept(new AdvisorEvent.StageSubmitted(s.stageId(), s.attemptNumber(), s.name(), s.numTasks(),
        Scala.longOr(s.submissionTime(), -1), property(p, JOB_GROUP),
        property(p, JOB_DESCRIPTION), executionId(p), lineage(s.rddInfos())));
  }

  /**
   * The stage's lineage as an order-free hash of its RDDs' names (a file RDD is named by its
   * path), call sites and operator scope names; ids left out. A few string hashes per RDD, each
   * cached by its String. Read when the advisor's thread asks: names, call sites and scopes are
   * set when Spark builds the stage's RDD descriptions and never change.
   */
  static java.util.function.LongSupplier lineage(scala.collection.Iterable<org.apache.spark.storage.RDDInfo> rdds) {
    return () -> lineageHash(rdds);
  }

  private static long lineageHash(scala.collection.Iterable<org.apache.spark.storage.RDDInfo> rdds) {
    long h = 0;
    scala.collection.Iterator<org.apache.spark.storage.RDDInfo> it = rdds.iterator();
    while (it.hasNext()) {
      org.apache.spark.storage.RDDInfo r = it.next();
      long one = 31L * java.util.Objects.hashCode(r.name()) + java.util.Objects.hashCode(r.callSite());
      if (r.scope().isDefined()) {
        one = 31L * one + java.util.Objects.hashCode(r.scope().get().name());
      }
      h += io.sparkadvisor.model.Shapes.mix(one);
    }
    return h;
  }

  public void stageCompleted(SparkListenerStageCompleted e) {
    StageInfo s = e.stageInfo();
    // One pass over the metrics the stage updated (tens in a SQL stage, none in an RDD stage).
    long[][] sql = Scala.sqlMetrics(s.accumulables());
    sink.accept(new AdvisorEvent.StageCompleted(s.stageId(), s.attemptNumber(),
        Scala.longOr(s.completionTime(), -1), Scala.stringOr(s.failureReason(), null),
        sql[0], sql[1]));
  }

  public void taskStart(SparkListenerTaskStart e) {
    TaskInfo t = e.taskInfo();
    sink.accept(new AdvisorEvent.TaskStart(e.stageId(), e.stageAttemptId(), t.taskId(), t.index(),
        t.partitionId(), t.launchTime(), t.executorId(), t.host(), t.speculative()));
  }

  public void taskEnd(SparkListenerTaskEnd e) {
    TaskInfo t = e.taskInfo();
    TaskEndReason reason = e.reason();
    if (reason == Resubmitted$.MODULE$) {
      // An earlier success whose map output was lost with its executor, re-posted (null metrics,
      // the old attempt's times) so the DAGScheduler re-runs it: not a new task attempt. Spark's
      // AppStatusListener counts it as failed without touching the active tasks.
      sink.accept(new AdvisorEvent.TaskResubmitted(e.stageId(), e.stageAttemptId(), t.taskId(),
          t.index(), t.executorId(), Math.max(0, t.finishTime() - t.launchTime())));
      return;
    }
    // A duplicate whose commit the driver denied (a speculative copy or zombie attempt losing the
    // race) is killed, not failed, as AppStatusListener counts it.
    boolean killed = reason instanceof TaskKilled || reason instanceof TaskCommitDenied;
    FailureKind failure = null;
    String detail = "";
    String message = null;
    if (!killed && reason instanceof TaskFailedReason failed) {
      if (reason instanceof ExceptionFailure ef) {
        boolean oom = ef.className() != null && ef.className().endsWith("OutOfMemoryError");
        failure = oom ? FailureKind.OUT_OF_MEMORY : FailureKind.EXCEPTION;
        detail = oom ? "" : ef.className();
        message = ef.description();
      } else if (reason instanceof FetchFailed ff) {
        failure = FailureKind.FETCH_FAILED;
        message = ff.message();
      } else if (reason instanceof ExecutorLostFailure lost) {
        // exitCausedByApp=false: preemption, decommissioning, a killed or lost node. Spark does
        // not count these towards spark.task.maxFailures, and neither are they the tasks' fault.
        failure = lost.exitCausedByApp() ? FailureKind.EXECUTOR_LOST : FailureKind.EXECUTOR_RELEASED;
        message = failed.toErrorString();
      } else if (reason == TaskResultLost$.MODULE$) {
        failure = FailureKind.RESULT_LOST;
      } else {
        failure = FailureKind.OTHER;
        message = failed.toErrorString();
      }
    }
    TaskMetrics m = e.taskMetrics();
    boolean has = m != null;
    sink.accept(new AdvisorEvent.TaskEnd(
        e.stageId(), e.stageAttemptId(), t.taskId(), t.index(), t.partitionId(),
        t.executorId(), t.host(), t.speculative(), "ResultTask".equals(e.taskType()),
        t.launchTime(), t.finishTime() > 0 ? t.finishTime() : t.launchTime(),
        t.gettingResultTime(), killed, failure, detail, message,
        has ? m.executorRunTime() : 0,
        has ? m.executorCpuTime() : 0,
        has ? m.executorDeserializeTime() : 0,
        has ? m.jvmGCTime() : 0,
        has ? m.resultSize() : 0,
        has ? m.memoryBytesSpilled() : 0,
        has ? m.diskBytesSpilled() : 0,
        has ? m.inputMetrics().bytesRead() : 0,
        has ? m.inputMetrics().recordsRead() : 0,
        has ? m.outputMetrics().bytesWritten() : 0,
        has ? m.outputMetrics().recordsWritten() : 0,
        has ? m.shuffleReadMetrics().totalBytesRead() : 0,
        has ? m.shuffleReadMetrics().recordsRead() : 0,
        has ? m.shuffleReadMetrics().fetchWaitTime() : 0,
        has ? m.shuffleWriteMetrics().bytesWritten() : 0,
        has ? m.shuffleWriteMetrics().recordsWritten() : 0));
  }

  /**
   * SQL and other events that arrive through onOtherEvent. SQL event classes are touched only
   * when Spark SQL is on the classpath, so a core-only application loads none of them.
   */
  public void other(SparkListenerEvent e) {
    if (sqlAvailable && !StreamEvents.capture(e, sink)) {
      SqlEvents.capture(e, sink);
    }
  }

  /** A QueryExecution from the query execution listener: its estimates, for whichever query it ran. */
  public void queryExecuted(org.apache.spark.sql.execution.QueryExecution qe) {
    if (sqlAvailable && qe != null) {
      sink.accept(new AdvisorEvent.SqlEstimates(SqlEvents.estimates(qe)));
    }
  }

  private static String property(Properties p, String key) {
    return p == null ? null : p.getProperty(key);
  }

  private static long executionId(Properties p) {
    String id = property(p, SQL_EXECUTION_ID);
    if (id == null) {
      return -1;
    }
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
