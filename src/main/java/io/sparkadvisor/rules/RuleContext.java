package io.sparkadvisor.rules;

import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.model.AppState;

/** What a rule may use while it runs: the settings, the model, and a way to report. */
public interface RuleContext {

  /** The application's Spark configuration. */
  SparkSettings spark();

  /** The whole application, read-only by convention. */
  AppState app();

  /** A finding builder for the running rule at {@code scope}, with its id and severity set. */
  Finding.Builder finding(Scope scope);

  void report(Finding finding);
}
