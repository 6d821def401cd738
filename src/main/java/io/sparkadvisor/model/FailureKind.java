package io.sparkadvisor.model;

/**
 * Why a task attempt failed, in the groups a user acts on. A denied output commit is not here:
 * like Spark's AppStatusListener, the advisor counts it as a killed duplicate.
 */
public enum FailureKind {
  EXCEPTION("exception", true),
  OUT_OF_MEMORY("out of memory", true),
  FETCH_FAILED("shuffle fetch failure", true),
  /** The executor died under the task, and Spark blames the tasks ({@code exitCausedByApp}). */
  EXECUTOR_LOST("executor lost", true),
  /**
   * The executor went for reasons outside the tasks ({@code exitCausedByApp=false}): preempted,
   * decommissioned, killed by the cluster manager or the driver. Not the job's failure.
   */
  EXECUTOR_RELEASED("executor lost, not caused by its tasks", false),
  RESULT_LOST("task result lost", true),
  OTHER("other", true);

  private final String label;
  private final boolean causedByJob;

  FailureKind(String label, boolean causedByJob) {
    this.label = label;
    this.causedByJob = causedByJob;
  }

  /** False when the attempt failed for reasons outside the job's tasks, as Spark judges them. */
  public boolean causedByJob() {
    return causedByJob;
  }

  public String label() {
    return label;
  }
}
