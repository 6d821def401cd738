package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.util.List;

/** A stateful streaming query with a watermark whose state memory still grows batch after batch. */
@RuleInfo(id = "StateGrowth", severity = Severity.WARN,
    summary = "A streaming query's state memory keeps growing despite its watermark")
public final class StateGrowth extends StreamRule {
  static final String PROVIDER = "spark.sql.streaming.stateStore.providerClass";
  static final String ROCKSDB = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider";

  private final int minBatches;
  private final long minStateBytes;
  private final long largeStateBytes;

  public StateGrowth(RuleOptions o) {
    minBatches = (int) Math.max(2, o.count("minBatches", 10));
    minStateBytes = o.sizeBytes("minStateSize", 256L << 20);
    largeStateBytes = o.sizeBytes("rocksDbAbove", 1L << 30);
  }

  @Override
  public void onStreamProgress(StreamState s, RuleContext ctx) {
    List<StreamBatch> batches = lastConsecutive(s, minBatches);
    if (batches == null) {
      return;
    }
    StreamBatch last = batches.get(batches.size() - 1);
    if (!last.stateful() || !last.watermark() || last.stateMemoryBytes() < minStateBytes) {
      return;
    }
    long[] memory = batches.stream().mapToLong(StreamBatch::stateMemoryBytes).toArray();
    if (!grows(memory, 1.2)) {
      return;
    }
    SparkSettings conf = ctx.spark();
    boolean rocksDb = conf.get(PROVIDER).map(v -> v.contains("RocksDB")).orElse(false);
    String fix = "the watermark does not bound the state: shorten the watermark delay, make sure every grouping "
        + "key includes an event-time window (keys without one never expire), and give "
        + "flatMapGroupsWithState or transformWithState keys a timeout or TTL";
    if (!rocksDb && last.stateMemoryBytes() >= largeStateBytes) {
      fix += "; with this much state, keep it off the JVM heap: " + PROVIDER + "=" + ROCKSDB;
    }
    ctx.report(finding(ctx, s, last.stateMemoryBytes() / (double) minStateBytes)
        .message("state of " + String.join(", ", last.stateOperators()) + " grew from " + Units.bytes(memory[0])
            + " to " + Units.bytes(last.stateMemoryBytes()) + " (" + Units.count(last.stateRows()) + " rows) over "
            + batches.size() + " batches although the query has a watermark")
        .cost(0, "executor memory held by state grows with every batch; state store commits and checkpoints slow down")
        .fix(fix)
        .evidence("stateMemoryBytesFirst", memory[0])
        .evidence("stateMemoryBytes", last.stateMemoryBytes())
        .evidence("stateRows", last.stateRows())
        .evidence("rocksDb", rocksDb)
        .build());
  }
}
