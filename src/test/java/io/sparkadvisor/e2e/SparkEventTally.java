package io.sparkadvisor.e2e;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import org.apache.spark.Success$;
import org.apache.spark.TaskKilled;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;

/**
 * The oracle for the meter tests: Spark's own events, tallied by a plain listener of the test's
 * own on the same bus. The advisor's meters must agree with it.
 */
final class SparkEventTally extends SparkListener {
  final AtomicLong tasksSucceeded = new AtomicLong();
  final AtomicLong tasksFailed = new AtomicLong();
  final AtomicLong tasksKilled = new AtomicLong();
  final DoubleAdder taskSeconds = new DoubleAdder();
  final AtomicLong gcMs = new AtomicLong();
  final AtomicLong runMs = new AtomicLong();
  final AtomicLong memorySpill = new AtomicLong();
  final AtomicLong diskSpill = new AtomicLong();
  final AtomicLong shuffleRead = new AtomicLong();
  final AtomicLong shuffleWrite = new AtomicLong();
  final AtomicLong inputBytes = new AtomicLong();
  final AtomicLong outputBytes = new AtomicLong();
  final AtomicLong stagesSucceeded = new AtomicLong();
  final AtomicLong stagesFailed = new AtomicLong();
  final AtomicLong queriesSucceeded = new AtomicLong();
  final AtomicLong queriesFailed = new AtomicLong();

  static SparkEventTally attach(SparkSession spark) {
    SparkEventTally tally = new SparkEventTally();
    spark.sparkContext().addSparkListener(tally);
    return tally;
  }

  /** Waits until every event posted so far reached every listener, the advisor's included. */
  static void drain(SparkSession spark) throws Exception {
    spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    if (e.reason() == Success$.MODULE$) {
      tasksSucceeded.incrementAndGet();
    } else if (e.reason() instanceof TaskKilled) {
      tasksKilled.incrementAndGet();
    } else {
      tasksFailed.incrementAndGet();
    }
    taskSeconds.add(Math.max(0, e.taskInfo().finishTime() - e.taskInfo().launchTime()) / 1e3);
    TaskMetrics m = e.taskMetrics();
    if (m != null) {
      gcMs.addAndGet(m.jvmGCTime());
      runMs.addAndGet(m.executorRunTime());
      memorySpill.addAndGet(m.memoryBytesSpilled());
      diskSpill.addAndGet(m.diskBytesSpilled());
      shuffleRead.addAndGet(m.shuffleReadMetrics().totalBytesRead());
      shuffleWrite.addAndGet(m.shuffleWriteMetrics().bytesWritten());
      inputBytes.addAndGet(m.inputMetrics().bytesRead());
      outputBytes.addAndGet(m.outputMetrics().bytesWritten());
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted e) {
    if (e.stageInfo().failureReason().isDefined()) {
      stagesFailed.incrementAndGet();
    } else {
      stagesSucceeded.incrementAndGet();
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent e) {
    if (e instanceof SparkListenerSQLExecutionEnd end) {
      if (end.errorMessage().isDefined() && !end.errorMessage().get().isEmpty()) {
        queriesFailed.incrementAndGet();
      } else {
        queriesSucceeded.incrementAndGet();
      }
    }
  }
}
