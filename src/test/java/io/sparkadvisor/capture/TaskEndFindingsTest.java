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

import io.sparkadvisor.SparkAdvisorListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.ReplayListenerBus;
import org.apache.spark.scheduler.ReplayListenerBus$;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The findings a real listener gives for event streams from busy clusters, replayed by Spark's
 * ReplayListenerBus: speculation whose losers are denied their commit, an executor preempted or
 * released by the driver, output resubmitted after a loss. None of it is the job's failure.
 */
class TaskEndFindingsTest {
  @TempDir
  Path dir;

  private List<String> findings(List<String> events) throws IOException {
    Path file = dir.resolve("findings.jsonl");
    SparkAdvisorListener listener = new SparkAdvisorListener(new SparkConf(false)
        .set("spark.app.name", "replayed").set("spark.advisor.findings.path", file.toString()));
    List<String> all = new ArrayList<>();
    all.add("{\"Event\":\"SparkListenerApplicationStart\",\"App Name\":\"replayed\",\"App ID\":\"app-1\","
        + "\"Timestamp\":1000,\"User\":\"u\"}");
    all.addAll(events);
    all.add("{\"Event\":\"SparkListenerApplicationEnd\",\"Timestamp\":100000}");
    ReplayListenerBus bus = new ReplayListenerBus();
    bus.addListener(listener);
    bus.replay(new ByteArrayInputStream(String.join("\n", all).getBytes(StandardCharsets.UTF_8)), "events",
        false, ReplayListenerBus$.MODULE$.SELECT_ALL_FILTER());
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static List<String> stageWithTasks(int stage, String executor) {
    List<String> events = new ArrayList<>();
    events.add(stageSubmitted(stage, 0, "save at Job.java:10", 8, "MapPartitionsRDD"));
    for (int i = 0; i < 8; i++) {
      events.add(taskStart(stage, 0, stage * 100 + i, i, executor, false));
      events.add(taskEnd(stage, 0, stage * 100 + i, i, executor, false, 2_000, 3_000, SUCCESS, true));
    }
    return events;
  }

  @Test
  void speculationWithDeniedCommitsAndReleasedExecutorsIsQuiet() throws IOException {
    List<String> events = new ArrayList<>();
    events.add(executorAdded("1", 1_000));
    events.add(executorAdded("2", 1_000));
    events.addAll(stageWithTasks(0, "1"));
    // Two speculative copies lost the commit race.
    for (int i = 0; i < 2; i++) {
      events.add(taskStart(0, 0, 50 + i, i, "2", true));
      events.add(taskEnd(0, 0, 50 + i, i, "2", true, 2_500, 3_200, commitDenied(0, i, 1), true));
    }
    events.add(stageCompleted(0, 0, "save at Job.java:10", 8, null));
    // Executor 2 is preempted while running a task of the next stage; executor 1 is released by
    // the driver, and its finished output of stage 0 is resubmitted.
    events.add(stageSubmitted(1, 0, "save at Job.java:12", 2, "ShuffledRDD"));
    events.add(taskStart(1, 0, 60, 0, "2", false));
    events.add(executorRemoved("2", 20_000, "Container container_1_0002 on host-2 was preempted."));
    events.add(taskEnd(1, 0, 60, 0, "2", false, 10_000, 20_000,
        executorLost("2", false, "Container container_1_0002 on host-2 was preempted."), false));
    events.add(executorRemoved("1", 21_000,
        "Container container_1_0001 on host host-1 exited from explicit termination request."));
    events.add(taskEnd(0, 0, 3, 3, "1", false, 2_000, 3_000, RESUBMITTED, false));
    events.add(executorAdded("3", 22_000));
    events.add(taskStart(1, 0, 61, 0, "3", false));
    events.add(taskEnd(1, 0, 61, 0, "3", false, 23_000, 24_000, SUCCESS, true));
    events.add(taskStart(1, 0, 62, 1, "3", false));
    events.add(taskEnd(1, 0, 62, 1, "3", false, 23_000, 24_000, SUCCESS, true));
    events.add(stageCompleted(1, 0, "save at Job.java:12", 2, null));

    List<String> found = findings(events);
    assertThat(found).noneMatch(f -> f.contains("\"TaskFailures\""));
    assertThat(found).as("released by the driver").noneMatch(f -> f.contains("\"executorId\":\"1\""));
    // The preempted executor may be reported as lost, but not as a memory kill.
    assertThat(found).noneMatch(f -> f.contains("memoryOverhead"));
  }

  @Test
  void anExecutorLostUnderItsTasksIsStillAFailure() throws IOException {
    List<String> events = new ArrayList<>();
    events.add(executorAdded("1", 1_000));
    events.addAll(stageWithTasks(0, "1").subList(0, 15));
    events.add(executorRemoved("1", 9_000, "Command exited with code 137"));
    events.add(taskEnd(0, 0, 7, 7, "1", false, 2_000, 9_000,
        executorLost("1", true, "Command exited with code 137"), false));
    events.add(executorAdded("2", 10_000));
    events.add(taskStart(0, 0, 8, 7, "2", false));
    events.add(taskEnd(0, 0, 8, 7, "2", false, 10_000, 11_000, SUCCESS, true));
    events.add(stageCompleted(0, 0, "save at Job.java:10", 8, null));

    List<String> found = findings(events);
    assertThat(found).anyMatch(f -> f.contains("\"TaskFailures\"") && f.contains("1 task attempt failed (1 x executor lost)"));
    assertThat(found).anyMatch(f -> f.contains("\"ExecutorLost\"") && f.contains("memoryOverhead"));
  }
}
