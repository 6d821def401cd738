package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** IdleCores and AqeDisabled on application and query fixtures. */
class AppRulesTest {
  private static final long MIN = 60_000;
  private static final long T0 = 1_700_000_000_000L;

  @Nested
  class IdleCoresRule {
    private final RuleHarness h = new RuleHarness();

    /** Two 4-core executors for the whole app; tasks used {@code usedMs} of core time. */
    private void run(long appMs, long usedMs) {
      IdleCores rule = new IdleCores(h.options("IdleCores"));
      h.app.appStarted(new AdvisorEvent.AppStart("etl", "app-1", T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("1", "h1", 4, T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("2", "h2", 4, T0));
      h.submit(1, "s", 1).end(Tasks.task(1, 0, usedMs));
      h.app.appEnded(new AdvisorEvent.AppEnd(T0 + appMs));
      rule.onApplicationEnd(h.app, h.context(rule));
    }

    @Test
    void firesWhenUnderHalfTheHeldCoreTimeWasUsed() {
      run(10 * MIN, 30 * MIN);
      Finding f = h.fires();
      assertThat(f.evidence()).containsEntry("heldCoreMs", 80 * MIN).containsEntry("usedCoreMs", 30 * MIN)
          .containsEntry("peakExecutors", 2);
      assertThat(f.costMillis()).isEqualTo(50 * MIN);
      assertThat(f.message()).contains("30 core-min of 80 core-min", "37.5%");
      assertThat(f.fix()).contains("spark.dynamicAllocation.enabled=true");
    }

    @Test
    void quietAtHalf() {
      run(10 * MIN, 40 * MIN);
      h.quiet();
    }

    @Test
    void quietForApplicationsUnderFiveMinutes() {
      run(5 * MIN - 1, 1_000);
      h.quiet();
    }

    @Test
    void quietForAnApplicationThatRanStreamingQueries() {
      // A streaming job with a 1-minute trigger whose batches take seconds: idle by design.
      IdleCores rule = new IdleCores(h.options("IdleCores"));
      h.app.appStarted(new AdvisorEvent.AppStart("stream", "app-1", T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("1", "h1", 4, T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("2", "h2", 4, T0));
      h.app.streamStarted(new AdvisorEvent.StreamStarted("q-1", "run-1", "events", T0, MIN));
      io.sparkadvisor.model.StreamState stream = h.app.streamProgressed(new io.sparkadvisor.model.StreamBatch("q-1",
          "run-1", "events", 0, java.time.Instant.ofEpochMilli(T0).toString(), 5_000, Map.of(), 1_000, 0, 0, false,
          new String[0], -1, -1, false, -1, true));
      rule.onStreamProgress(stream, h.context(rule));
      h.submit(1, "s", 1).end(Tasks.task(1, 0, 10 * MIN));
      h.app.streamTerminated(new AdvisorEvent.StreamTerminated("q-1", "run-1", null));
      h.app.appEnded(new AdvisorEvent.AppEnd(T0 + 60 * MIN));
      rule.onApplicationEnd(h.app, h.context(rule));
      h.quiet();
    }

    @Test
    void countsOnlyTheTimeEachExecutorWasHeld() {
      IdleCores rule = new IdleCores(h.options("IdleCores"));
      h.app.appStarted(new AdvisorEvent.AppStart("etl", "app-1", T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("1", "h1", 4, T0));
      h.app.executorAdded(new AdvisorEvent.ExecutorAdded("2", "h2", 4, T0));
      h.app.executorRemoved(new AdvisorEvent.ExecutorRemoved("2", "idle", T0 + MIN));
      h.submit(1, "s", 1).end(Tasks.task(1, 0, 21 * MIN));
      h.app.appEnded(new AdvisorEvent.AppEnd(T0 + 10 * MIN));
      rule.onApplicationEnd(h.app, h.context(rule));
      // 4 cores for 10 min plus 4 cores for the 1 min before executor 2 was released.
      assertThat(h.fires().evidence()).containsEntry("heldCoreMs", 44 * MIN);
    }
  }

  @Nested
  class AqeDisabledRule {
    private final RuleHarness h = new RuleHarness();

    private PlanNode plan(OperatorKind... kinds) {
      List<PlanNode> children = java.util.Arrays.stream(kinds)
          .map(k -> new PlanNode(k.name(), "", k, List.of())).toList();
      return new PlanNode("HashAggregate", "", OperatorKind.OTHER, children);
    }

    private void run(PlanNode plan, Map<String, String> modified, String streamingId) {
      AqeDisabled rule = new AqeDisabled(h.options("AqeDisabled"));
      h.app.queryStarted(new AdvisorEvent.SqlStart(7, "count at Report.java:5", 0, () -> plan, Map::of),
          plan, modified);
      SqlQuery q = h.app.jobStarted(new AdvisorEvent.JobStart(1, 0, new int[] {1}, 7, streamingId, null, null));
      assertThat(q).as("first job of the query").isNotNull();
      rule.onQueryRunning(q, h.context(rule));
    }

    @Test
    void firesWhenTheSessionSwitchedAqeOffAndTheQueryShuffles() {
      run(plan(OperatorKind.SHUFFLE_EXCHANGE, OperatorKind.SHUFFLE_EXCHANGE),
          Map.of("spark.sql.adaptive.enabled", "false"), null);
      Finding f = h.fires();
      assertThat(f.evidence()).containsEntry("exchanges", 2).containsEntry("setIn", "session");
      assertThat(f.render()).contains("SQL query 7", "spark.sql.adaptive.enabled=false",
          "fix: spark.sql.adaptive.enabled=true");
    }

    @Test
    void firesWhenTheApplicationConfSwitchedItOff() {
      h.conf("spark.sql.adaptive.enabled", "false");
      run(plan(OperatorKind.SHUFFLE_EXCHANGE), Map.of(), null);
      assertThat(h.fires().evidence()).containsEntry("setIn", "application");
    }

    @Test
    void quietWhenAqeIsOnOrTheQueryDoesNotShuffle() {
      run(plan(OperatorKind.SHUFFLE_EXCHANGE), Map.of(), null);
      h.quiet();
      h.conf("spark.sql.adaptive.enabled", "false");
      run(plan(OperatorKind.BROADCAST_EXCHANGE), Map.of(), null);
      h.quiet();
    }

    @Test
    void quietForStreamingMicroBatches() {
      run(plan(OperatorKind.SHUFFLE_EXCHANGE), Map.of("spark.sql.adaptive.enabled", "false"), "query-1");
      h.quiet();
    }
  }
}
