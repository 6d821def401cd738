package io.sparkadvisor.model;

/**
 * One executor over its life: when it came and went and why, the peak JVM heap its heartbeats
 * reported, and the task time it ran, spent in GC and lost with it. Counters only, whatever the
 * number of tasks.
 */
public final class ExecutorStats {
  private final String id;
  private final String host;
  private final int cores;
  private final long addedAt;
  private long removedAt = -1;
  private String removalReason;
  private long peakHeapBytes = -1;
  private long runTimeMs;
  private long gcMs;
  private long lostTaskMs;
  private int lostAttempts;
  private int lostNotByTasks;
  private int lostOutputs;

  ExecutorStats(String id, String host, int cores, long addedAt) {
    this.id = id;
    this.host = host == null ? "" : host;
    this.cores = Math.max(0, cores);
    this.addedAt = addedAt;
  }

  void removed(String reason, long time) {
    removedAt = time;
    removalReason = reason == null ? "" : reason;
  }

  void heap(long bytes) {
    peakHeapBytes = Math.max(peakHeapBytes, bytes);
  }

  /** A finished task's map output was lost with this executor: its work runs again. */
  void outputLost(long durationMs) {
    lostTaskMs += durationMs;
    lostOutputs++;
  }

  void taskEnded(AdvisorEvent.TaskEnd e) {
    runTimeMs += e.runTimeMs();
    gcMs += e.gcMs();
    if (e.failure() == FailureKind.EXECUTOR_LOST || e.failure() == FailureKind.EXECUTOR_RELEASED) {
      lostTaskMs += e.durationMs();
      lostAttempts++;
      if (e.failure() == FailureKind.EXECUTOR_RELEASED) {
        lostNotByTasks++;
      }
    }
  }

  public String id() {
    return id;
  }

  public String host() {
    return host;
  }

  public int cores() {
    return cores;
  }

  public long addedAt() {
    return addedAt;
  }

  /** When it was removed, or -1 while it lives. */
  public long removedAt() {
    return removedAt;
  }

  public boolean isRemoved() {
    return removedAt >= 0;
  }

  /** Spark's removal reason, or null while it lives. */
  public String removalReason() {
    return removalReason;
  }

  /** The driver's own entry in local mode, or the driver's heartbeat: not an executor JVM. */
  public boolean isDriver() {
    return "driver".equals(id);
  }

  /** Peak JVM heap used, from heartbeats; -1 when none reported it. */
  public long peakHeapBytes() {
    return peakHeapBytes;
  }

  public long runTimeMs() {
    return runTimeMs;
  }

  public long gcMs() {
    return gcMs;
  }

  /** Finished tasks whose map output was lost with this executor and that Spark resubmitted. */
  public int lostOutputs() {
    return lostOutputs;
  }

  /** Task time of attempts that failed because this executor was lost, and of lost map output. */
  public long lostTaskMs() {
    return lostTaskMs;
  }

  public int lostAttempts() {
    return lostAttempts;
  }

  /**
   * True when attempts failed with it and Spark judged every one lost for reasons outside the
   * tasks ({@code exitCausedByApp=false}: preemption, decommissioning, a lost node).
   */
  public boolean lostNotByTasks() {
    return lostAttempts > 0 && lostNotByTasks == lostAttempts;
  }
}
