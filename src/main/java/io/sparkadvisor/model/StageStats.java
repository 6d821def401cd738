package io.sparkadvisor.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One stage attempt: counters, two quantile sketches (task duration, shuffle read) and the task
 * that holds each maximum. Memory grows with the number of stages, never with tasks: running tasks
 * are held only while they run, and failures are grouped into at most {@link #MAX_FAILURE_GROUPS}.
 */
public final class StageStats {
  static final int MAX_FAILURE_GROUPS = 8;

  private final int stageId;
  private final int attempt;
  private String name = "";
  private int numTasks;
  private long submissionTime;
  private long completionTime;
  private String failureReason;
  private String jobGroup;
  private String description;
  private long executionId = -1;
  private long lineage;
  private String queryShape = "";
  private boolean completed;
  private boolean completionSeen;
  private long[] sqlMetricIds = new long[0];

  private int succeeded;
  private int failed;
  private int killed;
  private int failedByJob;
  private int resubmitted;
  private long sumDurationMs;
  private long sumRunTimeMs;
  private long sumCpuTimeNs;
  private long sumGcMs;
  private long sumDeserializeMs;
  private long memorySpillBytes;
  private long diskSpillBytes;
  private long inputBytes;
  private long inputRecords;
  private long outputBytes;
  private long outputRecords;
  private long shuffleReadBytes;
  private long shuffleReadRecords;
  private long shuffleWriteBytes;
  private long shuffleWriteRecords;
  private long resultBytes;
  private long resultFetchMs;
  private boolean resultStage;
  private long failedTimeMs;
  private long failedByJobTimeMs;

  private final QuantileSketch durations = new QuantileSketch();
  private final QuantileSketch shuffleReads = new QuantileSketch();
  private TaskRef longestTask;
  private TaskRef largestShuffleRead;

  // From executor heartbeats and task run times (GcPressure, TaskSkew); kept apart from the
  // task-end counters above.
  private long executorGcMs;
  private long executorWallMs;
  private final QuantileSketch runTimes = new QuantileSketch();
  private TaskRef longestRun;

  private final Map<Long, RunningTask> running = new HashMap<>();
  private final Map<String, FailureGroup> failures = new LinkedHashMap<>();

  /** The task holding a maximum: its value and where it ran. */
  public record TaskRef(long value, int index, int partition, String executorId, String host,
      long shuffleReadBytes) {}

  StageStats(int stageId, int attempt) {
    this.stageId = stageId;
    this.attempt = attempt;
  }

  void submitted(AdvisorEvent.StageSubmitted e) {
    name = e.name() == null ? "" : e.name();
    numTasks = e.numTasks();
    submissionTime = e.submissionTime();
    jobGroup = e.jobGroup();
    description = e.description();
    executionId = e.executionId();
    lineage = e.lineage().getAsLong();
  }

  /** The shape of the SQL query the stage runs for. */
  void queryShape(String shape) {
    queryShape = shape == null ? "" : shape;
  }

  /**
   * The stage's shape: its lineage, and for a SQL stage its query's plan shape. Stages launched
   * from one call site with other lineages or plans are other places.
   */
  public String shape() {
    String own = lineage == 0 ? "" : Long.toHexString(lineage);
    return queryShape.isEmpty() ? own : own + "/" + queryShape;
  }

  void completed(AdvisorEvent.StageCompleted e) {
    completed = true;
    completionSeen = true;
    completionTime = e.completionTime();
    failureReason = e.failureReason();
    sqlMetricIds = e.sqlMetricIds().clone();
    java.util.Arrays.sort(sqlMetricIds);
    running.clear();
  }

  /**
   * Closed without its completion event, which was lost: at the end of its job, or evicted when
   * too many stages were open. Its counters may be partial, so the stage rules never judge it.
   */
  void closedUnseen(long time) {
    completed = true;
    completionTime = Math.max(time, submissionTime);
    running.clear();
  }

  void taskStarted(AdvisorEvent.TaskStart e) {
    if (!completed) {
      running.put(e.taskId(), new RunningTask(e.taskId(), e.index(), e.partition(), e.launchTime(),
          e.executorId(), e.host(), e.speculative()));
    }
  }

  void taskEnded(AdvisorEvent.TaskEnd e) {
    running.remove(e.taskId());
    long duration = e.durationMs();
    if (e.killed()) {
      killed++;
      return;
    }
    if (!e.succeeded()) {
      failed++;
      failedTimeMs += duration;
      if (e.failure().causedByJob()) {
        failedByJob++;
        failedByJobTimeMs += duration;
      }
      String key = e.failure() + "|" + e.failureDetail();
      FailureGroup group = failures.get(key);
      if (group == null) {
        if (failures.size() >= MAX_FAILURE_GROUPS) {
          key = FailureKind.OTHER + "|";
          group = failures.computeIfAbsent(key, k -> new FailureGroup(FailureKind.OTHER, "", ""));
        } else {
          group = new FailureGroup(e.failure(), e.failureDetail(), e.failureMessage());
          failures.put(key, group);
        }
      }
      group.add(duration);
    } else {
      succeeded++;
      runTimeSeen(e);
      durations.add(duration);
      shuffleReads.add(e.shuffleReadBytes());
      if (longestTask == null || duration > longestTask.value()) {
        longestTask = new TaskRef(duration, e.index(), e.partition(), e.executorId(), e.host(),
            e.shuffleReadBytes());
      }
      if (largestShuffleRead == null || e.shuffleReadBytes() > largestShuffleRead.value()) {
        largestShuffleRead =
            new TaskRef(e.shuffleReadBytes(), e.index(), e.partition(), e.executorId(), e.host(),
                e.shuffleReadBytes());
      }
    }
    // Work done by failed attempts counts too: their spill, GC and I/O happened.
    sumDurationMs += duration;
    sumRunTimeMs += e.runTimeMs();
    sumCpuTimeNs += e.cpuTimeNs();
    sumGcMs += e.gcMs();
    sumDeserializeMs += e.deserializeMs();
    memorySpillBytes += e.memorySpillBytes();
    diskSpillBytes += e.diskSpillBytes();
    inputBytes += e.inputBytes();
    inputRecords += e.inputRecords();
    outputBytes += e.outputBytes();
    outputRecords += e.outputRecords();
    shuffleReadBytes += e.shuffleReadBytes();
    shuffleReadRecords += e.shuffleReadRecords();
    shuffleWriteBytes += e.shuffleWriteBytes();
    shuffleWriteRecords += e.shuffleWriteRecords();
    if (e.resultTask()) {
      resultStage = true;
      if (e.succeeded()) {
        resultBytes += e.resultBytes();
        if (e.gettingResultTime() > 0 && e.finishTime() > e.gettingResultTime()) {
          resultFetchMs += e.finishTime() - e.gettingResultTime();
        }
      }
    }
  }

  /** A finished attempt whose output was lost with its executor, to be run again. */
  void resubmitted() {
    resubmitted++;
  }

  /** A successful task's own run time: executor run time, shuffle fetch waits included. */
  private void runTimeSeen(AdvisorEvent.TaskEnd e) {
    long run = e.runTimeMs();
    runTimes.add(run);
    if (longestRun == null || run > longestRun.value()) {
      longestRun = new TaskRef(run, e.index(), e.partition(), e.executorId(), e.host(), e.shuffleReadBytes());
    }
  }

  /** An executor running this stage's tasks spent {@code gcMs} of {@code wallMs} in GC pauses. */
  void executorGc(long gcMs, long wallMs) {
    if (!completed) {
      executorGcMs += gcMs;
      executorWallMs += wallMs;
    }
  }

  public int stageId() {
    return stageId;
  }

  public int attempt() {
    return attempt;
  }

  /** The call site Spark names the stage by, e.g. {@code count at Report.java:42}. */
  public String name() {
    return name;
  }

  public int numTasks() {
    return numTasks;
  }

  public long submissionTime() {
    return submissionTime;
  }

  public long completionTime() {
    return completionTime;
  }

  /** Wall time from submission to completion, 0 while running. */
  public long wallTimeMs() {
    return completed && submissionTime > 0 ? Math.max(0, completionTime - submissionTime) : 0;
  }

  public boolean isCompleted() {
    return completed;
  }

  /** False for a stage closed by the advisor because its completion event was lost. */
  public boolean completionSeen() {
    return completionSeen;
  }

  public boolean isFailed() {
    return failureReason != null;
  }

  public String failureReason() {
    return failureReason;
  }

  public String jobGroup() {
    return jobGroup;
  }

  public String description() {
    return description;
  }

  /**
   * True when the operator's metrics were updated by this stage's tasks: the operator ran here.
   * Known once the stage completed.
   */
  public boolean ran(PlanNode operator) {
    for (long id : operator.metrics().values()) {
      if (java.util.Arrays.binarySearch(sqlMetricIds, id) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** True when this stage's tasks updated the operator's metric called {@code metricName}. */
  public boolean updated(PlanNode operator, String metricName) {
    long id = operator.metricId(metricName);
    return id >= 0 && java.util.Arrays.binarySearch(sqlMetricIds, id) >= 0;
  }

  public long executionId() {
    return executionId;
  }

  public int succeededTasks() {
    return succeeded;
  }

  public int failedTasks() {
    return failed;
  }

  public int killedTasks() {
    return killed;
  }

  /**
   * Failed attempts that count against the job, as Spark's {@code countTowardsTaskFailures} has
   * it but for fetch failures: not those whose executor went for reasons outside the tasks.
   */
  public int failedByJobTasks() {
    return failedByJob;
  }

  /** Task time of the attempts counted by {@link #failedByJobTasks()}. */
  public long failedByJobTimeMs() {
    return failedByJobTimeMs;
  }

  /** Earlier successes Spark re-posted as "Resubmitted" because their output was lost. */
  public int resubmittedTasks() {
    return resubmitted;
  }

  public long sumDurationMs() {
    return sumDurationMs;
  }

  public long sumRunTimeMs() {
    return sumRunTimeMs;
  }

  public long sumCpuTimeNs() {
    return sumCpuTimeNs;
  }

  public long sumGcMs() {
    return sumGcMs;
  }

  public long sumDeserializeMs() {
    return sumDeserializeMs;
  }

  public long memorySpillBytes() {
    return memorySpillBytes;
  }

  public long diskSpillBytes() {
    return diskSpillBytes;
  }

  public long inputBytes() {
    return inputBytes;
  }

  public long inputRecords() {
    return inputRecords;
  }

  public long outputBytes() {
    return outputBytes;
  }

  public long outputRecords() {
    return outputRecords;
  }

  public long shuffleReadBytes() {
    return shuffleReadBytes;
  }

  public long shuffleReadRecords() {
    return shuffleReadRecords;
  }

  public long shuffleWriteBytes() {
    return shuffleWriteBytes;
  }

  public long shuffleWriteRecords() {
    return shuffleWriteRecords;
  }

  /** True when the stage ran result tasks: its output went to the driver or a writer. */
  public boolean isResultStage() {
    return resultStage;
  }

  /** Serialized size of the successful result tasks' results, sent to the driver. */
  public long resultBytes() {
    return resultBytes;
  }

  /** Time the driver spent fetching large task results. */
  public long resultFetchMs() {
    return resultFetchMs;
  }

  public long failedTimeMs() {
    return failedTimeMs;
  }

  /** Durations of successful tasks, in milliseconds. */
  public QuantileSketch durations() {
    return durations;
  }

  /** Shuffle bytes read by each successful task. */
  public QuantileSketch shuffleReads() {
    return shuffleReads;
  }

  /**
   * GC pause time of the executors' JVMs over heartbeat intervals in which they ran this stage's
   * tasks, summed over executors; 0 when their heartbeats carried no GC counters.
   */
  public long executorGcMs() {
    return executorGcMs;
  }

  /** The wall time those intervals covered, summed over executors. */
  public long executorWallMs() {
    return executorWallMs;
  }

  /** Run times of successful tasks (executor run time, without scheduling and start-up), ms. */
  public QuantileSketch runTimes() {
    return runTimes;
  }

  /** The successful task with the longest run time, or null before the first one ends. */
  public TaskRef longestRun() {
    return longestRun;
  }

  /** The longest successful task, or null before the first one ends. */
  public TaskRef longestTask() {
    return longestTask;
  }

  public TaskRef largestShuffleRead() {
    return largestShuffleRead;
  }

  public Collection<RunningTask> runningTasks() {
    return Collections.unmodifiableCollection(running.values());
  }

  /** Failure groups, most attempts first. */
  public List<FailureGroup> failureGroups() {
    List<FailureGroup> groups = new ArrayList<>(failures.values());
    groups.sort((a, b) -> Integer.compare(b.count(), a.count()));
    return groups;
  }
}
