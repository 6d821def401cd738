package io.sparkadvisor.capture;

import org.apache.spark.scheduler.SparkListenerEvent;

/**
 * Real Spark listener events, parsed from the JSON lines an event log holds by Spark's own
 * {@code JsonProtocol}: the objects Spark posts, built the way the History Server builds them.
 */
final class SparkEvents {
  private SparkEvents() {}

  static SparkListenerEvent parse(String json) {
    return org.apache.spark.util.JsonProtocol$.MODULE$.sparkEventFromJson(json);
  }

  static String stageSubmitted(int stage, int attempt, String name, int tasks, String rddName) {
    return "{\"Event\":\"SparkListenerStageSubmitted\",\"Stage Info\":{\"Stage ID\":" + stage
        + ",\"Stage Attempt ID\":" + attempt + ",\"Stage Name\":\"" + name + "\",\"Number of Tasks\":" + tasks
        + ",\"RDD Info\":[{\"RDD ID\":" + (stage * 10 + attempt) + ",\"Name\":\"" + rddName
        + "\",\"Callsite\":\"" + name + "\",\"Parent IDs\":[],\"Storage Level\":{\"Use Disk\":false,"
        + "\"Use Memory\":false,\"Deserialized\":false,\"Replication\":1},\"Number of Partitions\":" + tasks
        + ",\"Number of Cached Partitions\":0,\"Memory Size\":0,\"Disk Size\":0}],\"Parent IDs\":[],"
        + "\"Details\":\"\",\"Submission Time\":1000,\"Accumulables\":[]},\"Properties\":{}}";
  }

  static String stageCompleted(int stage, int attempt, String name, int tasks, String failure) {
    return "{\"Event\":\"SparkListenerStageCompleted\",\"Stage Info\":{\"Stage ID\":" + stage
        + ",\"Stage Attempt ID\":" + attempt + ",\"Stage Name\":\"" + name + "\",\"Number of Tasks\":" + tasks
        + ",\"RDD Info\":[],\"Parent IDs\":[],\"Details\":\"\",\"Submission Time\":1000,"
        + "\"Completion Time\":90000," + (failure == null ? "" : "\"Failure Reason\":\"" + failure + "\",")
        + "\"Accumulables\":[]}}";
  }

  static String taskStart(int stage, int attempt, long taskId, int index, String executor, boolean speculative) {
    return "{\"Event\":\"SparkListenerTaskStart\",\"Stage ID\":" + stage + ",\"Stage Attempt ID\":" + attempt
        + ",\"Task Info\":" + taskInfo(taskId, index, executor, speculative, 2000, 0) + "}";
  }

  /** A task end; {@code reason} is the JSON of its end reason; {@code metrics} false for none. */
  static String taskEnd(int stage, int attempt, long taskId, int index, String executor, boolean speculative,
      long launch, long finish, String reason, boolean metrics) {
    return "{\"Event\":\"SparkListenerTaskEnd\",\"Stage ID\":" + stage + ",\"Stage Attempt ID\":" + attempt
        + ",\"Task Type\":\"ShuffleMapTask\",\"Task End Reason\":" + reason
        + ",\"Task Info\":" + taskInfo(taskId, index, executor, speculative, launch, finish)
        + (metrics ? ",\"Task Metrics\":{\"Executor Deserialize Time\":1,\"Executor Deserialize CPU Time\":1,"
            + "\"Executor Run Time\":" + (finish - launch) + ",\"Executor CPU Time\":1,\"Peak Execution Memory\":0,"
            + "\"Result Size\":100,\"JVM GC Time\":0,\"Result Serialization Time\":0,\"Memory Bytes Spilled\":0,"
            + "\"Disk Bytes Spilled\":0,\"Shuffle Read Metrics\":{\"Remote Blocks Fetched\":0,"
            + "\"Local Blocks Fetched\":0,\"Fetch Wait Time\":0,\"Remote Bytes Read\":0,"
            + "\"Remote Bytes Read To Disk\":0,\"Local Bytes Read\":0,\"Total Records Read\":0},"
            + "\"Shuffle Write Metrics\":{\"Shuffle Bytes Written\":10,\"Shuffle Write Time\":1,"
            + "\"Shuffle Records Written\":1},\"Input Metrics\":{\"Bytes Read\":0,\"Records Read\":0},"
            + "\"Output Metrics\":{\"Bytes Written\":0,\"Records Written\":0},\"Updated Blocks\":[]}"
            : "")
        + "}";
  }

  private static String taskInfo(long taskId, int index, String executor, boolean speculative, long launch,
      long finish) {
    return "{\"Task ID\":" + taskId + ",\"Index\":" + index + ",\"Attempt\":0,\"Partition ID\":" + index
        + ",\"Launch Time\":" + launch + ",\"Executor ID\":\"" + executor + "\",\"Host\":\"host-" + executor
        + "\",\"Locality\":\"PROCESS_LOCAL\",\"Speculative\":" + speculative + ",\"Getting Result Time\":0,"
        + "\"Finish Time\":" + finish + ",\"Failed\":false,\"Killed\":false,\"Accumulables\":[]}";
  }

  static final String SUCCESS = "{\"Reason\":\"Success\"}";
  static final String RESUBMITTED = "{\"Reason\":\"Resubmitted\"}";

  static String commitDenied(int job, int partition, int attemptNumber) {
    return "{\"Reason\":\"TaskCommitDenied\",\"Job ID\":" + job + ",\"Partition ID\":" + partition
        + ",\"Attempt Number\":" + attemptNumber + "}";
  }

  static String executorLost(String executor, boolean causedByApp, String why) {
    return "{\"Reason\":\"ExecutorLostFailure\",\"Executor ID\":\"" + executor + "\",\"Exit Caused By App\":"
        + causedByApp + ",\"Loss Reason\":\"" + why + "\"}";
  }

  static String executorAdded(String executor, long time) {
    return "{\"Event\":\"SparkListenerExecutorAdded\",\"Timestamp\":" + time + ",\"Executor ID\":\"" + executor
        + "\",\"Executor Info\":{\"Host\":\"host-" + executor + "\",\"Total Cores\":4,\"Log Urls\":{}}}";
  }

  static String executorRemoved(String executor, long time, String reason) {
    return "{\"Event\":\"SparkListenerExecutorRemoved\",\"Timestamp\":" + time + ",\"Executor ID\":\""
        + executor + "\",\"Removed Reason\":\"" + reason + "\"}";
  }
}
