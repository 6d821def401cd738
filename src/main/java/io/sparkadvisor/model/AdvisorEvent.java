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

  /** An executor's heartbeat: the peak JVM heap used it reported (bytes), -1 when none. */
  record ExecutorMetrics(String executorId, long peakJvmHeapBytes, long time) implements AdvisorEvent {}

  /**
   * A job started. {@code executionId} is the SQL execution it belongs to, or -1;
   * {@code streamingQueryId} is set when a streaming query runs it.
   */
  record JobStart(int jobId, long time, int[] stageIds, long executionId, String streamingQueryId,
      String jobGroup, String description) implements AdvisorEvent {}

  record JobEnd(int jobId, long time, boolean succeeded) implements AdvisorEvent {}

  record StageSubmitted(int stageId, int attempt, String name, int numTasks, long submissionTime,
      String jobGroup, String description, long executionId) implements AdvisorEvent {}

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
      long memorySpillBytes, long diskSpillBytes, long peakExecutionMemory,
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
