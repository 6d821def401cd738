package io.sparkadvisor.model;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the capture layer copies out of a Spark event on Spark's listener thread: plain numbers
 * and references to immutable strings, handed to the advisor's own thread. Nothing here refers
 * to a Spark class, so the model and the rules never see one.
 */
public sealed interface AdvisorEvent {

  record AppStart(String appName, String appId, long time) implements AdvisorEvent {}

  record AppEnd(long time) implements AdvisorEvent {}

  record ExecutorAdded(String executorId, String host, int cores, long time) implements AdvisorEvent {}

  record ExecutorRemoved(String executorId, String reason, long time) implements AdvisorEvent {}

  /**
   * An executor's heartbeat. {@code peakJvmHeapBytes} is heap used, garbage included (-1 when none
   * reported it); {@code peakOnHeapManagedBytes} what Spark's memory manager held on the heap for
   * execution and storage, live data by definition (-1 when unknown); {@code gc} the JVM's GC
   * counters since it started. {@code stageIds}/{@code stageAttempts} are the stages the heartbeat
   * reports on (those with tasks on the executor since the last one); {@code driverOnly} marks the
   * driver's own heartbeat, which reports no stage.
   */
  record ExecutorMetrics(String executorId, long peakJvmHeapBytes, long time, long peakOnHeapManagedBytes,
      Gc gc, int[] stageIds, int[] stageAttempts, boolean driverOnly) implements AdvisorEvent {

    public ExecutorMetrics(String executorId, long peakJvmHeapBytes, long time) {
      this(executorId, peakJvmHeapBytes, time, -1, Gc.NONE, new int[0], new int[0], false);
    }
  }

  /**
   * A JVM's cumulative garbage collection counters, as Spark's executor metrics report them:
   * young ("minor") and old-generation ("major", a full collection under G1) collectors by
   * {@code spark.eventLog.gcMetrics.*GenerationGarbageCollectors}; {@code totalMs} sums every
   * collector, concurrent ones included. {@link #NONE} when the heartbeat carried none; a JVM that
   * has not collected yet reports zeros, which count.
   */
  record Gc(long minorCount, long minorMs, long majorCount, long majorMs, long totalMs) {
    public static final Gc NONE = new Gc(0, 0, 0, 0, 0);

    /** False for {@link #NONE} itself: no counters were reported. */
    public boolean reported() {
      return this != NONE;
    }

    /**
     * Stop-the-world pause time: the young and old collectors'. Counters of collectors Spark sorts
     * into neither (ZGC, Shenandoah: only a total, concurrent work included) are not taken at all.
     */
    public long pauseMs() {
      return minorMs + majorMs;
    }
  }

  /**
   * A job started. {@code executionId} is the SQL execution it belongs to, or -1;
   * {@code streamingQueryId} is set when a streaming query runs it.
   */
  record JobStart(int jobId, long time, int[] stageIds, long executionId, String streamingQueryId,
      String jobGroup, String description) implements AdvisorEvent {}

  record JobEnd(int jobId, long time, boolean succeeded) implements AdvisorEvent {}

  /**
   * A stage attempt was submitted. {@code name} is Spark's call site for it, as the stage's
   * creating thread saw it. {@code lineage} identifies the stage's shape: a hash of its RDDs'
   * names, call sites and operator scopes, without their ids, so two stages launched from one call
   * site on different lineages (different inputs, different operators) tell apart, and a stage
   * rerun in a loop does not. Computed when read, on the advisor's thread, from the stage's
   * immutable RDD descriptions: hashing a few dozen strings is the costliest part of copying a
   * stage submission, and Spark's listener thread need not pay it.
   */
  record StageSubmitted(int stageId, int attempt, String name, int numTasks, long submissionTime,
      String jobGroup, String description, long executionId, java.util.function.LongSupplier lineage)
      implements AdvisorEvent {
    private static final java.util.function.LongSupplier NO_LINEAGE = () -> 0L;

    public StageSubmitted(int stageId, int attempt, String name, int numTasks, long submissionTime,
        String jobGroup, String description, long executionId) {
      this(stageId, attempt, name, numTasks, submissionTime, jobGroup, description, executionId, NO_LINEAGE);
    }

    /** Frames of a thread pool's worker: a call site that names no user code. */
    private static final java.util.regex.Pattern POOL_CALL_SITE = java.util.regex.Pattern.compile(
        ".*withThreadLocalCaptured.*|\\S* at (CompletableFuture|FutureTask|ThreadPoolExecutor|ForkJoinTask"
            + "|ForkJoinPool|ForkJoinWorkerThread|Executors|Thread)\\.java:\\d+");

    /**
     * True when Spark named the stage after a thread pool's frames rather than the user's code:
     * adaptive query execution submits a query's shuffle and broadcast stages from its own pool
     * ({@code $anonfun$withThreadLocalCaptured$2 at CompletableFuture.java:1768}).
     */
    public boolean namedByThreadPool() {
      return name != null && POOL_CALL_SITE.matcher(name).matches();
    }

    public StageSubmitted withName(String newName) {
      return new StageSubmitted(stageId, attempt, newName, numTasks, submissionTime, jobGroup, description,
          executionId, lineage);
    }
  }

