package io.sparkadvisor.capture;

import static io.sparkadvisor.capture.SparkEvents.RESUBMITTED;
import static io.sparkadvisor.capture.SparkEvents.SUCCESS;
import static io.sparkadvisor.capture.SparkEvents.commitDenied;
import static io.sparkadvisor.capture.SparkEvents.executorAdded;
import static io.sparkadvisor.capture.SparkEvents.executorLost;
import static io.sparkadvisor.capture.SparkEvents.executorRemoved;
import static io.sparkadvisor.capture.SparkEvents.stageCompleted;
import static io.sparkadvisor.capture.SparkEvents.stageSubmitted;
import static io.sparkadvisor.capture.SparkEvents.taskEnd;
import static io.sparkadvisor.capture.SparkEvents.taskStart;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.ExecutorStats;
import io.sparkadvisor.model.StageStats;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.junit.jupiter.api.Test;

/**
 * Task ends as Spark's AppStatusListener counts them, on real event objects parsed by Spark's
 * JsonProtocol: a denied commit is a killed duplicate, a Resubmitted end is not a new task, an
 * executor lost for reasons outside the tasks does not count against the job, and a late task
 * end lands on its own stage attempt.
 */
class TaskEndSemanticsTest {
  private final AppState app = new AppState(100, 100);
  private final EventCapture capture = new EventCapture(this::apply);

  private void apply(AdvisorEvent e) {
    if (e instanceof AdvisorEvent.StageSubmitted s) {
      app.stageSubmitted(s);
    } else if (e instanceof AdvisorEvent.StageCompleted c) {
      app.stageCompleted(c);
    } else if (e instanceof AdvisorEvent.TaskStart t) {
      app.taskStarted(t);
    } else if (e instanceof AdvisorEvent.TaskEnd t) {
      app.taskEnded(t);
    } else if (e instanceof AdvisorEvent.TaskResubmitted r) {
      app.taskResubmitted(r);
    } else if (e instanceof AdvisorEvent.ExecutorAdded a) {
      app.executorAdded(a);
    } else if (e instanceof AdvisorEvent.ExecutorRemoved r) {
      app.executorRemoved(r);
    }
  }

  private void post(String... json) {
    for (String line : json) {
      SparkListenerEvent e = SparkEvents.parse(line);
      if (e instanceof SparkListenerStageSubmitted s) {
        capture.stageSubmitted(s);
      } else if (e instanceof SparkListenerStageCompleted c) {
        capture.stageCompleted(c);
      } else if (e instanceof SparkListenerTaskStart t) {
        capture.taskStart(t);
      } else if (e instanceof SparkListenerTaskEnd t) {
        capture.taskEnd(t);
      } else if (e instanceof SparkListenerExecutorAdded a) {
        capture.executorAdded(a);
      } else if (e instanceof SparkListenerExecutorRemoved r) {
        capture.executorRemoved(r);
      } else {
        throw new AssertionError("not routed: " + e);
      }
    }
  }

  private StageStats stage(int id, int attempt) {
    return app.completedStages().stream().filter(s -> s.stageId() == id && s.attempt() == attempt)
        .findFirst().orElseGet(() -> app.activeStages().stream()
            .filter(s -> s.stageId() == id && s.attempt() == attempt).findFirst().orElseThrow());
  }

  /** Four tasks on executor 1, each 1 s; the stage completes. */
  private void fourTasks(int stageId) {
    post(stageSubmitted(stageId, 0, "save at Job.java:10", 4, "MapPartitionsRDD"));
    for (int i = 0; i < 4; i++) {
      post(taskStart(stageId, 0, i, i, "1", false),
          taskEnd(stageId, 0, i, i, "1", false, 2_000, 3_000, SUCCESS, true));
    }
  }

  @Test
  void aDeniedCommitIsAKilledDuplicateNotAFailure() {
    fourTasks(0);
    // The speculative copy of partition 3 finished second and the driver denied its commit.
    post(taskStart(0, 0, 4, 3, "2", true),
        taskEnd(0, 0, 4, 3, "2", true, 2_500, 3_100, commitDenied(0, 3, 1), true),
        stageCompleted(0, 0, "save at Job.java:10", 4, null));

    StageStats s = stage(0, 0);
    assertThat(s.succeededTasks()).isEqualTo(4);
    assertThat(s.killedTasks()).isEqualTo(1);
    assertThat(s.failedTasks()).isZero();
    assertThat(s.failureGroups()).isEmpty();
    assertThat(app.totals().tasksFailed()).isZero();
    assertThat(app.totals().tasksKilled()).isEqualTo(1);
  }

