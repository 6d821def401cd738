package io.sparkadvisor.rules;

import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/**
 * A plan rule whose evidence is a metric total that only grows: it judges the query whenever the
 * query learns more (a stage completed, the driver posted metrics, AQE re-planned) and once more at
 * the end. A finding repeated within the same query run is neither logged nor counted again.
 */
abstract class QueryRule implements Rule {

  /** Judges the query's current plan and metrics. */
  abstract void check(SqlQuery q, RuleContext ctx);

  @Override
  public final void onQueryProgress(SqlQuery q, StageStats stage, RuleContext ctx) {
    check(q, ctx);
  }

  @Override
  public final void onQueryEnded(SqlQuery q, RuleContext ctx) {
    check(q, ctx);
  }
}