  /**
   * {@code failureReason} is null for a stage that succeeded. {@code sqlMetricIds} and
   * {@code sqlMetricValues} are the SQL metrics the stage's tasks updated, with the driver's totals.
   */
  record StageCompleted(int stageId, int attempt, long completionTime, String failureReason,
      long[] sqlMetricIds, long[] sqlMetricValues) implements AdvisorEvent {

    public StageCompleted(int stageId, int attempt, long completionTime, String failureReason) {
      this(stageId, attempt, completionTime, failureReason, new long[0], new long[0]);
    }
  }

  record TaskStart(int stageId, int attempt, long taskId, int index, int partition, long launchTime,
      String executorId, String host, boolean speculative) implements AdvisorEvent {}

  /**
   * A task attempt ended. Metrics are zero when Spark sent none (a lost executor, for example).
   * {@code killed} marks an attempt Spark killed on purpose (a speculative copy that lost the race,
   * a cancelled job): neither a success nor a failure. {@code failure} is null otherwise for a
   * success; {@code failureDetail} is the exception class or the reason.
   */
  record TaskEnd(
      int stageId, int attempt, long taskId, int index, int partition,
      String executorId, String host, boolean speculative, boolean resultTask,
      long launchTime, long finishTime, long gettingResultTime,
      boolean killed, FailureKind failure, String failureDetail, String failureMessage,
      long runTimeMs, long cpuTimeNs, long deserializeMs, long gcMs, long resultBytes,
      long memorySpillBytes, long diskSpillBytes,
      long inputBytes, long inputRecords, long outputBytes, long outputRecords,
      long shuffleReadBytes, long shuffleReadRecords, long shuffleFetchWaitMs,
      long shuffleWriteBytes, long shuffleWriteRecords) implements AdvisorEvent {

    public long durationMs() {
      return Math.max(0, finishTime - launchTime);
    }

    public boolean succeeded() {
      return failure == null && !killed;
    }
  }

  /**
   * Spark re-posted an earlier successful attempt of a shuffle-map task as "Resubmitted": its
   * output was lost with its executor and the task will run again. Not a new attempt: it carries
   * no metrics, and no task start precedes it.
   */
  record TaskResubmitted(int stageId, int attempt, long taskId, int index, String executorId,
      long durationMs) implements AdvisorEvent {}

  /**
   * A SQL execution started. The plan and the session's changed SQL conf are converted on the
   * advisor's thread, not Spark's: the suppliers close over Spark's immutable objects.
   * {@code estimates} reads the optimizer's size estimates when the query's QueryExecution was
   * still at hand; it returns an empty map otherwise.
   */
  record SqlStart(long executionId, String description, long time, Supplier<PlanNode> plan,
      Supplier<Map<String, String>> modifiedConfigs, Estimates estimates) implements AdvisorEvent {

    public SqlStart(long executionId, String description, long time, Supplier<PlanNode> plan,
        Supplier<Map<String, String>> modifiedConfigs) {
      this(executionId, description, time, plan, modifiedConfigs, Estimates.NONE);
    }
  }

  /** AQE re-planned a running query; the new plan is summarized on the advisor's thread. */
  record SqlPlanUpdate(long executionId, Supplier<PlanNode> plan) implements AdvisorEvent {}

  /** Metric values the driver posted for a query (file listing, broadcast build, writes). */
  record SqlDriverMetrics(long executionId, long[] ids, long[] values) implements AdvisorEvent {}

  /**
   * {@code error} is null or empty for a success. {@code estimates} reads the optimizer's
   * estimates from the QueryExecution the end event carried, for queries that ended before the
   * advisor saw them start with one.
   */
  record SqlEnd(long executionId, long time, String error, Estimates estimates) implements AdvisorEvent {

    public SqlEnd(long executionId, long time, String error) {
      this(executionId, time, error, Estimates.NONE);
    }
  }

  /**
   * Estimates from a QueryExecution that came without its execution id (through the query
   * execution listener); they are keyed by join signature, which finds their query.
   */
  record SqlEstimates(Estimates estimates) implements AdvisorEvent {}

  /**
   * The optimizer's size estimates of the joins in a query, keyed by
   * {@link PlanNode#joinSignature()}, read lazily on the advisor's thread.
   */
  interface Estimates extends Supplier<Map<String, PlanNode.Estimate>> {
    Estimates NONE = Map::of;
  }

  /**
   * A streaming query started. {@code trigger} reads its processing-time trigger interval on the
   * advisor's thread (no event carries it): 0 for "as soon as possible", -2 for Once and
   * AvailableNow, -1 when it cannot be read.
   */
  record StreamStarted(String id, String runId, String name, long time, LongSupplier trigger) implements AdvisorEvent {

    public StreamStarted(String id, String runId, String name, long time, long triggerMs) {
      this(id, runId, name, time, () -> triggerMs);
    }

    /** The trigger interval; a lookup that fails leaves it unknown (-1). */
    public long triggerMs() {
      try {
        return trigger.getAsLong();
      } catch (RuntimeException | LinkageError e) {
        return -1;
      }
    }
  }

  /** One micro-batch of a streaming query, as its progress reported it. */
  record StreamProgress(StreamBatch batch) implements AdvisorEvent {}

  /** A streaming query stopped, or failed with {@code error}. */
  record StreamTerminated(String id, String runId, String error) implements AdvisorEvent {}
}
