package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.util.Comparator;
import java.util.List;

/**
 * A Kafka source read without a per-batch limit: its batches vary by ten times or more, and the
 * largest took everything available up to the latest offset, so no maxOffsetsPerTrigger held it.
 */
@RuleInfo(id = "KafkaUnboundedBatch", severity = Severity.WARN,
    summary = "A Kafka source has no per-batch limit and its batches vary tenfold or more")
public final class KafkaUnboundedBatch extends StreamRule {
  private final int minBatches;
  private final double minRatio;
  private final long minLargestRows;

  public KafkaUnboundedBatch(RuleOptions o) {
    minBatches = (int) Math.max(2, o.count("minBatches", 3));
    minRatio = o.ratio("minRatio", 10.0);
    minLargestRows = o.count("minLargestBatchRows", 100_000);
  }

  @Override
  public void onStreamProgress(StreamState s, RuleContext ctx) {
    List<StreamBatch> batches = s.recent().stream().filter(b -> b.inputRows() > 0).toList();
    if (batches.size() < minBatches || !s.last(1).get(0).kafka()) {
      return;
    }
    StreamBatch largest = batches.stream().max(Comparator.comparingLong(StreamBatch::inputRows)).orElseThrow();
    long smallest = batches.stream().mapToLong(StreamBatch::inputRows).filter(r -> r > 0).min().orElse(0);
    if (smallest <= 0 || largest.inputRows() < minLargestRows || largest.inputRows() < minRatio * smallest
        || !largest.drainedSources()) {
      return;
    }
    long median = batches.stream().mapToLong(StreamBatch::inputRows).sorted().skip(batches.size() / 2).findFirst().orElse(0);
    long cap = Math.max(1, median) * 2;
    // Judged again while that batch stays in the window: the same sighting, not a repeat.
    ctx.report(finding(ctx, s, largest.inputRows() / (double) minLargestRows)
        .occurrence(io.sparkadvisor.findings.Scope.stream(s).occurrence() + ":batch" + largest.batchId())
        .message("batch " + largest.batchId() + " read " + Units.count(largest.inputRows()) + " rows, everything up to "
            + "the latest offsets, and took " + Units.duration(largest.durationMs()) + "; the smallest of the last "
            + batches.size() + " batches read " + Units.count(smallest) + " (" + Units.times(largest.inputRows()
            / (double) smallest) + "): no per-batch limit held it back")
        .cost(largest.durationMs(), "~" + Units.duration(largest.durationMs()) + " for the largest batch, while later "
            + "input waits; a restart after downtime reads the whole backlog in one batch")
        .fix("cap each batch: .option(\"maxOffsetsPerTrigger\", \"" + cap + "\") on the Kafka source (about twice "
            + "the median batch), so a first run or catch-up is spread over even batches")
        .evidence("largestBatchRows", largest.inputRows())
        .evidence("smallestBatchRows", smallest)
        .evidence("largestBatchMs", largest.durationMs())
        .evidence("suggestedMaxOffsetsPerTrigger", cap)
        .build());
  }
}
