package io.sparkadvisor.rules;

import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/** What a rule may use while it runs: the settings, the model, and a way to report. */
public interface RuleContext {

  /** The application's Spark configuration. */
  SparkSettings spark();

  /**
   * The settings a stage ran with: the application's conf, overlaid with its SQL session's changed
   * conf when the stage belongs to a SQL query (a {@code spark.conf.set} of shuffle partitions).
   */
  default SparkSettings spark(StageStats stage) {
    SqlQuery q = stage.executionId() >= 0 ? app().query(stage.executionId()) : null;
    return q == null ? spark() : spark().overlay(q.modifiedConfigs());
  }

  /** The settings a SQL query ran with: the application's conf overlaid with its session's changes. */
  default SparkSettings spark(SqlQuery query) {
    return spark().overlay(query.modifiedConfigs());
  }

  /** The whole application, read-only by convention. */
  AppState app();

  /** A finding builder for the running rule at {@code scope}, with its id and severity set. */
  Finding.Builder finding(Scope scope);

  void report(Finding finding);
}
