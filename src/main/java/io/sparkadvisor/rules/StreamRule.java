package io.sparkadvisor.rules;

import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A streaming rule: one WARN per query (by its id, which survives restarts from the same
 * checkpoint), then one count per batch that shows the problem again;
 * logged anew only when it got markedly worse, each time its measure doubles over the level first
 * reported. What it keeps per query run is dropped when the run terminates.
 */
abstract class StreamRule implements Rule {
  /** Query runs watched at once; beyond it, what is kept is forgotten. */
  private static final int MAX_RUNS = 1_000;

  private final Map<String, Double> firstLevel = new HashMap<>();

  /**
   * A finding for the query's latest batch. {@code level} is the rule's measure of how bad it is
   * (a ratio, a size); it decides when the finding is logged again.
   */
  Finding.Builder finding(RuleContext ctx, StreamState s, double level) {
    if (firstLevel.size() >= MAX_RUNS && !firstLevel.containsKey(s.runId())) {
      firstLevel.clear();
    }
    double first = firstLevel.computeIfAbsent(s.runId(), k -> Math.max(level, Double.MIN_NORMAL));
    int doublings = level > first ? (int) Math.floor(Math.log(level / first) / Math.log(2)) : 0;
    Scope scope = Scope.stream(s);
    StreamBatch last = s.last(1).get(0);
    return ctx.finding(scope)
        .samePlaceAs(scope.shapeKey() + (doublings > 0 ? "|worse:" + doublings : ""))
        .occurrence(scope.occurrence() + ":batch" + last.batchId());
  }

  @Override
  public void onStreamTerminated(StreamState s, RuleContext ctx) {
    firstLevel.remove(s.runId());
  }

  /** The last {@code n} batches when they are {@code n} consecutive ones, else null. */
  static List<StreamBatch> lastConsecutive(StreamState s, int n) {
    List<StreamBatch> batches = s.last(n);
    return batches.size() < n || !consecutive(batches) ? null : batches;
  }

  /** True when the last {@code n} batches are consecutive batch ids: no batch is missing between them. */
  static boolean consecutive(List<StreamBatch> batches) {
    for (int i = 1; i < batches.size(); i++) {
      if (batches.get(i).batchId() != batches.get(i - 1).batchId() + 1) {
        return false;
      }
    }
    return true;
  }

  /** Counts as "grows": never shrinks by more than 1% from one batch to the next, and ends higher. */
  static boolean grows(long[] values, double minFactor) {
    for (int i = 1; i < values.length; i++) {
      if (values[i] < values[i - 1] * 0.99) {
        return false;
      }
    }
    return values.length > 1 && values[values.length - 1] >= Math.max(1, values[0]) * minFactor
        && values[values.length - 1] > values[0];
  }
}