  @Test
  void aResubmittedTaskIsNotANewCompletedTask() {
    post(executorAdded("1", 1_000));
    fourTasks(0);
    post(stageCompleted(0, 0, "save at Job.java:10", 4, null));
    long durationBefore = stage(0, 0).sumDurationMs();

    // Executor 1 is lost after the stage completed: Spark re-posts partition 2's old success as
    // Resubmitted, with its old times and no metrics, and runs it again in a new stage attempt.
    post(executorRemoved("1", 60_000, "Command exited with code 137"),
        taskEnd(0, 0, 2, 2, "1", false, 2_000, 3_000, RESUBMITTED, false));

    StageStats s = stage(0, 0);
    assertThat(s.succeededTasks()).as("succeeded never exceeds the task count").isEqualTo(4);
    assertThat(s.failedTasks()).isZero();
    assertThat(s.resubmittedTasks()).isEqualTo(1);
    assertThat(s.sumDurationMs()).as("its time is not added twice").isEqualTo(durationBefore);
    assertThat(app.totals().tasksSucceeded()).isEqualTo(4);
    assertThat(app.totals().tasksResubmitted()).isEqualTo(1);
    ExecutorStats lost = app.executors().removedList().iterator().next();
    assertThat(lost.lostOutputs()).isEqualTo(1);
    assertThat(lost.lostTaskMs()).isEqualTo(1_000);
  }

  @Test
  void anExecutorLostForReasonsOutsideTheTasksDoesNotCountAgainstTheJob() {
    post(stageSubmitted(0, 0, "count at Job.java:20", 3, "MapPartitionsRDD"),
        taskStart(0, 0, 0, 0, "1", false),
        taskEnd(0, 0, 0, 0, "1", false, 2_000, 5_000,
            executorLost("1", false, "Container preempted by the scheduler"), false),
        taskStart(0, 0, 1, 1, "2", false),
        taskEnd(0, 0, 1, 1, "2", false, 2_000, 5_000,
            executorLost("2", true, "Container killed by YARN for exceeding physical memory limits"), false));

    StageStats s = stage(0, 0);
    assertThat(s.failedTasks()).as("both failed, as Spark's UI counts them").isEqualTo(2);
    assertThat(s.failedByJobTasks()).as("only the one Spark blames on the tasks").isEqualTo(1);
    assertThat(s.failedByJobTimeMs()).isEqualTo(3_000);
  }

  @Test
  void aLateTaskEndLandsOnItsOwnStageAttempt() {
    post(stageSubmitted(1, 0, "reduce at Job.java:30", 2, "ShuffledRDD"),
        taskStart(1, 0, 10, 0, "1", false),
        taskStart(1, 0, 11, 1, "1", false),
        taskEnd(1, 0, 11, 1, "1", false, 2_000, 2_500,
            "{\"Reason\":\"FetchFailed\",\"Block Manager Address\":{\"Executor ID\":\"3\",\"Host\":\"h\","
                + "\"Port\":7337},\"Shuffle ID\":0,\"Map ID\":0,\"Map Index\":0,\"Reduce ID\":1,"
                + "\"Message\":\"lost\"}", true),
        stageCompleted(1, 0, "reduce at Job.java:30", 2, "fetch failure"),
        stageSubmitted(1, 1, "reduce at Job.java:30", 2, "ShuffledRDD"),
        taskStart(1, 1, 12, 0, "2", false),
        taskStart(1, 1, 13, 1, "2", false),
        taskEnd(1, 1, 12, 0, "2", false, 4_000, 4_400, SUCCESS, true),
        taskEnd(1, 1, 13, 1, "2", false, 4_000, 4_500, SUCCESS, true),
        // The zombie attempt's task finishes after its attempt failed and the retry ran.
        taskEnd(1, 0, 10, 0, "1", false, 2_000, 5_000, SUCCESS, true),
        stageCompleted(1, 1, "reduce at Job.java:30", 2, null));

    StageStats first = stage(1, 0);
    StageStats retry = stage(1, 1);
    assertThat(first.succeededTasks()).isEqualTo(1);
    assertThat(first.failedTasks()).isEqualTo(1);
    assertThat(retry.succeededTasks()).isEqualTo(2);
    assertThat(retry.failedTasks()).isZero();
    assertThat(retry.longestTask().value()).as("the zombie's 3 s are not the retry's").isEqualTo(500);
  }
}
