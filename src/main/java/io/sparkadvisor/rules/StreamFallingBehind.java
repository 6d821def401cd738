package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.util.List;

/**
 * A streaming query that cannot keep up: over several batches its input arrives faster than it
 * processes it, or a Kafka source's offsets behind the latest keep growing.
 */
@RuleInfo(id = "StreamFallingBehind", severity = Severity.WARN,
    summary = "A streaming query's input arrives faster than it is processed, or its Kafka lag keeps growing")
public final class StreamFallingBehind extends StreamRule {
  private final int minBatches;
  private final double minRateRatio;
  private final long minRows;
  private final long minLag;

  public StreamFallingBehind(RuleOptions o) {
    minBatches = (int) Math.max(2, o.count("minBatches", 5));
    minRateRatio = o.ratio("minRateRatio", 1.1);
    minRows = o.count("minRows", 10_000);
    minLag = o.count("minOffsetsBehind", 10_000);
  }

  @Override
  public void onStreamProgress(StreamState s, RuleContext ctx) {
    List<StreamBatch> batches = lastConsecutive(s, minBatches);
    if (batches == null) {
      return;
    }
    // Rates from the batches' own clocks: rows that arrived between the first and the last batch's
    // start, over that time, against rows processed per second of batch time. Spark's per-batch
    // inputRowsPerSecond counts from the previous trigger, which may have found no data, and
    // overstates bursty sources.
    long first = batches.get(0).startMillis();
    long lastStart = batches.get(batches.size() - 1).startMillis();
    long arrived = batches.stream().skip(1).mapToLong(StreamBatch::inputRows).sum();
    long rows = batches.stream().mapToLong(StreamBatch::inputRows).sum();
    long busyMs = batches.stream().mapToLong(StreamBatch::durationMs).sum();
    double input = first < 0 || lastStart <= first ? 0 : arrived * 1_000.0 / (lastStart - first);
    double processed = busyMs <= 0 ? 0 : rows * 1_000.0 / busyMs;
    double ratio = processed > 0 ? input / processed : 0;
    // And batch after batch: each took longer than its input took to arrive, not one slow batch.
    long slower = 0;
    for (int i = 1; i < batches.size(); i++) {
      long interval = batches.get(i).startMillis() - batches.get(i - 1).startMillis();
      slower += interval > 0 && batches.get(i).durationMs() >= minRateRatio * interval ? 1 : 0;
    }
    boolean rates = rows >= minRows && processed > 0 && ratio >= minRateRatio && slower >= batches.size() - 2;

    long[] lag = batches.stream().mapToLong(StreamBatch::offsetsBehind).toArray();
    boolean lagKnown = batches.stream().allMatch(b -> b.kafka() && b.offsetsBehind() >= 0);
    boolean lagGrows = lagKnown && lag[lag.length - 1] >= minLag && grows(lag, 1.2);
    if (!rates && !lagGrows) {
      return;
    }
    StringBuilder msg = new StringBuilder("over the last ").append(minBatches).append(" batches (")
        .append(batches.get(0).batchId()).append('-').append(batches.get(batches.size() - 1).batchId()).append(") ");
    if (rates) {
      msg.append("input arrived at ").append(Units.count(Math.round(input))).append(" rows/s but was processed at ")
          .append(Units.count(Math.round(processed))).append(" rows/s of batch time (").append(Units.times(ratio)).append(')');
    }
    if (lagGrows) {
      msg.append(rates ? "; " : "").append("Kafka lag (offsets behind latest, furthest partition) grew from ").append(Units.count(lag[0]))
          .append(" to ").append(Units.count(lag[lag.length - 1]));
    }
    double level = lagGrows ? lag[lag.length - 1] / (double) Math.max(1, minLag) : ratio;
    long avgMs = Math.round(batches.stream().mapToLong(StreamBatch::durationMs).average().orElse(0));
    ctx.report(finding(ctx, s, level)
        .message(msg.toString())
        .cost(0, "the backlog and the end-to-end latency grow with every batch (batches take "
            + Units.duration(avgMs) + " on average)")
        .fix(lagGrows && !rates
            ? "the consumer reads less per batch than arrives: raise maxOffsetsPerTrigger if it caps the batches, "
                + "and add executors or cores, or Kafka partitions (or minPartitions on the source) for more parallelism"
            : "give it more capacity or less work per batch: more executors or cores, more input partitions (Kafka "
                + "topic partitions, or minPartitions on the Kafka source), maxOffsetsPerTrigger to keep batches even, "
                + "or a longer trigger interval so each batch amortizes its fixed cost over more rows")
        .evidence("inputRowsPerSecond", Math.round(input))
        .evidence("processedRowsPerSecond", Math.round(processed))
        .evidence("offsetsBehindFirst", lag[0])
        .evidence("offsetsBehindLast", lag[lag.length - 1])
        .build());
  }

}
