package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.StageStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one rule over a fixture built on the advisor's own model. {@link #fires} fails unless the
 * rule reports exactly one finding; {@link #quiet} fails on any. A rule's exception fails the test,
 * and so does a fixture with no tasks in it.
 */
final class RuleHarness {
  final AppState app = new AppState(100, 100);
  private final Map<String, String> conf = new HashMap<>();
  private final Map<String, String> options = new HashMap<>();
  private final List<String> optionWarnings = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();
  private int tasks;

  RuleHarness conf(String key, String value) {
    conf.put(key, value);
    return this;
  }

  /** Sets one of the rule's own options, as spark.advisor.rule.Id.param would. */
  RuleHarness option(String param, String value) {
    options.put(param, value);
    return this;
  }

  RuleOptions options(String ruleId) {
    return new RuleOptions(ruleId, options, optionWarnings::add);
  }

  List<String> optionWarnings() {
    return optionWarnings;
  }

  RuleHarness submit(int stageId, String name, int numTasks) {
    app.stageSubmitted(new AdvisorEvent.StageSubmitted(stageId, 0, name, numTasks, 1_000_000, null, null, -1));
    return this;
  }

  /** A stage of SQL query {@code executionId}, whose session changed {@code sessionConf}. */
  RuleHarness submitSql(int stageId, String name, int numTasks, long executionId,
      Map<String, String> sessionConf) {
    PlanNode plan = PlanNode.empty();
    app.queryStarted(new AdvisorEvent.SqlStart(executionId, name, 1_000_000, () -> plan, Map::of), plan,
        sessionConf);
    app.stageSubmitted(new AdvisorEvent.StageSubmitted(stageId, 0, name, numTasks, 1_000_000, null, null,
        executionId));
    return this;
  }

  /** A SQL query with {@code plan}, and the metric values its driver posted. */
  io.sparkadvisor.model.SqlQuery query(long executionId, String description, PlanNode plan,
      Map<String, String> sessionConf, Map<Long, Long> driverMetrics) {
    app.queryStarted(new AdvisorEvent.SqlStart(executionId, description, 1_000_000, () -> plan, Map::of), plan,
        sessionConf);
    long[] ids = driverMetrics.keySet().stream().mapToLong(Long::longValue).toArray();
    long[] values = java.util.Arrays.stream(ids).map(driverMetrics::get).toArray();
    app.queryMetricsPosted(new AdvisorEvent.SqlDriverMetrics(executionId, ids, values));
    return app.query(executionId);
  }

  /** A stage of SQL query {@code executionId} whose plan the query already has. */
  RuleHarness submitForQuery(int stageId, int numTasks, long executionId) {
    app.stageSubmitted(new AdvisorEvent.StageSubmitted(stageId, 0, "stage " + stageId, numTasks, 1_000_000,
        null, null, executionId));
    return this;
  }

  /** Completes the stage with the SQL metric totals of the operators that ran in it. */
  StageStats completeWithMetrics(int stageId, Map<Long, Long> metrics) {
    assertThat(tasks).as("fixture has tasks").isPositive();
    long[] ids = metrics.keySet().stream().mapToLong(Long::longValue).toArray();
    long[] values = java.util.Arrays.stream(ids).map(metrics::get).toArray();
    return app.stageCompleted(new AdvisorEvent.StageCompleted(stageId, 0, 2_000_000, null, ids, values));
  }

  RuleHarness start(Tasks t) {
    app.taskStarted(t.start());
    return this;
  }

  RuleHarness end(Tasks t) {
    tasks++;
    app.taskEnded(t.end());
    return this;
  }

  /** Ends {@code count} tasks of the stage, partitions from {@code first}, each {@code ms} long. */
  RuleHarness endMany(int stageId, int first, int count, long ms) {
    for (int p = first; p < first + count; p++) {
      end(Tasks.task(stageId, p, ms));
    }
    return this;
  }

  StageStats complete(int stageId, String failureReason) {
    assertThat(tasks).as("fixture has tasks").isPositive();
    return app.stageCompleted(new AdvisorEvent.StageCompleted(stageId, 0, 2_000_000, failureReason));
  }

  StageStats running(int stageId) {
    assertThat(tasks).as("fixture has tasks").isPositive();
    return app.activeStages().stream().filter(s -> s.stageId() == stageId).findFirst().orElseThrow();
  }

  RuleContext context(Rule rule) {
    SparkSettings spark = io.sparkadvisor.config.AdvisorConfig.from(conf).spark();
    RuleInfo info = rule.info();
    return new RuleContext() {
      @Override
      public SparkSettings spark() {
        return spark;
      }

      @Override
      public AppState app() {
        return app;
      }

      @Override
      public Finding.Builder finding(Scope scope) {
        return Finding.builder(info.id(), info.severity(), scope);
      }

      @Override
      public void report(Finding finding) {
        findings.add(finding);
      }
    };
  }

  List<Finding> findings() {
    return findings;
  }

  Finding fires() {
    assertThat(findings).as("findings").hasSize(1);
    Finding f = findings.get(0);
    assertThat(f.render()).doesNotContain("\n").startsWith("[" + f.ruleId() + "] ");
    findings.clear();
    return f;
  }

  void quiet() {
    assertThat(findings).as("findings").isEmpty();
  }
}
