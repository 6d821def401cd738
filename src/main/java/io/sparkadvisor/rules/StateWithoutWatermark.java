package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.util.List;

/**
 * A stateful streaming query without an event-time watermark whose state keeps growing. State
 * that expires by other means is not judged: once the run removed state rows (a timeout, a TTL,
 * {@code state.remove()}) or reports state with a TTL or timers. State that the user's function
 * manages (flatMapGroupsWithState and its kin) may have a timeout the progress cannot show until it
 * first expires a key, so it is reported only after growing for an hour of the run with nothing
 * removed.
 */
@RuleInfo(id = "StateWithoutWatermark", severity = Severity.WARN,
    summary = "A stateful streaming query has no watermark and its state keeps growing")
public final class StateWithoutWatermark extends StreamRule {
  private final int minBatches;
  private final long minStateRows;
  private final long minUserStateAgeMs;

  public StateWithoutWatermark(RuleOptions o) {
    minBatches = (int) Math.max(2, o.count("minBatches", 5));
    minStateRows = o.count("minStateRows", 10_000);
    minUserStateAgeMs = o.durationMillis("minUserStateAge", 3_600_000);
  }

  @Override
  public void onStreamProgress(StreamState s, RuleContext ctx) {
    List<StreamBatch> batches = lastConsecutive(s, minBatches);
    if (batches == null) {
      return;
    }
    StreamBatch last = batches.get(batches.size() - 1);
    if (!last.stateful() || last.watermark() || last.stateRows() < minStateRows || s.stateExpires()) {
      return;
    }
    if (userManaged(last.stateOperators()) && (s.firstBatchStartMillis() < 0
        || last.startMillis() - s.firstBatchStartMillis() < minUserStateAgeMs)) {
      return;
    }
    long[] rows = batches.stream().mapToLong(StreamBatch::stateRows).toArray();
    if (!grows(rows, 1.0)) {
      return;
    }
    String operators = String.join(", ", last.stateOperators());
    ctx.report(finding(ctx, s, last.stateRows() / (double) minStateRows)
        .message((last.stateOperators().length == 1 ? "stateful operator " + operators + " holds "
            : "stateful operators " + operators + " hold ") + Units.count(last.stateRows()) + " rows ("
            + Units.bytes(Math.max(0, last.stateMemoryBytes())) + "), up from " + Units.count(rows[0]) + " "
            + (batches.size() - 1) + " batches ago, and the query has no event-time watermark: its state is "
            + "never evicted")
        .cost(0, "state grows without bound until executors run out of memory; every batch reads and checkpoints it")
        .fix("declare how late data may arrive, before the stateful operator: df.withWatermark(\"eventTime\", "
            + "\"10 minutes\"), and aggregate on a window of it or use dropDuplicatesWithinWatermark; for "
            + "flatMapGroupsWithState or transformWithState, set a state timeout or TTL")
        .evidence("stateOperators", operators)
        .evidence("stateRows", last.stateRows())
        .evidence("stateRowsFirst", rows[0])
        .evidence("stateMemoryBytes", last.stateMemoryBytes())
        .build());
  }

  /**
   * True when every operator keeps state the user's function manages, with timeouts or TTLs of its
   * own: (flat)mapGroupsWithState, applyInPandasWithState, transformWithState(InPandas).
   */
  static boolean userManaged(String[] operators) {
    for (String op : operators) {
      if (op == null || !(op.equals("flatMapGroupsWithState") || op.equals("applyInPandasWithState")
          || op.startsWith("transformWithState"))) {
        return false;
      }
    }
    return operators.length > 0;
  }
}
