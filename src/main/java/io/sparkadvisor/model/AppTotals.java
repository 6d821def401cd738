package io.sparkadvisor.model;

/** Counters over the whole application, for the end-of-application summary and IdleCores. */
public final class AppTotals {
  private int jobs;
  private int stagesCompleted;
  private int stagesFailed;
  private long tasksSucceeded;
  private long tasksFailed;
  private long tasksKilled;
  private long tasksResubmitted;
  private long taskTimeMs;
  private long runTimeMs;
  private long gcMs;
  private long memorySpillBytes;
  private long diskSpillBytes;
  private long shuffleReadBytes;
  private long shuffleWriteBytes;
  private long inputBytes;
  private long outputBytes;

  void jobStarted() {
    jobs++;
  }

  void stageCompleted(boolean failed) {
    if (failed) {
      stagesFailed++;
    } else {
      stagesCompleted++;
    }
  }

  void taskResubmitted() {
    tasksResubmitted++;
  }

  void taskEnded(AdvisorEvent.TaskEnd e) {
    if (e.killed()) {
      tasksKilled++;
    } else if (e.succeeded()) {
      tasksSucceeded++;
    } else {
      tasksFailed++;
    }
    taskTimeMs += e.durationMs();
    runTimeMs += e.runTimeMs();
    gcMs += e.gcMs();
    memorySpillBytes += e.memorySpillBytes();
    diskSpillBytes += e.diskSpillBytes();
    shuffleReadBytes += e.shuffleReadBytes();
    shuffleWriteBytes += e.shuffleWriteBytes();
    inputBytes += e.inputBytes();
    outputBytes += e.outputBytes();
  }

  public int jobs() {
    return jobs;
  }

  public int stagesCompleted() {
    return stagesCompleted;
  }

  public int stagesFailed() {
    return stagesFailed;
  }

  public long tasksSucceeded() {
    return tasksSucceeded;
  }

  public long tasksFailed() {
    return tasksFailed;
  }

  public long tasksKilled() {
    return tasksKilled;
  }

  /** Finished tasks whose output was lost with an executor and run again. */
  public long tasksResubmitted() {
    return tasksResubmitted;
  }

  /** Wall time of every task attempt, launch to finish, summed. */
  public long taskTimeMs() {
    return taskTimeMs;
  }

  public long runTimeMs() {
    return runTimeMs;
  }

  public long gcMs() {
    return gcMs;
  }

  public long memorySpillBytes() {
    return memorySpillBytes;
  }

  public long diskSpillBytes() {
    return diskSpillBytes;
  }

  public long shuffleReadBytes() {
    return shuffleReadBytes;
  }

  public long shuffleWriteBytes() {
    return shuffleWriteBytes;
  }

  public long inputBytes() {
    return inputBytes;
  }

  public long outputBytes() {
    return outputBytes;
  }
}
