package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A streaming query with a processing-time trigger whose batches took their whole interval or more,
 * several in a row. Names the slowest phase and a fix for it. Without an interval (the default
 * trigger), or when it could not be read, batches back to back are the designed behaviour, not an
 * overrun: whether such a query keeps up is StreamFallingBehind's to judge.
 */
@RuleInfo(id = "StreamBatchOverrun", severity = Severity.WARN,
    summary = "A streaming query's micro-batches take their whole trigger interval or more, batch after batch")
public final class StreamBatchOverrun extends StreamRule {
  private static final List<String> PHASES = List.of("addBatch", "getBatch", "latestOffset", "queryPlanning",
      "walCommit", "commitOffsets");

  private final int minBatches;
  private final long minBatchMs;

  public StreamBatchOverrun(RuleOptions o) {
    minBatches = (int) Math.max(2, o.count("minBatches", 3));
    minBatchMs = o.durationMillis("minBatchDuration", 1_000);
  }

  @Override
  public void onStreamProgress(StreamState s, RuleContext ctx) {
    long trigger = s.triggerMs();
    if (trigger <= 0) {
      return; // as soon as possible, Once, AvailableNow or unknown: no interval to overrun
    }
    List<StreamBatch> judged = lastConsecutive(s, minBatches);
    if (judged == null) {
      return;
    }
    long floor = Math.max(trigger, minBatchMs);
    if (judged.stream().anyMatch(b -> b.durationMs() < floor)) {
      return;
    }
    String phase = slowestPhase(judged);
    long phaseMs = Math.round(judged.stream().mapToLong(b -> b.durations().getOrDefault(phase, 0L)).average().orElse(0));
    long avg = Math.round(judged.stream().mapToLong(StreamBatch::durationMs).average().orElse(0));
    String durations = judged.stream().map(b -> Units.duration(b.durationMs())).collect(Collectors.joining(", "));
    // Each batch is judged once as the newest of its run: its own overrun is what it adds.
    long overrunMs = Math.max(0, judged.get(judged.size() - 1).durationMs() - trigger);
    ctx.report(finding(ctx, s, avg / (double) trigger)
        .message(minBatches + " batches in a row without idle time (batches " + judged.get(0).batchId() + "-"
            + judged.get(judged.size() - 1).batchId() + " took " + durations + ", trigger interval "
            + Units.duration(trigger) + "); slowest phase " + phase + " at " + Units.duration(phaseMs)
            + " per batch on average")
        .cost(overrunMs, "~" + Units.duration(overrunMs) + " over the trigger interval in the latest "
            + "batch: latency grows and input queues up")
        .fix(fix(phase))
        .evidence("batchDurationsMs", judged.stream().map(StreamBatch::durationMs).toList())
        .evidence("triggerMs", trigger)
        .evidence("slowestPhase", phase)
        .evidence("slowestPhaseMs", phaseMs)
        .build());
  }

  static String slowestPhase(List<StreamBatch> batches) {
    String slowest = "addBatch";
    long most = -1;
    for (String phase : PHASES) {
      long total = 0;
      for (StreamBatch b : batches) {
        total += b.durations().getOrDefault(phase, 0L);
      }
      if (total > most) {
        most = total;
        slowest = phase;
      }
    }
    return slowest;
  }

  private static String fix(String phase) {
    return switch (phase) {
      case "getBatch", "latestOffset" -> "the source is slow to list or fetch offsets: for a file source, "
          + "maxFilesPerTrigger and fewer files per directory (or cleanSource to archive processed files); "
          + "for Kafka, check broker and network latency; or a longer trigger interval";
      case "queryPlanning" -> "planning each batch is slow: simplify the query, cache static lookup "
          + "DataFrames it joins, and avoid very wide plans (many unions or columns)";
      case "walCommit", "commitOffsets" -> "writing the checkpoint is slow: put checkpointLocation on fast, "
          + "strongly consistent storage (HDFS or a local volume rather than an object store), or lower "
          + "spark.sql.streaming.minBatchesToRetain";
      default -> "processing the batch takes longer than the trigger: add executors or cores, cap the input "
          + "per batch (maxOffsetsPerTrigger, maxFilesPerTrigger) so batches stay even, or lengthen the "
          + "trigger (Trigger.ProcessingTime) if the latency allows";
    };
  }
}
