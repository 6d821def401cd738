package io.sparkadvisor.model;

import java.util.Map;

/**
 * What the advisor keeps of one micro-batch's progress: numbers only, copied on Spark's listener
 * thread. Sizes and counts are -1 when the progress did not report them.
 *
 * @param timestamp when the batch started, as the progress reports it (ISO-8601)
 * @param durations the batch's phases in milliseconds (addBatch, getBatch, latestOffset,
 *     queryPlanning, walCommit, commitOffsets, triggerExecution)
 * @param watermark true when the query has an event-time watermark
 * @param stateOperators the names of its stateful operators, empty when it has none
 * @param kafka true when a source is Kafka
 * @param offsetsBehind Kafka's maxOffsetsBehindLatest summed over Kafka sources, or -1
 * @param drainedSources true when every source's batch ended at its latest offset: it took all
 *     that was available, so no rate limit held it back
 * @param stateRowsRemoved state rows its stateful operators removed in this batch (a timeout, a
 *     TTL, {@code state.remove()} or a watermark expired them), summed; -1 without state
 * @param stateExpiryDeclared true when an operator reports state with a TTL or registered timers
 *     (transformWithState), which expire state even before any is removed
 */
public record StreamBatch(String id, String runId, String name, long batchId, String timestamp,
    long durationMs, Map<String, Long> durations, long inputRows, double inputRowsPerSecond,
    double processedRowsPerSecond, boolean watermark, String[] stateOperators, long stateRows,
    long stateMemoryBytes, boolean kafka, long offsetsBehind, boolean drainedSources,
    long stateRowsRemoved, boolean stateExpiryDeclared) {

  public StreamBatch {
    durations = Map.copyOf(durations);
  }

  /** A batch whose state operators removed nothing and declared no expiry (or that has none). */
  public StreamBatch(String id, String runId, String name, long batchId, String timestamp,
      long durationMs, Map<String, Long> durations, long inputRows, double inputRowsPerSecond,
      double processedRowsPerSecond, boolean watermark, String[] stateOperators, long stateRows,
      long stateMemoryBytes, boolean kafka, long offsetsBehind, boolean drainedSources) {
    this(id, runId, name, batchId, timestamp, durationMs, durations, inputRows, inputRowsPerSecond,
        processedRowsPerSecond, watermark, stateOperators, stateRows, stateMemoryBytes, kafka, offsetsBehind,
        drainedSources, stateOperators.length == 0 ? -1 : 0, false);
  }

  /** When the batch started, in epoch milliseconds, or -1 when the timestamp cannot be read. */
  public long startMillis() {
    try {
      return java.time.Instant.parse(timestamp).toEpochMilli();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  public boolean stateful() {
    return stateOperators.length > 0;
  }
}
