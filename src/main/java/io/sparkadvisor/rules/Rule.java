package io.sparkadvisor.rules;

import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.model.StreamState;

/**
 * A check over the advisor's model. Rules run on the advisor's thread, never on Spark's, and read
 * only the model: no Spark class is imported here. A rule takes its options in a constructor
 * {@code (RuleOptions)} and carries a {@link RuleInfo}. A rule that throws is switched off.
 */
public interface Rule {

  /** A stage attempt ended, successfully or not; its statistics are complete. */
  default void onStageCompleted(StageStats stage, RuleContext ctx) {}

  /** Called about once a second for each running stage, for live rules. */
  default void onStageRunning(StageStats stage, long now, RuleContext ctx) {}

  /** A SQL query's first job started: its plan is known and it is about to do the work. */
  default void onQueryRunning(SqlQuery query, RuleContext ctx) {}

  /**
   * A SQL query learned more: one of its stages completed ({@code stage} set, with the metric
   * totals of the operators that ran in it), the driver posted metric values, or AQE re-planned it
   * ({@code stage} null). Rules whose evidence is complete at this point report here, before the
   * query ends.
   */
  default void onQueryProgress(SqlQuery query, StageStats stage, RuleContext ctx) {}

  /** A SQL query ended, successfully or not; its plan and metrics are final. */
  default void onQueryEnded(SqlQuery query, RuleContext ctx) {}

  /** A streaming query reported a micro-batch; {@code stream} holds its recent batches. */
  default void onStreamProgress(StreamState stream, RuleContext ctx) {}

  /** A streaming query run terminated; a rule drops what it kept about it. */
  default void onStreamTerminated(StreamState stream, RuleContext ctx) {}

  /** Called about once a second with the whole model, for rules that wait for evidence to settle. */
  default void onTick(AppState app, long now, RuleContext ctx) {}

  /** The application ended; the model holds its totals. */
  default void onApplicationEnd(AppState app, RuleContext ctx) {}

  /** The metadata on the rule's class. */
  default RuleInfo info() {
    RuleInfo info = getClass().getAnnotation(RuleInfo.class);
    if (info == null) {
      throw new IllegalStateException(getClass().getName() + " has no @RuleInfo");
    }
    return info;
  }
}
