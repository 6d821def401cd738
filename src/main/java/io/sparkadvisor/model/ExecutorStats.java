package io.sparkadvisor.model;

/**
 * One executor over its life: when it came and went and why, the peak JVM heap and managed memory
 * and the JVM's own GC counters its heartbeats reported, and the task time it ran, spent in GC
 * and lost with it. Counters only, whatever the number of tasks or heartbeats.
 */
public final class ExecutorStats {
  private final String id;
  private final String host;
  private final int cores;
  private final long addedAt;
  private long removedAt = -1;
  private String removalReason;
  private long peakHeapBytes = -1;
  private long peakManagedBytes = -1;
  private AdvisorEvent.Gc gc = AdvisorEvent.Gc.NONE;
  private long lastMetricsAt = -1;
  /** The last executor heartbeat's time and GC pause total, from which the next one's delta runs. */
  private long baselineAt = -1;
  private long baselinePauseMs;
  private int oomFailures;
  /**
   * A longer gap between heartbeats spans idle time (an idle executor's heartbeat carries no
   * metrics): its GC is not charged to the stages the next heartbeat reports.
   */
  static final long MAX_HEARTBEAT_GAP_MS = 60_000;
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

  /**
   * Takes a heartbeat's readings. Returns the JVM's GC pause time and the wall time since the
   * executor's previous heartbeat, {@code {gcMs, wallMs}}, for the stages this one reports on; null
   * when there is no previous one, or for the driver's own heartbeat (in local mode the executor's
   * JVM too: its readings in between would cut the executor's intervals short).
   */
  long[] metrics(AdvisorEvent.ExecutorMetrics e) {
    peakHeapBytes = Math.max(peakHeapBytes, e.peakJvmHeapBytes());
    peakManagedBytes = Math.max(peakManagedBytes, e.peakOnHeapManagedBytes());
    if (!e.gc().reported()) {
      return null;
    }
    if (e.gc().pauseMs() >= gc.pauseMs()) { // counters only grow; an older reading arrived late
      gc = e.gc();
      lastMetricsAt = Math.max(lastMetricsAt, e.time());
    }
    if (e.driverOnly()) {
      return null;
    }
    long[] delta = null;
    if (baselineAt >= 0 && e.time() > baselineAt && e.time() - baselineAt <= MAX_HEARTBEAT_GAP_MS) {
      delta = new long[] {Math.max(0, e.gc().pauseMs() - baselinePauseMs), e.time() - baselineAt};
    }
    if (e.time() > baselineAt) {
      baselineAt = e.time();
      baselinePauseMs = e.gc().pauseMs();
    }
    return delta;
  }

  /** A finished task's map output was lost with this executor: its work runs again. */
  void outputLost(long durationMs) {
    lostTaskMs += durationMs;
    lostOutputs++;
  }

  void taskEnded(AdvisorEvent.TaskEnd e) {
    runTimeMs += e.runTimeMs();
    gcMs += e.gcMs();
    if (e.failure() == FailureKind.OUT_OF_MEMORY) {
      oomFailures++;
    }
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

  /**
   * Peak heap Spark's memory manager held for execution and storage (live data, unlike the JVM
   * heap figure, which counts garbage not yet collected); -1 when none reported it.
   */
  public long peakManagedBytes() {
    return peakManagedBytes;
  }

  /** The JVM's GC counters at the latest heartbeat; {@link AdvisorEvent.Gc#NONE} if none reported. */
  public AdvisorEvent.Gc gc() {
    return gc;
  }

  /**
   * Share of the JVM's wall time, from its registration to its latest heartbeat, spent in GC
   * pauses: the executor's own measure, at most 1; -1 when its heartbeats carried no GC counters.
   */
  public double jvmGcShare() {
    long wall = lastMetricsAt - addedAt;
    if (!gc.reported() || addedAt <= 0 || wall <= 0) {
      return -1;
    }
    return Math.min(1.0, gc.pauseMs() / (double) wall);
  }

  /** Wall time its GC share is measured over, from registration to the latest heartbeat. */
  public long measuredWallMs() {
    return addedAt > 0 && lastMetricsAt > addedAt ? lastMetricsAt - addedAt : 0;
  }

  /** Task attempts on it that failed with an OutOfMemoryError. */
  public int oomFailures() {
    return oomFailures;
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
